package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * {@link InterleavedTensor} for Q3_K: each 32 values of a super-block are a block in a lane of its
 * own, with 12 chunks of codes. A value is {@code d * scale * (q - 4)}, q = its 2 low bits + 4 x
 * its high bit, with a signed 6-bit scale per 16 values. Chunks 0-7 hold the low bits, chunk k
 * those of values k, k + 8, k + 16 and k + 24 at bits 0, 2, 4 and 6 (its fields 0-3: the first two
 * take the block's first scale, the last two its second). Chunks 8-11 hold the high bits,
 * inverted: chunk 8 + m those of chunk 2m's fields at bits 0, 2, 4, 6 and of chunk 2m + 1's at bits
 * 1, 3, 5, 7. Shifted left by 2 (an even chunk) or 1, a chunk's inverted high bits stand just above
 * their fields, at bits 2, 4, 6, 8, worth 4 to the field below: a field's 2 bits less its bit above
 * are {@code q - 4} (-4..3), times 4 for fields 1 and 3, whose sums are divided by 4 once per group,
 * so no field needs a shift of its own. Fields 2 and 3 are read with both shifted right by 4.
 *
 * <p>A product of q - 4 and an 8-bit code is at most 508 in magnitude, so a group's 16-bit sums
 * never overflow (4 x the sums of fields 1 and 3: at most 8 x 2032). The metadata keeps the file's
 * 110 bytes per 256 values: a plane of a byte per block (the low 4 bits of its two 6-bit scales,
 * stored plus 32 as the file has them: its first 16 values' in the low nibble, its last 16's in
 * the high one), a plane of their top 2 bits (4 bytes per super-block, read as a little-endian int:
 * block j's at bits 4j and 4j + 2), then the super-blocks' d as halves. Bytes per scale would have
 * taken 114 bytes, 3.6% more than the file.
 */
public final class InterleavedQ3_KTensor extends InterleavedTensor {
    private static final int LOW_CHUNKS = BLOCK_SIZE / 4;
    private static final int CODE_CHUNKS = LOW_CHUNKS + BLOCK_SIZE / 8;
    /** Cache lines of a group's codes. */
    private static final int LINES = CODE_CHUNKS / CHUNKS_PER_LINE;
    private static final VectorSpecies<Integer> SUPER_INTS = IntVector.SPECIES_256;
    /** Where block j's top scale bits start in its super-block's 32 bits: 4j. */
    private static final IntVector TOP_SHIFTS = IntVector.zero(SUPER_INTS).addIndex(4);
    /** A constant, so that its var handle is one to the compiler: a layout made per call was looked up per call (0.5 GB/s). */
    private static final ValueLayout.OfInt TOP_BITS = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    /**
     * The kernel's masks: fields 0 and 1 ({@code FIELD}, {@code FIELD_4}) and the high bits above
     * them. Constant vectors rather than {@code and(short)}, whose broadcast each call also parses
     * into the kernel: with these, its vector calls stay inside C2's node budget for inlining even
     * when other kernels have run in the process (without, 1.9 GB/s alone and 0.85 after Q4_0's:
     * BENCHMARKS.md, "Q5_K and Q3_K decoding", 2026-12-08).
     */
    private static final ShortVector FIELD = ShortVector.broadcast(SHORTS, (short) 3), FIELD_4 = ShortVector.broadcast(SHORTS, (short) 0xC);
    private static final ShortVector HIGH = ShortVector.broadcast(SHORTS, (short) 4), HIGH_4 = ShortVector.broadcast(SHORTS, (short) 0x10);
    /** The plane of {@link #rowSums}'s 16-bit sums in a row's scratch. */
    private static final int SUMS = 2;

    InterleavedQ3_KTensor(Q3_KTensor file, MemorySegment repacked, int cols) {
        super(file, repacked, cols, 4);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q3_K;
    }

    /** The scales of each block's first 16 values, those of its last 16, then room for {@link #rowSums}'s sums (a row's scratch is these planes). */
    @Override
    protected int scalePlanes() {
        return 3;
    }

    /** One file row into a repacked row: the metadata planes (see the class comment), each block's codes through {@code codes}. */
    static void packRow(byte[] in, byte[] row, int blocks, int paddedBlocks, CodePlacer codes) {
        MemorySegment file = MemorySegment.ofArray(in);
        int[] code = new int[BLOCK_SIZE];
        int[] high = new int[CODE_CHUNKS - LOW_CHUNKS];
        int tops = paddedBlocks;
        int halves = paddedBlocks + paddedBlocks / 2;
        for (int s = 0; s < blocks / BLOCKS_PER_SUPER; s++) {
            long at = (long) s * GgmlType.Q3_K.bytesPerBlock();
            short d = Float.floatToFloat16(Q3_KTensor.d(file, at));
            row[halves + 2 * s] = (byte) d;
            row[halves + 2 * s + 1] = (byte) (d >> 8);
            for (int j = 0; j < BLOCKS_PER_SUPER; j++) {
                int b = s * BLOCKS_PER_SUPER + j;
                int first = Q3_KTensor.scale(file, at, 2 * j);
                int second = Q3_KTensor.scale(file, at, 2 * j + 1);
                row[b] = (byte) ((first & 0xF) | (second & 0xF) << 4);
                row[tops + 4 * s + j / 2] |= (byte) (((first >> 4) | (second >> 4) << 2) << (4 * (j % 2)));
                for (int v = 0; v < BLOCK_SIZE; v++) {
                    code[v] = Q3_KTensor.code(file, at, j * BLOCK_SIZE + v);
                }
                Arrays.fill(high, 0);
                for (int k = 0; k < LOW_CHUNKS; k++) {
                    int low = 0;
                    for (int field = 0; field < 4; field++) {
                        int q = code[k + LOW_CHUNKS * field];
                        low |= (q & 3) << (2 * field);
                        high[k / 2] |= (~q >> 2 & 1) << (2 * field + k % 2);
                    }
                    codes.put(b, k, low);
                }
                for (int m = 0; m < high.length; m++) {
                    codes.put(b, LOW_CHUNKS + m, high[m]);
                }
            }
        }
    }

    /** {@code scales[b] = d * (first scale - 32)}, {@code scales[paddedBlocks + b] = d * (second scale - 32)}. */
    @Override
    protected void decodeScales(int row, float[] scales) {
        long base = rowBase(row);
        long tops = base + paddedBlocks;
        long halves = tops + paddedBlocks / 2;
        for (int s = 0; s < paddedBlocks / BLOCKS_PER_SUPER; s++) {
            int b = s * BLOCKS_PER_SUPER;
            float d = f16(repacked, halves + 2L * s);
            IntVector lows = (IntVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_64, repacked, base + b, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2I, SUPER_INTS, 0);
            IntVector top = IntVector.broadcast(SUPER_INTS, repacked.get(TOP_BITS, tops + 4L * s))
                    .lanewise(VectorOperators.LSHR, TOP_SHIFTS);
            IntVector first = lows.and(0xF).or(top.and(3).lanewise(VectorOperators.LSHL, 4)).sub(32);
            IntVector second = lows.lanewise(VectorOperators.LSHR, 4).or(top.and(0xC).lanewise(VectorOperators.LSHL, 2)).sub(32);
            ((FloatVector) first.convert(VectorOperators.I2F, 0)).mul(d).intoArray(scales, b);
            ((FloatVector) second.convert(VectorOperators.I2F, 0)).mul(d).intoArray(scales, paddedBlocks + b);
        }
    }

    /** Chunk {@code k}'s inverted high bits, each just above its field (bits 2, 4, 6, 8), for {@link #decodeGroup}. */
    private ShortVector highBits(long group, int k) {
        return unsignedChunk(group + (long) (LOW_CHUNKS + k / 2) * GROUP).lanewise(VectorOperators.LSHL, 2 - k % 2);
    }

    @Override
    protected void decodeGroup(long at, float[] scales, int firstScale, int blocks, float[] out, int outOffset) {
        int o = outOffset;
        for (int k = 0; k < LOW_CHUNKS; k++) {
            ShortVector low = unsignedChunk(at + (long) k * GROUP);
            ShortVector high = highBits(at, k);
            for (int field = 0; field < 4; field++) { // fields 0 and 1 take the blocks' first scales, 2 and 3 their second
                int plane = field < 2 ? firstScale : paddedBlocks + firstScale;
                ShortVector q = low.and((short) 3).sub(high.and((short) 4));
                ((FloatVector) firstHalf(q).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(FLOATS, scales, plane)).intoArray(out, o);
                if (blocks == GROUP) {
                    ((FloatVector) secondHalf(q).convert(VectorOperators.I2F, 0)).mul(FloatVector.fromArray(FLOATS, scales, plane + HALF_GROUP))
                            .intoArray(out, o + HALF_GROUP);
                }
                o += blocks;
                low = low.lanewise(VectorOperators.LSHR, 2);
                high = high.lanewise(VectorOperators.LSHR, 2);
            }
        }
    }

    /**
     * One row at a time, as {@link InterleavedQ6_KTensor#rowDots} and for its reason (C2's node
     * budget for inlining): {@link #rowSums} does the integer products alone, and {@link #total}
     * scales them, out of the kernel's method. With the scaling in the kernel, the kernel stood at
     * the budget's edge, and {@link #rowSums}'s constant shifts took it past (the vector's loads
     * uninlined: 0.8 GB/s a thread).
     */
    @Override
    protected void rowDots(int rowA, int rowB, QuantizedVector x, float[] scalesA, float[] scalesB, float[] results) {
        decodeScales(rowA, scalesA);
        rowSums(rowA, x, scalesA);
        results[0] = total(x, scalesA);
        if (rowB != rowA) {
            decodeScales(rowB, scalesB);
            rowSums(rowB, x, scalesB);
        }
        results[1] = rowB == rowA ? results[0] : total(x, scalesB);
    }

    /**
     * The kernel: each group's {@code sum((q - 4) x)} per block, values 0-15 and 16-31 apart, as
     * 16-bit sums into the scratch's {@link #SUMS} plane (a group's two short vectors, each as
     * {@link #FLOATS}' bits). A chunk of high bits is loaded once for its 2 chunks of low bits,
     * shifted into place for the even one and moved along by 1 for the odd one: constant shifts.
     * Shifted by 2 - k % 2 instead, 1.48 GB/s a thread; so, 1.59, Q4_K 3.0 in the same runs
     * (BENCHMARKS.md, "Q5_K and Q3_K decoding", 2026-12-08).
     */
    private void rowSums(int row, QuantizedVector x, float[] scales) {
        int touched = 0;
        for (int g = 0; g < groupsPerRow; g++) {
            long base = codesAt(row, g);
            int codes = g * GROUP * BLOCK_SIZE;
            // first: values 0-15 (fields 0 and 1), second: 16-31 (fields 2 and 3); the "4" sums hold 4 x their products.
            ShortVector first = ShortVector.zero(SHORTS), first4 = ShortVector.zero(SHORTS);
            ShortVector second = ShortVector.zero(SHORTS), second4 = ShortVector.zero(SHORTS);
            ShortVector highBits = ShortVector.zero(SHORTS);
            for (int k = 0; k < LOW_CHUNKS; k++) {
                if (k < LINES) { // each of the group's cache lines once
                    touched += touchAhead(base + (long) k * CHUNKS_PER_LINE * GROUP);
                }
                if (k % 2 == 0) {
                    highBits = unsignedChunk(base + (long) (LOW_CHUNKS + k / 2) * GROUP).lanewise(VectorOperators.LSHL, 2);
                } else {
                    highBits = highBits.lanewise(VectorOperators.LSHR, 1);
                }
                ShortVector low = unsignedChunk(base + (long) k * GROUP);
                ShortVector high = highBits;
                first = first.add(low.and(FIELD).sub(high.and(HIGH)).mul(x.chunk(codes + k * GROUP)));
                first4 = first4.add(low.and(FIELD_4).sub(high.and(HIGH_4)).mul(x.chunk(codes + (k + LOW_CHUNKS) * GROUP)));
                low = low.lanewise(VectorOperators.LSHR, 4);
                high = high.lanewise(VectorOperators.LSHR, 4);
                second = second.add(low.and(FIELD).sub(high.and(HIGH)).mul(x.chunk(codes + (k + 2 * LOW_CHUNKS) * GROUP)));
                second4 = second4.add(low.and(FIELD_4).sub(high.and(HIGH_4)).mul(x.chunk(codes + (k + 3 * LOW_CHUNKS) * GROUP)));
            }
            first.add(first4.lanewise(VectorOperators.ASHR, 2)).reinterpretAsFloats().intoArray(scales, SUMS * paddedBlocks + g * GROUP);
            second.add(second4.lanewise(VectorOperators.ASHR, 2)).reinterpretAsFloats().intoArray(scales, SUMS * paddedBlocks + g * GROUP + HALF_GROUP);
        }
        keepTouched(scales, touched);
    }

    /** The row's product from {@link #rowSums}'s sums, its scales and the vector's block scales. */
    private float total(QuantizedVector x, float[] scales) {
        FloatVector sum = FloatVector.zero(FLOATS);
        for (int g = 0; g < groupsPerRow; g++) {
            int block = g * GROUP;
            FloatVector vectorLow = FloatVector.fromArray(FLOATS, x.scales, block);
            FloatVector vectorHigh = FloatVector.fromArray(FLOATS, x.scales, block + HALF_GROUP);
            // The short sums read as ints, their halves shifted out here, as InterleavedQ4_0Tensor does and for its reason.
            IntVector a = FloatVector.fromArray(FLOATS, scales, SUMS * paddedBlocks + block).reinterpretAsInts();
            IntVector b = FloatVector.fromArray(FLOATS, scales, SUMS * paddedBlocks + block + HALF_GROUP).reinterpretAsInts();
            sum = ((FloatVector) a.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(FLOATS, scales, block).mul(vectorLow), sum);
            sum = ((FloatVector) b.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(FLOATS, scales, paddedBlocks + block).mul(vectorLow), sum);
            sum = ((FloatVector) a.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(FLOATS, scales, block + HALF_GROUP).mul(vectorHigh), sum);
            sum = ((FloatVector) b.lanewise(VectorOperators.ASHR, 16).convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(FLOATS, scales, paddedBlocks + block + HALF_GROUP).mul(vectorHigh), sum);
        }
        return sum.reduceLanes(VectorOperators.ADD);
    }
}
