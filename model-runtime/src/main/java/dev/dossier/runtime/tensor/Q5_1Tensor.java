package dev.dossier.runtime.tensor;

import static dev.dossier.runtime.tensor.Q5_0Tensor.I32_LE;
import static dev.dossier.runtime.tensor.Q5_0Tensor.withFifthBits;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Blocks of 32 (24 bytes): an f16 scale d, an f16 offset m, a little-endian 32-bit word qh whose
 * bit j is the fifth (top) bit of value j, then 16 bytes of low 4 bits: the low nibble of byte
 * j is value j and the high nibble value j + 16. value = d * q + m, q in 0..31.
 */
public final class Q5_1Tensor extends FloatTensor {
    private static final int BLOCK_SIZE = 32;
    private static final int HALF = BLOCK_SIZE / 2;
    private static final int BLOCK_BYTES = 2 + 2 + 4 + HALF;
    private static final int QH = 4;          // byte offsets within a block
    private static final int NIBBLES = 8;

    public Q5_1Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_1;
    }

    @Override
    public float getFloat(long index) {
        long at = index / BLOCK_SIZE * BLOCK_BYTES;
        int within = (int) (index % BLOCK_SIZE);
        int packed = u8(data, at + NIBBLES + within % HALF);
        int low = within < HALF ? packed & 0xF : packed >>> 4;
        int high = (data.get(I32_LE, at + QH) >>> within) & 1;
        return f16(data, at) * (low | high << 4) + f16(data, at + 2);
    }

    /** sum((d * q + m) * x) = d * sum(q * x) + m * sum(x): d and m are applied once per block. */
    @Override
    protected float dotBlocks(long firstBlock, int blocks, float[] that, int thatOffset) {
        FloatVector acc = FloatVector.zero(F_SPECIES);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            int qh = data.get(I32_LE, at + QH);
            int x = thatOffset + b * BLOCK_SIZE;
            FloatVector sum = FloatVector.zero(F_SPECIES);
            FloatVector xSum = FloatVector.zero(F_SPECIES);
            for (int i = 0; i < HALF; i += B_SPECIES.length()) {
                ByteVector packed = loadBytes(data, at + NIBBLES + i);
                ByteVector first = withFifthBits(packed.and((byte) 0xF), qh >>> i);
                ByteVector second = withFifthBits(packed.lanewise(VectorOperators.LSHR, 4), qh >>> (HALF + i));
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
            int qh = data.get(I32_LE, at + QH);
            int o = outOffset + b * BLOCK_SIZE;
            for (int i = 0; i < HALF; i += B_SPECIES.length()) {
                ByteVector packed = loadBytes(data, at + NIBBLES + i);
                ByteVector first = withFifthBits(packed.and((byte) 0xF), qh >>> i);
                ByteVector second = withFifthBits(packed.lanewise(VectorOperators.LSHR, 4), qh >>> (HALF + i));
                for (int part = 0; part < PARTS; part++) {
                    int lane = i + part * F_SPECIES.length();
                    // d * q is exact in float (11 + 5 bits), so fusing the add rounds as getFloat does.
                    widen(first, part).fma(d, m).intoArray(out, o + lane);
                    widen(second, part).fma(d, m).intoArray(out, o + HALF + lane);
                }
            }
        }
    }

    /**
     * As Q4_1 with one more bit: m = the block's minimum, d = (max - min) / 31, q = (x - m) / d
     * rounded. Codes are taken against the unrounded d and m, as ggml does.
     */
    static void quantizeBlock(float[] values, int from, ByteBuffer out) {
        float min = Float.MAX_VALUE;
        float max = -Float.MAX_VALUE;
        for (int i = 0; i < BLOCK_SIZE; i++) {
            float v = values[from + i];
            if (v < min) min = v;   // not Math.min: ggml keeps the first of 0.0 and -0.0
            if (v > max) max = v;
        }
        float d = (max - min) / 31;
        float inverse = d != 0 ? 1 / d : 0;
        int[] q = new int[BLOCK_SIZE];
        int qh = 0;
        for (int i = 0; i < BLOCK_SIZE; i++) {
            // (max - min) / d can round to a hair above 31, never to 31.5: the cap only guards.
            q[i] = Math.min(31, (int) ((values[from + i] - min) * inverse + 0.5f));
            qh |= (q[i] >>> 4) << i;
        }
        out.putShort(Float.floatToFloat16(d));
        out.putShort(Float.floatToFloat16(min));
        out.putInt(qh);
        for (int j = 0; j < HALF; j++) {
            out.put((byte) ((q[j] & 0xF) | (q[j + HALF] & 0xF) << 4));
        }
    }
}
