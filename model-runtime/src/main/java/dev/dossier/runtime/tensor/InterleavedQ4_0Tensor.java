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
 * {@link InterleavedTensor} for Q4_0: 16 chunks per group, chunk k holding value k of each block in
 * its low nibble and value k + 16 in its high one. A block's products add up in its own 16-bit
 * lane, values 0-15 and 16-31 in two accumulators (each at most 16 x 15 x 127 = 30480, so nothing
 * overflows); the -8 offset comes once per group from the vector's block sums. About 4 vector
 * instructions per block instead of the file-order kernel's 14.
 */
public final class InterleavedQ4_0Tensor extends InterleavedTensor {
    private static final int CHUNKS = BLOCK_SIZE / 2;

    InterleavedQ4_0Tensor(Q4_0Tensor file, MemorySegment repacked, int cols) {
        super(file, repacked, cols, 2);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    protected void decodeGroup(long at, float[] scales, int firstScale, int blocks, float[] out, int outOffset) {
        FloatVector firstScales = FloatVector.fromArray(FLOATS, scales, firstScale);
        FloatVector secondScales = FloatVector.fromArray(FLOATS, scales, firstScale + HALF_GROUP);
        int o = outOffset;
        for (int k = 0; k < CHUNKS; k++) {
            ShortVector packed = (ShortVector) ByteVector.fromMemorySegment(CHUNK, repacked, at + (long) k * GROUP, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.ZERO_EXTEND_B2S, SHORTS, 0);
            ShortVector low = packed.and((short) 0xF).sub((short) 8);
            ShortVector high = packed.lanewise(VectorOperators.LSHR, 4).sub((short) 8);
            ((FloatVector) firstHalf(low).convert(VectorOperators.I2F, 0)).mul(firstScales).intoArray(out, o);
            ((FloatVector) firstHalf(high).convert(VectorOperators.I2F, 0)).mul(firstScales).intoArray(out, o + blocks);
            if (blocks == GROUP) {
                ((FloatVector) secondHalf(low).convert(VectorOperators.I2F, 0)).mul(secondScales).intoArray(out, o + HALF_GROUP);
                ((FloatVector) secondHalf(high).convert(VectorOperators.I2F, 0)).mul(secondScales).intoArray(out, o + blocks + HALF_GROUP);
            }
            o += 2 * blocks;
        }
    }

    /**
     * The -8 offset comes out as 8 x the vector's block sums. Written out in one method on purpose:
     * every Vector API call must be inlined for its vectors to stay in registers, and helper
     * methods that carry vectors in or out between them cost the kernel a third of its speed
     * (BENCHMARKS.md, session 8). Small loads such as {@link QuantizedVector#chunk} inline and
     * measured the same (session 12).
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
            IntVector offsetLow = IntVector.fromArray(INTS, x.sums, block).lanewise(VectorOperators.LSHL, 3);
            IntVector offsetHigh = IntVector.fromArray(INTS, x.sums, block + HALF_GROUP).lanewise(VectorOperators.LSHL, 3);
            FloatVector scaleLow = FloatVector.fromArray(FLOATS, x.scales, block);
            FloatVector scaleHigh = FloatVector.fromArray(FLOATS, x.scales, block + HALF_GROUP);
            // Each accumulator read as ints: the group's first half of blocks in the low shorts, its second
            // half in the high ones (firstHalf, secondHalf), shifted out here: through those helpers this
            // method compiled into a kernel 6x slower (BENCHMARKS.md, session 14).
            IntVector a = lowA.reinterpretAsInts(), b = highA.reinterpretAsInts();
            IntVector sums = a.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(b.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).sub(offsetLow);
            sumA = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(FLOATS, scalesA, block).mul(scaleLow), sumA);
            sums = a.lanewise(VectorOperators.ASHR, 16).add(b.lanewise(VectorOperators.ASHR, 16)).sub(offsetHigh);
            sumA = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(FLOATS, scalesA, block + HALF_GROUP).mul(scaleHigh), sumA);
            a = lowB.reinterpretAsInts(); b = highB.reinterpretAsInts();
            sums = a.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)
                    .add(b.lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16)).sub(offsetLow);
            sumB = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(FLOATS, scalesB, block).mul(scaleLow), sumB);
            sums = a.lanewise(VectorOperators.ASHR, 16).add(b.lanewise(VectorOperators.ASHR, 16)).sub(offsetHigh);
            sumB = ((FloatVector) sums.convert(VectorOperators.I2F, 0)).fma(FloatVector.fromArray(FLOATS, scalesB, block + HALF_GROUP).mul(scaleHigh), sumB);
        }
        keepTouched(scalesA, touched);
        results[0] = sumA.reduceLanes(VectorOperators.ADD);
        results[1] = sumB.reduceLanes(VectorOperators.ADD);
    }
}
