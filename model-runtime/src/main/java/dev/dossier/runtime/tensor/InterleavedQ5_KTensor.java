package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link InterleavedTensor} for Q5_K: each sub-block of 32 is a block in a lane of its own, with 20
 * chunks of codes. Chunks 0-15 hold the low 4 bits of the 5-bit codes q as Q4_0 keeps its codes
 * (chunk k: value k in the low nibble, value k + 16 in the high one). Chunks 16-19 hold the fifth
 * bits, inverted: chunk 16 + j those of values 4j + i at bit i and of values 4j + i + 16 at bit 4 +
 * i (i = 0..3). Shifted left by 4 - i, the chunk has value k's (k = 4j + i) inverted bit at bit 4
 * and value k + 16's at bit 8: one shift serves both of chunk k's values, and subtracting each bit
 * (value k's from its nibble, value k + 16's from the whole byte, before an arithmetic shift down
 * by 4) gives {@code q - 16}, -16..15, in no more instructions than setting the bit would take.
 *
 * <p>A value is {@code d * scale * q - dmin * min}; per block, {@code sum(w * x) = d * scale *
 * (sum((q - 16) x) + 16 sum(x)) - dmin * min * sum(x)}, where sum(x) is the 8-bit vector's block
 * sum. A product of q - 16 and an 8-bit code is at most 16 x 127 = 2032 in magnitude, so a 16-bit
 * lane holds a group's 16 of them: unlike {@link InterleavedQ6_KTensor}'s, these sums need no move
 * to 32 bits within a group (q's products flushed every 8 chunks ran 9% slower: BENCHMARKS.md,
 * "Q5_K and Q3_K decoding", 2026-12-08). The metadata is {@link InterleavedQ4_KTensor}'s: a plane
 * of 6-bit scales, one of mins (a byte each), then the super-blocks' d and dmin as halves, 180
 * bytes per 256 values to the file's 176.
 */
public final class InterleavedQ5_KTensor extends InterleavedTensor {
    private static final int NIBBLE_CHUNKS = BLOCK_SIZE / 2;
    private static final int CODE_CHUNKS = NIBBLE_CHUNKS + BLOCK_SIZE / 8;
    /** Chunks of nibbles per chunk of fifth bits. */
    private static final int PER_TOP_CHUNK = NIBBLE_CHUNKS / (CODE_CHUNKS - NIBBLE_CHUNKS);
    /** Cache lines of a group's codes. */
    private static final int LINES = CODE_CHUNKS / CHUNKS_PER_LINE;
    /** Where a chunk of fifth bits shifted into place has value k's and value k + 16's. */
    private static final short LOW_TOP = 0x10;
    private static final short HIGH_TOP = 0x100;
    /** The kernel's masks as constant vectors, for {@link InterleavedQ3_KTensor}'s reason (fewer nodes than {@code and(short)}'s broadcasts). */
    private static final ShortVector NIBBLE = ShortVector.broadcast(SHORTS, (short) 0xF);
    private static final ShortVector LOW_TOP_BIT = ShortVector.broadcast(SHORTS, LOW_TOP), HIGH_TOP_BIT = ShortVector.broadcast(SHORTS, HIGH_TOP);
    /** The plane of {@link #rowSums}'s 16-bit sums in a row's scratch. */
    private static final int SUMS = 2;

    InterleavedQ5_KTensor(Q5_KTensor file, MemorySegment repacked, int cols) {
        super(file, repacked, cols, 2);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
    }

    /** Scales, negated mins, then room for {@link #rowSums}'s sums (a row's scratch is these planes). */
    @Override
    protected int scalePlanes() {
        return 3;
    }

