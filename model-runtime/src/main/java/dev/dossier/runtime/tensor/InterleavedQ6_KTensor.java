package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link InterleavedTensor} for Q6_K: each 32 values of a super-block are a block in a lane of its
 * own, with 24 chunks of codes. Chunks 0-15 hold the low 4 bits of the unsigned 6-bit codes as
 * Q4_0 keeps its codes (chunk k: value k in the low nibble, value k + 16 in the high one); chunks
 * 16-23 hold the top 2 bits, chunk 16 + j those of values j, j + 8, j + 16 and j + 24 at bits 0,
 * 2, 4 and 6. A value is {@code d * scale * (code - 32)}, with one 8-bit scale per 16 values: a
 * block's first 16 values have one, its last 16 another, so values k (low nibbles) and k + 16
 * (high nibbles) sum apart. A product of a signed 6-bit code and an 8-bit code is at most 32 x 127
 * = 4064 in magnitude, so a 16-bit lane holds 8 of them: the sums move to 32 bits every 8 chunks.
 * The metadata keeps the file's integers:
 * a plane of the first 16 values' scales, one of the last 16's, then each super-block's d as a half.
 */
public final class InterleavedQ6_KTensor extends InterleavedTensor {
    private static final int NIBBLE_CHUNKS = BLOCK_SIZE / 2;
    private static final int TOP_CHUNKS = BLOCK_SIZE / 4;
    /** Where a code's top 2 bits land, as a 6-bit code's bits 4 and 5. */
    private static final short TOP_BITS = 0x30;

