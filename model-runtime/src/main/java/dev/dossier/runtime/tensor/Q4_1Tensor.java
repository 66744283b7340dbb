package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Blocks of 32 (20 bytes): an f16 scale d, an f16 offset m, then 16 bytes of unsigned 4-bit
 * codes; the low nibble of byte j is value j and the high nibble value j + 16.
 * value = d * q + m, so a block spans [m, m + 15d] and need not be centred on zero.
 */
public final class Q4_1Tensor extends FloatTensor {
    private static final int BLOCK_SIZE = 32;
    private static final int HALF = BLOCK_SIZE / 2;
    private static final int BLOCK_BYTES = 2 + 2 + HALF;
    private static final int NIBBLES = 4;     // byte offset of the packed codes

    public Q4_1Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_1;
    }

    @Override
    public float getFloat(long index) {
        long at = index / BLOCK_SIZE * BLOCK_BYTES;
        int within = (int) (index % BLOCK_SIZE);
        int packed = u8(data, at + NIBBLES + within % HALF);
        int q = within < HALF ? packed & 0xF : packed >>> 4;
        return f16(data, at) * q + f16(data, at + 2);
    }

    /**
     * sum((d * q + m) * x) = d * sum(q * x) + m * sum(x): each block's code products and its
     * plain sum of x are accumulated unscaled, and d and m applied once per block.
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
                ByteVector packed = loadBytes(data, at + NIBBLES + i);
                ByteVector first = packed.and((byte) 0xF);
                ByteVector second = packed.lanewise(VectorOperators.LSHR, 4);
                for (int part = 0; part < PARTS; part++) {
                    int lane = x + i + part * F_SPECIES.length();
                    FloatVector firstX = FloatVector.fromArray(F_SPECIES, that, lane);
                    FloatVector secondX = FloatVector.fromArray(F_SPECIES, that, lane + HALF);
                    xSum = xSum.add(firstX).add(secondX);
                    sum = widen(first, part).fma(firstX, widen(second, part).fma(secondX, sum));
                }
            }
            acc = sum.fma(FloatVector.broadcast(F_SPECIES, f16(data, at)), acc);
            acc = xSum.fma(FloatVector.broadcast(F_SPECIES, f16(data, at + 2)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    protected void dequantizeBlocks(long firstBlock, int blocks, float[] out, int outOffset) {
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            FloatVector d = FloatVector.broadcast(F_SPECIES, f16(data, at));
            FloatVector m = FloatVector.broadcast(F_SPECIES, f16(data, at + 2));
            int o = outOffset + b * BLOCK_SIZE;
            for (int i = 0; i < HALF; i += B_SPECIES.length()) {
                ByteVector packed = loadBytes(data, at + NIBBLES + i);
                ByteVector first = packed.and((byte) 0xF);
                ByteVector second = packed.lanewise(VectorOperators.LSHR, 4);
                for (int part = 0; part < PARTS; part++) {
                    int lane = i + part * F_SPECIES.length();
                    // d * q is exact in float (11 + 4 bits), so the fused and the unfused sum agree with getFloat.
                    widen(first, part).fma(d, m).intoArray(out, o + lane);
                    widen(second, part).fma(d, m).intoArray(out, o + HALF + lane);
                }
            }
        }
    }

    /**
     * m = the block's minimum and d = (max - min) / 15, so the 16 codes span the block exactly;
     * q = (x - m) / d, rounded, capped at 15. Codes are taken against the unrounded d and m, as
     * ggml does, though the block stores them as f16.
     */
    static void quantizeBlock(float[] values, int from, ByteBuffer out) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int i = 0; i < BLOCK_SIZE; i++) {
            float v = values[from + i];
            if (v < min) min = v;   // not Math.min: ggml keeps the first of 0.0 and -0.0
            if (v > max) max = v;
        }
        float d = (max - min) / 15;
        float inverse = d != 0 ? 1 / d : 0;
        out.putShort(Float.floatToFloat16(d));
        out.putShort(Float.floatToFloat16(min));
        for (int j = 0; j < HALF; j++) {
            int first = Math.min(15, (int) ((values[from + j] - min) * inverse + 0.5f));
            int second = Math.min(15, (int) ((values[from + HALF + j] - min) * inverse + 0.5f));
            out.put((byte) (first | second << 4));
        }
    }
}
