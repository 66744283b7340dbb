package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Blocks of 32 (18 bytes): an f16 scale, then 16 bytes of 4-bit values; the low nibbles are
 * values 0..15 and the high nibbles values 16..31. value = scale * (q - 8).
 */
public final class Q4_0Tensor extends FloatTensor {
    private static final int BLOCK_SIZE = 32;
    private static final int HALF = BLOCK_SIZE / 2;
    private static final int BLOCK_BYTES = 2 + HALF;

    public Q4_0Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public float getFloat(long index) {
        long at = index / BLOCK_SIZE * BLOCK_BYTES;
        int within = (int) (index % BLOCK_SIZE);
        int packed = u8(data, at + 2 + within % HALF);
        int q = within < HALF ? packed & 0xF : packed >>> 4;
        return f16(data, at) * (q - 8);
    }

    /**
     * Each block's products are summed unscaled and multiplied by its scale once; the -8 offset is
     * taken out of the loop too: sum((q - 8) * x) = sum(q * x) - 8 * sum(x).
     */
    @Override
    protected float dotBlocks(long firstBlock, int blocks, float[] that, int thatOffset) {
        FloatVector acc = FloatVector.zero(F_SPECIES);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            int x = thatOffset + b * BLOCK_SIZE;
            FloatVector sum = FloatVector.zero(F_SPECIES);
            FloatVector xSum = FloatVector.zero(F_SPECIES);
            for (int i = 0; i < HALF; i += B_SPECIES.length()) {
                ByteVector packed = loadBytes(data, at + 2 + i);
                for (int part = 0; part < PARTS; part++) {
                    int lane = x + i + part * F_SPECIES.length();
                    FloatVector first = FloatVector.fromArray(F_SPECIES, that, lane);
                    FloatVector second = FloatVector.fromArray(F_SPECIES, that, lane + HALF);
                    xSum = xSum.add(first).add(second);
                    sum = low(packed, part).fma(first, high(packed, part).fma(second, sum));
                }
            }
            acc = xSum.mul(-8f).add(sum).fma(FloatVector.broadcast(F_SPECIES, f16(data, at)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /** The low nibbles (values 0..15 of the block) of {@code packed}, part {@code part}, as floats q (no -8). */
    private static FloatVector low(ByteVector packed, int part) {
        return widen(packed.and((byte) 0xF), part);
    }

    /** The high nibbles (values 16..31 of the block), part {@code part}, as floats q (no -8). */
    private static FloatVector high(ByteVector packed, int part) {
        return widen(packed.lanewise(VectorOperators.LSHR, 4), part);
    }

    @Override
    protected void dequantizeBlocks(long firstBlock, int blocks, float[] out, int outOffset) {
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            FloatVector scale = FloatVector.broadcast(F_SPECIES, f16(data, at));
            int o = outOffset + b * BLOCK_SIZE;
            for (int i = 0; i < HALF; i += B_SPECIES.length()) {
                ByteVector packed = loadBytes(data, at + 2 + i);
                ByteVector first = packed.and((byte) 0xF).sub((byte) 8);
                ByteVector second = packed.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
                for (int part = 0; part < PARTS; part++) {
                    int lane = i + part * F_SPECIES.length();
                    widen(first, part).mul(scale).intoArray(out, o + lane);
                    widen(second, part).mul(scale).intoArray(out, o + HALF + lane);
                }
            }
        }
    }
}
