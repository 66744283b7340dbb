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
 * pairs as shorts and then widened into 32-bit sums, one per block and lane.
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
        int o = outOffset;
        for (int k = 0; k < CHUNKS; k++) {
            for (int part = 0; part < blocks / HALF_GROUP; part++) {
                // A half chunk per load keeps the conversion's part the constant 0: a variable part leaves the compiler's fast path.
                ByteVector codes = ByteVector.fromMemorySegment(HALF_CHUNK, repacked, at + (long) k * GROUP + part * HALF_GROUP, ByteOrder.LITTLE_ENDIAN);
                ((FloatVector) codes.convertShape(VectorOperators.B2F, FLOATS, 0))
                        .mul(FloatVector.fromArray(FLOATS, scales, firstScale + part * HALF_GROUP))
                        .intoArray(out, o + part * HALF_GROUP);
            }
            o += blocks;
        }
    }

    /** Written out in one method on purpose, as {@link InterleavedQ4_0Tensor#rowDot} is. */
    @Override
    protected float rowDot(int row, QuantizedVector x, float[] scales) {
        decodeScales(row, scales);
        int touched = 0;
        FloatVector first = FloatVector.zero(FLOATS);
        FloatVector second = FloatVector.zero(FLOATS);
        for (int g = 0; g < groupsPerRow; g++) {
            long base = codesAt(row, g);
            int codes = g * GROUP * BLOCK_SIZE;
            IntVector low = IntVector.zero(INTS);
            IntVector high = IntVector.zero(INTS);
            for (int k = 0; k < CHUNKS; k += 2) {
                touched += touchAhead(base + (long) k * GROUP);
                ShortVector even = (ShortVector) ByteVector.fromMemorySegment(CHUNK, repacked, base + (long) k * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, SHORTS, 0);
                ShortVector odd = (ShortVector) ByteVector.fromMemorySegment(CHUNK, repacked, base + (long) (k + 1) * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.B2S, SHORTS, 0);
                ShortVector pair = even.mul(ShortVector.fromArray(SHORTS, x.codes, codes + k * GROUP))
                        .add(odd.mul(ShortVector.fromArray(SHORTS, x.codes, codes + (k + 1) * GROUP)));
                low = low.add((IntVector) pair.convertShape(VectorOperators.S2I, INTS, 0));
                high = high.add((IntVector) pair.convertShape(VectorOperators.S2I, INTS, 1));
            }
            int block = g * GROUP;
            first = ((FloatVector) low.convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(FLOATS, scales, block).mul(FloatVector.fromArray(FLOATS, x.scales, block)), first);
            second = ((FloatVector) high.convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(FLOATS, scales, block + HALF_GROUP).mul(FloatVector.fromArray(FLOATS, x.scales, block + HALF_GROUP)), second);
        }
        keepTouched(scales, touched);
        return first.add(second).reduceLanes(VectorOperators.ADD);
    }
}
