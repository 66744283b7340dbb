package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;

/**
 * {@link InterleavedTensor} for Q4_K: each sub-block of 32 is a block in a lane of its own, its
 * codes regrouped as Q4_0 keeps them (chunk k: value k in the low nibble, value k + 16 in the high
 * one), so the products are {@link InterleavedQ4_0Tensor}'s: 16-bit sums per block, two
 * accumulators. A value is {@code d * scale * q - dmin * min}; per block, {@code sum(w * x) =
 * d * scale * sum(q * x) - dmin * min * sum(x)}, where sum(x) is the 8-bit vector's block sum, so
 * the result is the exact product of the weights with the vector as rounded. The metadata keeps the
 * file's integers: a plane of 6-bit scales, one of mins (a byte each), then the super-blocks' d and
 * dmin as halves; {@link #decodeScales} turns them into {@code d * scale} and {@code -dmin * min}
 * per block, eight lanes (one super-block) at a time.
 */
public final class InterleavedQ4_KTensor extends InterleavedTensor {
    private static final int CHUNKS = BLOCK_SIZE / 2;

    InterleavedQ4_KTensor(Q4_KTensor file, MemorySegment repacked, int cols) {
        super(file, repacked, cols, 2);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    /** Scales, then negated mins. */
    @Override
    protected int scalePlanes() {
        return 2;
    }

    /**
     * One file row into a repacked row: the metadata planes (see the class comment) at {@code row[0
     * ..)}, each block's codes through {@code codes}.
     */
    static void packRow(byte[] in, byte[] row, int blocks, int paddedBlocks, CodePlacer codes) {
        MemorySegment file = MemorySegment.ofArray(in);
        int superBlocks = paddedBlocks / BLOCKS_PER_SUPER;
        for (int s = 0; s < blocks / BLOCKS_PER_SUPER; s++) {
            long at = (long) s * GgmlType.Q4_K.bytesPerBlock();
            putHalf(row, 2 * paddedBlocks + 2 * s, file, at);
            putHalf(row, 2 * paddedBlocks + 2 * (superBlocks + s), file, at + 2);
            for (int j = 0; j < BLOCKS_PER_SUPER; j++) {
                int b = s * BLOCKS_PER_SUPER + j;
                row[b] = (byte) Q4_KTensor.scale(file, at, j);
                row[paddedBlocks + b] = (byte) Q4_KTensor.min(file, at, j);
                for (int k = 0; k < CHUNKS; k++) {
                    int first = Q4_KTensor.code(file, at, j * BLOCK_SIZE + k);
                    int second = Q4_KTensor.code(file, at, j * BLOCK_SIZE + k + CHUNKS);
                    codes.put(b, k, first | second << 4);
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
        for (int k = 0; k < CHUNKS; k++) {
            ShortVector packed = (ShortVector) ByteVector.fromMemorySegment(CHUNK, repacked, at + (long) k * GROUP, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, SHORTS, 0);
            ShortVector low = packed.and((short) 0xF);
            ShortVector high = packed.lanewise(VectorOperators.LSHR, 4);
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
     * {@link InterleavedQ4_0Tensor#rowDots}'s products; the mins come once per group from the
     * vector's block sums. Written out in one method on purpose, as that one is.
     */
    @Override
    protected void rowDots(int rowA, int rowB, QuantizedVector x, float[] scalesA, float[] scalesB, float[] results) {
        decodeScales(rowA, scalesA);
        decodeScales(rowB, scalesB);
        int touched = 0;
        FloatVector sumA = FloatVector.zero(FLOATS);
        FloatVector sumB = FloatVector.zero(FLOATS);
        for (int g = 0; g < groupsPerRow; g++) {
            long baseA = codesAt(rowA, g);
            long baseB = codesAt(rowB, g);
            int codes = g * GROUP * BLOCK_SIZE;
            ShortVector lowA = ShortVector.zero(SHORTS);
            ShortVector highA = ShortVector.zero(SHORTS);
            ShortVector lowB = ShortVector.zero(SHORTS);
            ShortVector highB = ShortVector.zero(SHORTS);
            for (int k = 0; k < CHUNKS; k++) {
                if (k % CHUNKS_PER_LINE == 0) {
                    touched += touchAhead(baseA + (long) k * GROUP) + touchAhead(baseB + (long) k * GROUP);
                }
                ShortVector lowCodes = x.chunk(codes + k * GROUP);
                ShortVector highCodes = x.chunk(codes + (k + CHUNKS) * GROUP);
                ShortVector packedA = (ShortVector) ByteVector.fromMemorySegment(CHUNK, repacked, baseA + (long) k * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SHORTS, 0);
                ShortVector packedB = (ShortVector) ByteVector.fromMemorySegment(CHUNK, repacked, baseB + (long) k * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SHORTS, 0);
                lowA = lowA.add(packedA.and((short) 0xF).mul(lowCodes));
                highA = highA.add(packedA.lanewise(VectorOperators.LSHR, 4).mul(highCodes));
                lowB = lowB.add(packedB.and((short) 0xF).mul(lowCodes));
                highB = highB.add(packedB.lanewise(VectorOperators.LSHR, 4).mul(highCodes));
            }
            int block = g * GROUP;
            FloatVector vectorLow = FloatVector.fromArray(FLOATS, x.scales, block);
            FloatVector vectorHigh = FloatVector.fromArray(FLOATS, x.scales, block + HALF_GROUP);
            FloatVector vectorSumLow = ((FloatVector) IntVector.fromArray(INTS, x.sums, block).convert(VectorOperators.I2F, 0)).mul(vectorLow);
            FloatVector vectorSumHigh = ((FloatVector) IntVector.fromArray(INTS, x.sums, block + HALF_GROUP).convert(VectorOperators.I2F, 0)).mul(vectorHigh);
            // The accumulators read as ints, their halves shifted out here, as InterleavedQ4_0Tensor does and for its reason.
            IntVector a = lowA.reinterpretAsInts(), b = highA.reinterpretAsInts();
            IntVector sums = a.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(b.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
            sumA = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(FLOATS, scalesA, block).mul(vectorLow), sumA);
            sumA = FloatVector.fromArray(FLOATS, scalesA, paddedBlocks + block).fma(vectorSumLow, sumA);
            sums = a.lanewise(VectorOperators.ASHR, 16).add(b.lanewise(VectorOperators.ASHR, 16));
            sumA = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(FLOATS, scalesA, block + HALF_GROUP).mul(vectorHigh), sumA);
            sumA = FloatVector.fromArray(FLOATS, scalesA, paddedBlocks + block + HALF_GROUP).fma(vectorSumHigh, sumA);
            a = lowB.reinterpretAsInts(); b = highB.reinterpretAsInts();
            sums = a.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(b.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16));
            sumB = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(FLOATS, scalesB, block).mul(vectorLow), sumB);
            sumB = FloatVector.fromArray(FLOATS, scalesB, paddedBlocks + block).fma(vectorSumLow, sumB);
            sums = a.lanewise(VectorOperators.ASHR, 16).add(b.lanewise(VectorOperators.ASHR, 16));
            sumB = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(FLOATS, scalesB, block + HALF_GROUP).mul(vectorHigh), sumB);
            sumB = FloatVector.fromArray(FLOATS, scalesB, paddedBlocks + block + HALF_GROUP).fma(vectorSumHigh, sumB);
        }
        keepTouched(scalesA, touched);
        results[0] = sumA.reduceLanes(VectorOperators.ADD);
        results[1] = sumB.reduceLanes(VectorOperators.ADD);
    }
}