    InterleavedQ6_KTensor(Q6_KTensor file, MemorySegment repacked, int cols) {
        super(file, repacked, cols, 2);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    /** The scales of each block's first 16 values, then those of its last 16. */
    @Override
    protected int scalePlanes() {
        return 2;
    }

    /** One file row into a repacked row: the metadata planes (see the class comment), each block's codes through {@code codes}. */
    static void packRow(byte[] in, byte[] row, int blocks, int paddedBlocks, CodePlacer codes) {
        MemorySegment file = MemorySegment.ofArray(in);
        int[] code = new int[BLOCK_SIZE];
        for (int s = 0; s < blocks / BLOCKS_PER_SUPER; s++) {
            long at = (long) s * GgmlType.Q6_K.bytesPerBlock();
            short d = Float.floatToFloat16(Q6_KTensor.d(file, at));
            row[2 * paddedBlocks + 2 * s] = (byte) d;
            row[2 * paddedBlocks + 2 * s + 1] = (byte) (d >> 8);
            for (int j = 0; j < BLOCKS_PER_SUPER; j++) {
                int b = s * BLOCKS_PER_SUPER + j;
                row[b] = (byte) Q6_KTensor.scale(file, at, 2 * j);
                row[paddedBlocks + b] = (byte) Q6_KTensor.scale(file, at, 2 * j + 1);
                for (int v = 0; v < BLOCK_SIZE; v++) {
                    code[v] = Q6_KTensor.code(file, at, j * BLOCK_SIZE + v) + 32;
                }
                for (int k = 0; k < NIBBLE_CHUNKS; k++) {
                    codes.put(b, k, (code[k] & 0xF) | (code[k + NIBBLE_CHUNKS] & 0xF) << 4);
                }
                for (int t = 0; t < TOP_CHUNKS; t++) {
                    codes.put(b, NIBBLE_CHUNKS + t, code[t] >> 4 | (code[t + 8] >> 4) << 2 | (code[t + 16] >> 4) << 4 | (code[t + 24] >> 4) << 6);
                }
            }
        }
    }

    /** {@code scales[b] = d * first scale}, {@code scales[paddedBlocks + b] = d * second scale}. */
    @Override
    protected void decodeScales(int row, float[] scales) {
        long base = rowBase(row);
        long halves = base + 2L * paddedBlocks;
        for (int s = 0; s < paddedBlocks / BLOCKS_PER_SUPER; s++) {
            int b = s * BLOCKS_PER_SUPER;
            float d = f16(repacked, halves + 2L * s);
            superBlockIntegers(base + b).mul(d).intoArray(scales, b);
            superBlockIntegers(base + paddedBlocks + b).mul(d).intoArray(scales, paddedBlocks + b);
        }
    }

    @Override
    protected void decodeGroup(long at, float[] scales, int firstScale, int blocks, float[] out, int outOffset) {
        FloatVector firstLow = FloatVector.fromArray(FLOATS, scales, firstScale);
        FloatVector secondLow = FloatVector.fromArray(FLOATS, scales, firstScale + HALF_GROUP);
        FloatVector firstHigh = FloatVector.fromArray(FLOATS, scales, paddedBlocks + firstScale);
        FloatVector secondHigh = FloatVector.fromArray(FLOATS, scales, paddedBlocks + firstScale + HALF_GROUP);
        int o = outOffset;
        for (int k = 0; k < NIBBLE_CHUNKS; k++) {
            ShortVector nibbles = unsignedChunk(at + (long) k * GROUP);
            ShortVector tops = unsignedChunk(at + (long) (NIBBLE_CHUNKS + k % TOP_CHUNKS) * GROUP);
            // Value k's top bits sit at bit 0 (k < 8) or 2, value k + 16's at bit 4 or 6.
            ShortVector lowTops = (k < TOP_CHUNKS ? tops.lanewise(VectorOperators.LSHL, 4) : tops.lanewise(VectorOperators.LSHL, 2)).and(TOP_BITS);
            ShortVector highTops = (k < TOP_CHUNKS ? tops : tops.lanewise(VectorOperators.LSHR, 2)).and(TOP_BITS);
            ShortVector low = nibbles.and((short) 0xF).or(lowTops).sub((short) 32);
            ShortVector high = nibbles.lanewise(VectorOperators.LSHR, 4).or(highTops).sub((short) 32);
            ((FloatVector) firstHalf(low).convert(VectorOperators.I2F, 0)).mul(firstLow).intoArray(out, o);
            ((FloatVector) firstHalf(high).convert(VectorOperators.I2F, 0)).mul(firstHigh).intoArray(out, o + blocks);
            if (blocks == GROUP) {
                ((FloatVector) secondHalf(low).convert(VectorOperators.I2F, 0)).mul(secondLow).intoArray(out, o + HALF_GROUP);
                ((FloatVector) secondHalf(high).convert(VectorOperators.I2F, 0)).mul(secondHigh).intoArray(out, o + blocks + HALF_GROUP);
            }
            o += 2 * blocks;
        }
    }

    /**
     * One row at a time, its scales decoded outside the kernel's method, and one step per chunk of
     * low bits: a kernel compiled past C2's node budget for inlining (NodeCountInliningCutoff) calls
     * its vector helpers instead of inlining them, boxing their vectors. Two rows at once ran at 0.3
     * GB/s, one row with four accumulators 0.9, this 2.1 (BENCHMARKS.md, "Q6_K decoding", 2026-12-08).
     */
    @Override
    protected void rowDots(int rowA, int rowB, QuantizedVector x, float[] scalesA, float[] scalesB, float[] results) {
        decodeScales(rowA, scalesA);
        results[0] = rowDot(rowA, x, scalesA);
        if (rowB != rowA) {
            decodeScales(rowB, scalesB);
        }
        results[1] = rowB == rowA ? results[0] : rowDot(rowB, x, scalesB);
    }

    private float rowDot(int row, QuantizedVector x, float[] scales) {
        int touched = 0;
        FloatVector sum = FloatVector.zero(FLOATS);
        for (int g = 0; g < groupsPerRow; g++) {
            long base = codesAt(row, g);
            int codes = g * GROUP * BLOCK_SIZE;
            IntVector firstLow = IntVector.zero(INTS), firstHigh = IntVector.zero(INTS);
            IntVector secondLow = IntVector.zero(INTS), secondHigh = IntVector.zero(INTS);
            ShortVector first = ShortVector.zero(SHORTS), second = ShortVector.zero(SHORTS);
            for (int k = 0; k < NIBBLE_CHUNKS; k++) {
                if (k % 2 == 0) {
                    touched += touchAhead(base + (long) 3 * k / 2 * GROUP);
                }
                // Value k's top bits sit at bit 0 (k < 8) or 2 of its tops chunk, value k + 16's at bit 4 or 6.
                ShortVector tops = unsignedChunk(base + (long) (NIBBLE_CHUNKS + k % TOP_CHUNKS) * GROUP)
                        .lanewise(VectorOperators.LSHL, k < TOP_CHUNKS ? 4 : 2);
                ShortVector nibbles = unsignedChunk(base + (long) k * GROUP);
                first = first.add(nibbles.and((short) 0xF).or(tops.and(TOP_BITS)).sub((short) 32).mul(x.chunk(codes + k * GROUP)));
                second = second.add(nibbles.lanewise(VectorOperators.LSHR, 4).or(tops.lanewise(VectorOperators.LSHR, 4).and(TOP_BITS)).sub((short) 32)
                        .mul(x.chunk(codes + (k + NIBBLE_CHUNKS) * GROUP)));
                if (k % TOP_CHUNKS == TOP_CHUNKS - 1) { // 8 products of at most 32 x 127 fill a 16-bit lane
                    IntVector a = first.reinterpretAsInts(), b = second.reinterpretAsInts();
                    firstLow = firstLow.add(a.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
                    firstHigh = firstHigh.add(a.lanewise(VectorOperators.ASHR, 16));
                    secondLow = secondLow.add(b.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
                    secondHigh = secondHigh.add(b.lanewise(VectorOperators.ASHR, 16));
                    first = ShortVector.zero(SHORTS);
                    second = ShortVector.zero(SHORTS);
                }
            }
            int block = g * GROUP;
            FloatVector vectorLow = FloatVector.fromArray(FLOATS, x.scales, block);
            FloatVector vectorHigh = FloatVector.fromArray(FLOATS, x.scales, block + HALF_GROUP);
            sum = ((FloatVector) firstLow.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(FLOATS, scales, block).mul(vectorLow), sum);
            sum = ((FloatVector) secondLow.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(FLOATS, scales, paddedBlocks + block).mul(vectorLow), sum);
            sum = ((FloatVector) firstHigh.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(FLOATS, scales, block + HALF_GROUP).mul(vectorHigh), sum);
            sum = ((FloatVector) secondHigh.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(FLOATS, scales, paddedBlocks + block + HALF_GROUP).mul(vectorHigh), sum);
        }
        keepTouched(scales, touched);
        return sum.reduceLanes(VectorOperators.ADD);
    }
}