    /**
     * One file row into a repacked row: the metadata planes (see the class comment) at {@code row[0
     * ..)}, each block's codes through {@code codes}.
     */
    static void packRow(byte[] in, byte[] row, int blocks, int paddedBlocks, CodePlacer codes) {
        MemorySegment file = MemorySegment.ofArray(in);
        int superBlocks = paddedBlocks / BLOCKS_PER_SUPER;
        int[] code = new int[BLOCK_SIZE];
        for (int s = 0; s < blocks / BLOCKS_PER_SUPER; s++) {
            long at = (long) s * GgmlType.Q5_K.bytesPerBlock();
            putHalf(row, 2 * paddedBlocks + 2 * s, file, at);
            putHalf(row, 2 * paddedBlocks + 2 * (superBlocks + s), file, at + 2);
            for (int j = 0; j < BLOCKS_PER_SUPER; j++) {
                int b = s * BLOCKS_PER_SUPER + j;
                row[b] = (byte) Q5_KTensor.scale(file, at, j);
                row[paddedBlocks + b] = (byte) Q5_KTensor.min(file, at, j);
                for (int v = 0; v < BLOCK_SIZE; v++) {
                    code[v] = Q5_KTensor.code(file, at, j * BLOCK_SIZE + v);
                }
                for (int k = 0; k < NIBBLE_CHUNKS; k++) {
                    codes.put(b, k, (code[k] & 0xF) | (code[k + NIBBLE_CHUNKS] & 0xF) << 4);
                }
                for (int t = 0; t < CODE_CHUNKS - NIBBLE_CHUNKS; t++) {
                    int tops = 0;
                    for (int i = 0; i < PER_TOP_CHUNK; i++) {
                        int k = t * PER_TOP_CHUNK + i;
                        tops |= (~code[k] >> 4 & 1) << i | (~code[k + NIBBLE_CHUNKS] >> 4 & 1) << (4 + i);
                    }
                    codes.put(b, NIBBLE_CHUNKS + t, tops);
                }
            }
        }
    }

    /** {@code scales[b] = d * scale}, {@code scales[paddedBlocks + b] = -dmin * min}. */
    @Override
    protected void decodeScales(int row, float[] scales) {
        decodeScalesAndMins(row, scales);
    }

    @Override
    protected void decodeGroup(long at, float[] scales, int firstScale, int blocks, float[] out, int outOffset) {
        FloatVector firstScales = FloatVector.fromArray(FLOATS, scales, firstScale);
        FloatVector secondScales = FloatVector.fromArray(FLOATS, scales, firstScale + HALF_GROUP);
        FloatVector firstMins = FloatVector.fromArray(FLOATS, scales, paddedBlocks + firstScale);
        FloatVector secondMins = FloatVector.fromArray(FLOATS, scales, paddedBlocks + firstScale + HALF_GROUP);
        int o = outOffset;
        for (int k = 0; k < NIBBLE_CHUNKS; k++) {
            ShortVector nibbles = unsignedChunk(at + (long) k * GROUP);
            ShortVector tops = unsignedChunk(at + (long) (NIBBLE_CHUNKS + k / PER_TOP_CHUNK) * GROUP)
                    .lanewise(VectorOperators.LSHL, 4 - k % PER_TOP_CHUNK);
            // q as the kernel reads it, less 16, and the 16 back: q * d * scale is exact in floats,
            // as the file-order tensor's is, so both round alike when the min comes off.
            ShortVector low = nibbles.and((short) 0xF).sub(tops.and(LOW_TOP)).add((short) 16);
            ShortVector high = nibbles.sub(tops.and(HIGH_TOP)).lanewise(VectorOperators.ASHR, 4).add((short) 16);
            ((FloatVector) firstHalf(low).convert(VectorOperators.I2F, 0)).fma(firstScales, firstMins).intoArray(out, o);
            ((FloatVector) firstHalf(high).convert(VectorOperators.I2F, 0)).fma(firstScales, firstMins).intoArray(out, o + blocks);
            if (blocks == GROUP) {
                ((FloatVector) secondHalf(low).convert(VectorOperators.I2F, 0)).fma(secondScales, secondMins).intoArray(out, o + HALF_GROUP);
                ((FloatVector) secondHalf(high).convert(VectorOperators.I2F, 0)).fma(secondScales, secondMins).intoArray(out, o + blocks + HALF_GROUP);
            }
            o += 2 * blocks;
        }
    }

