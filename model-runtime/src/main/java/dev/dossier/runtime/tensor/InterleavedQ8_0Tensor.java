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
 * {@link InterleavedTensor} for Q8_0: 32 chunks per group, chunk k holding value k of each block.
 * Two 8-bit products already fill 16 bits (2 x 128 x 127 = 32512), so products are added in
 * pairs as shorts and then widened into 32-bit sums, one per block, by shifts within each lane
 * ({@link #firstHalf}, {@link #secondHalf}). Widened across the vector instead (a shuffle per
 * pair), the kernel ran a third slower than the file-order float kernel on AVX2 (BENCHMARKS.md,
 * session 11); within the lanes it runs 1.5x faster than that kernel (session 14).
 */
public final class InterleavedQ8_0Tensor extends InterleavedTensor {
    private static final int CHUNKS = BLOCK_SIZE;

    InterleavedQ8_0Tensor(Q8_0Tensor file, MemorySegment repacked, int cols) {
        super(file, repacked, cols, 1);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    protected void decodeGroup(long at, float[] scales, int firstScale, int blocks, float[] out, int outOffset) {
        FloatVector firstScales = FloatVector.fromArray(FLOATS, scales, firstScale);
        FloatVector secondScales = FloatVector.fromArray(FLOATS, scales, firstScale + HALF_GROUP);
        int o = outOffset;
        for (int k = 0; k < CHUNKS; k++) {
            ShortVector codes = widened(at + (long) k * GROUP);
            ((FloatVector) firstHalf(codes).convert(VectorOperators.I2F, 0)).mul(firstScales).intoArray(out, o);
            if (blocks == GROUP) {
                ((FloatVector) secondHalf(codes).convert(VectorOperators.I2F, 0)).mul(secondScales).intoArray(out, o + HALF_GROUP);
            }
            o += blocks;
        }
    }

    /** Written out in one method on purpose, as {@link InterleavedQ4_0Tensor#rowDots} is. */
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
            IntVector lowA = IntVector.zero(INTS);
            IntVector highA = IntVector.zero(INTS);
            IntVector lowB = IntVector.zero(INTS);
            IntVector highB = IntVector.zero(INTS);
            for (int k = 0; k < CHUNKS; k += 2) {
                if (k % CHUNKS_PER_LINE == 0) {
                    touched += touchAhead(baseA + (long) k * GROUP) + touchAhead(baseB + (long) k * GROUP);
                }
                ShortVector x0 = x.chunk(codes + k * GROUP);
                ShortVector x1 = x.chunk(codes + (k + 1) * GROUP);
                ShortVector pairA = widened(baseA + (long) k * GROUP).mul(x0).add(widened(baseA + (long) (k + 1) * GROUP).mul(x1));
                ShortVector pairB = widened(baseB + (long) k * GROUP).mul(x0).add(widened(baseB + (long) (k + 1) * GROUP).mul(x1));
                lowA = lowA.add(firstHalf(pairA));
                highA = highA.add(secondHalf(pairA));
                lowB = lowB.add(firstHalf(pairB));
                highB = highB.add(secondHalf(pairB));
            }
            int block = g * GROUP;
            FloatVector vectorLow = FloatVector.fromArray(FLOATS, x.scales, block);
            FloatVector vectorHigh = FloatVector.fromArray(FLOATS, x.scales, block + HALF_GROUP);
            sumA = ((FloatVector) lowA.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(FLOATS, scalesA, block).mul(vectorLow), sumA);
            sumA = ((FloatVector) highA.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(FLOATS, scalesA, block + HALF_GROUP).mul(vectorHigh), sumA);
            sumB = ((FloatVector) lowB.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(FLOATS, scalesB, block).mul(vectorLow), sumB);
            sumB = ((FloatVector) highB.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(FLOATS, scalesB, block + HALF_GROUP).mul(vectorHigh), sumB);
        }
        keepTouched(scalesA, touched);
        results[0] = sumA.reduceLanes(VectorOperators.ADD);
        results[1] = sumB.reduceLanes(VectorOperators.ADD);
    }

    /** The chunk of {@link #GROUP} codes at byte {@code at}, widened to shorts. */
    private ShortVector widened(long at) {
        return (ShortVector) ByteVector.fromMemorySegment(CHUNK, repacked, at, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2S, SHORTS, 0);
    }
}