    /**
     * One row at a time, as {@link InterleavedQ6_KTensor#rowDots} and for its reason (C2's node
     * budget for inlining): {@link #rowSums} does the integer products alone, and {@link #total}
     * scales them, out of the kernel's method.
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
     * The kernel: each group's {@code sum((q - 16) x)} per block, values 0-15 and 16-31 apart, as
     * 16-bit sums into the scratch's {@link #SUMS} plane (a group's two short vectors, each as
     * {@link #FLOATS}' bits). Each chunk of fifth bits is loaded once for its 4 chunks of nibbles
     * and moved along by a constant shift, as {@link InterleavedQ3_KTensor}'s high bits are: loaded
     * for each chunk, 2.5 GB/s a thread; once, 2.9 (BENCHMARKS.md, "Q5_K and Q3_K decoding",
     * 2026-12-08).
     */
    private void rowSums(int row, QuantizedVector x, float[] scales) {
        int touched = 0;
        for (int g = 0; g < groupsPerRow; g++) {
            long base = codesAt(row, g);
            int codes = g * GROUP * BLOCK_SIZE;
            ShortVector first = ShortVector.zero(SHORTS), second = ShortVector.zero(SHORTS);
            ShortVector tops = ShortVector.zero(SHORTS);
            for (int k = 0; k < NIBBLE_CHUNKS; k++) {
                if (k < LINES) { // each of the group's cache lines once
                    touched += touchAhead(base + (long) k * CHUNKS_PER_LINE * GROUP);
                }
                if (k % PER_TOP_CHUNK == 0) {
                    tops = unsignedChunk(base + (long) (NIBBLE_CHUNKS + k / PER_TOP_CHUNK) * GROUP).lanewise(VectorOperators.LSHL, 4);
                } else {
                    tops = tops.lanewise(VectorOperators.LSHR, 1);
                }
                ShortVector nibbles = unsignedChunk(base + (long) k * GROUP);
                first = first.add(nibbles.and(NIBBLE).sub(tops.and(LOW_TOP_BIT)).mul(x.chunk(codes + k * GROUP)));
                second = second.add(nibbles.sub(tops.and(HIGH_TOP_BIT)).lanewise(VectorOperators.ASHR, 4)
                        .mul(x.chunk(codes + (k + NIBBLE_CHUNKS) * GROUP)));
            }
            first.reinterpretAsFloats().intoArray(scales, SUMS * paddedBlocks + g * GROUP);
            second.reinterpretAsFloats().intoArray(scales, SUMS * paddedBlocks + g * GROUP + HALF_GROUP);
        }
        keepTouched(scales, touched);
    }

    /** The row's product from {@link #rowSums}'s sums, its scales and mins, and the vector's block scales and sums. */
    private float total(QuantizedVector x, float[] scales) {
        FloatVector sum = FloatVector.zero(FLOATS);
        for (int g = 0; g < groupsPerRow; g++) {
            int block = g * GROUP;
            FloatVector vectorLow = FloatVector.fromArray(FLOATS, x.scales, block);
            FloatVector vectorHigh = FloatVector.fromArray(FLOATS, x.scales, block + HALF_GROUP);
            IntVector vectorSumLow = IntVector.fromArray(INTS, x.sums, block);
            IntVector vectorSumHigh = IntVector.fromArray(INTS, x.sums, block + HALF_GROUP);
            // The short sums read as ints, their halves shifted out here, as InterleavedQ4_0Tensor does and for its reason.
            IntVector a = FloatVector.fromArray(FLOATS, scales, SUMS * paddedBlocks + block).reinterpretAsInts();
            IntVector b = FloatVector.fromArray(FLOATS, scales, SUMS * paddedBlocks + block + HALF_GROUP).reinterpretAsInts();
            IntVector sums = a.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(b.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16))
                    .add(vectorSumLow.lanewise(VectorOperators.LSHL, 4));
            sum = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(FLOATS, scales, block).mul(vectorLow), sum);
            sum = FloatVector.fromArray(FLOATS, scales, paddedBlocks + block)
                    .fma(((FloatVector) vectorSumLow.convert(VectorOperators.I2F, 0)).mul(vectorLow), sum);
            sums = a.lanewise(VectorOperators.ASHR, 16).add(b.lanewise(VectorOperators.ASHR, 16)).add(vectorSumHigh.lanewise(VectorOperators.LSHL, 4));
            sum = ((FloatVector) sums.convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(FLOATS, scales, block + HALF_GROUP).mul(vectorHigh), sum);
            sum = FloatVector.fromArray(FLOATS, scales, paddedBlocks + block + HALF_GROUP)
                    .fma(((FloatVector) vectorSumHigh.convert(VectorOperators.I2F, 0)).mul(vectorHigh), sum);
        }
        return sum.reduceLanes(VectorOperators.ADD);
    }
}
