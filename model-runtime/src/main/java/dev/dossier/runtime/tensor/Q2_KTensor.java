package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Super-blocks of 256 (84 bytes): 16 bytes of scales, one per sub-block of 16 values (scale in
 * the low nibble, min in the high one), 64 bytes of 2-bit values, then f16 d and f16 dmin.
 * value = d * scale * q - dmin * min. Each half of 128 values shares 32 bytes: for l below 32,
 * byte l holds values l, l + 32, l + 64 and l + 96 of the half in bits 0-1, 2-3, 4-5 and 6-7.
 */
public final class Q2_KTensor extends FloatTensor {
    private static final int BLOCK_SIZE = 256;
    private static final int BLOCK_BYTES = 84;
    private static final int QS = 16;       // byte offsets within a super-block
    private static final int D = 80;
    private static final int DMIN = 82;

    public Q2_KTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q2_K;
    }

    @Override
    public float getFloat(long index) {
        long at = index / BLOCK_SIZE * BLOCK_BYTES;
        int within = (int) (index % BLOCK_SIZE);
        int half = within / 128;
        int run = within % 128 / 32;  // which bit pair of the byte
        int q = (u8(data, at + QS + half * 32 + within % 32) >>> (2 * run)) & 3;
        int scales = u8(data, at + within / 16);
        return f16(data, at + D) * (scales & 0xF) * q - f16(data, at + DMIN) * (scales >>> 4);
    }

    @Override
    protected float dotBlocks(long firstBlock, int blocks, float[] that, int thatOffset) {
        FloatVector acc = FloatVector.zero(F_SPECIES);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(data, at + D);
            float dmin = f16(data, at + DMIN);
            for (int half = 0; half < 2; half++) {
                for (int l = 0; l < 32; l += B_SPECIES.length()) {
                    ByteVector packed = loadBytes(data, at + QS + half * 32 + l);
                    int x = thatOffset + b * BLOCK_SIZE + half * 128 + l;
                    for (int run = 0; run < 4; run++) {
                        int scales = scales(at, half, l, run);
                        FloatVector scale = FloatVector.broadcast(F_SPECIES, d * (scales & 0xF));
                        FloatVector min = FloatVector.broadcast(F_SPECIES, dmin * (scales >>> 4));
                        ByteVector q = packed.lanewise(VectorOperators.LSHR, 2 * run).and((byte) 3);
                        for (int part = 0; part < PARTS; part++) {
                            int lane = part * F_SPECIES.length();
                            FloatVector weights = widen(q, part).mul(scale).sub(min);
                            acc = weights.fma(FloatVector.fromArray(F_SPECIES, that, x + 32 * run + lane), acc);
                        }
                    }
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    protected void dequantizeBlocks(long firstBlock, int blocks, float[] out, int outOffset) {
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(data, at + D);
            float dmin = f16(data, at + DMIN);
            for (int half = 0; half < 2; half++) {
                for (int l = 0; l < 32; l += B_SPECIES.length()) {
                    ByteVector packed = loadBytes(data, at + QS + half * 32 + l);
                    int o = outOffset + b * BLOCK_SIZE + half * 128 + l;
                    for (int run = 0; run < 4; run++) {
                        int scales = scales(at, half, l, run);
                        FloatVector scale = FloatVector.broadcast(F_SPECIES, d * (scales & 0xF));
                        FloatVector min = FloatVector.broadcast(F_SPECIES, dmin * (scales >>> 4));
                        ByteVector q = packed.lanewise(VectorOperators.LSHR, 2 * run).and((byte) 3);
                        for (int part = 0; part < PARTS; part++) {
                            int lane = part * F_SPECIES.length();
                            widen(q, part).mul(scale).sub(min).intoArray(out, o + 32 * run + lane);
                        }
                    }
                }
            }
        }
    }

    /**
     * The scale byte of values l.. of a run. A chunk of at most 16 bytes that starts at a multiple
     * of its length stays within the 16 values one scale byte covers.
     */
    private int scales(long at, int half, int l, int run) {
        return u8(data, at + half * 8 + run * 2 + l / 16);
    }

    /**
     * Encodes the block of values from {@code from} into {@code out}, as ggml's reference quantizer
     * (quantize_row_q2_K_ref) does: each sub-block of 16 fitted as scale * q - min, q in 0..3, by
     * least absolute error weighted by |x|; scales and mins then quantized to 4 bits against the
     * largest of each, and the values requantized with the stored ones.
     */
    static void quantizeBlock(float[] values, int from, ByteBuffer out) {
        int[] codes = new int[BLOCK_SIZE];
        float[] weights = new float[16];
        float[] scales = new float[16];
        float[] mins = new float[16];
        float maxScale = 0;
        float maxMin = 0;
        for (int k = 0; k < 16; k++) {
            for (int l = 0; l < 16; l++) weights[l] = Math.abs(values[from + 16 * k + l]);
            scales[k] = KQuants.fitScaleAndMin(16, 3, values, from + 16 * k, weights, codes, 16 * k, -0.5f, 0.1f, 15, true, mins, k);
            maxScale = Math.max(maxScale, scales[k]);
            maxMin = Math.max(maxMin, mins[k]);
        }
        byte[] packedScales = new byte[16];
        short d = 0;
        short dmin = 0;
        if (maxScale > 0) {
            float iscale = 15f / maxScale;
            for (int k = 0; k < 16; k++) {
                packedScales[k] = (byte) KQuants.nearestInt(iscale * scales[k]);
            }
            d = Float.floatToFloat16(maxScale / 15f);
        }
        if (maxMin > 0) {
            float iscale = 15f / maxMin;
            for (int k = 0; k < 16; k++) {
                packedScales[k] |= (byte) (KQuants.nearestInt(iscale * mins[k]) << 4);
            }
            dmin = Float.floatToFloat16(maxMin / 15f);
        }
        for (int k = 0; k < 16; k++) {
            float scale = Float.float16ToFloat(d) * (packedScales[k] & 0xF);
            if (scale == 0) {
                continue; // every code decodes to -min: the fit's codes stay
            }
            float min = Float.float16ToFloat(dmin) * ((packedScales[k] & 0xFF) >>> 4);
            for (int i = 16 * k; i < 16 * k + 16; i++) {
                codes[i] = KQuants.clamp(KQuants.nearestInt((values[from + i] + min) / scale), 0, 3);
            }
        }
        out.put(packedScales);
        for (int half = 0; half < BLOCK_SIZE; half += 128) {
            for (int l = 0; l < 32; l++) {
                int i = half + l;
                out.put((byte) (codes[i] | codes[i + 32] << 2 | codes[i + 64] << 4 | codes[i + 96] << 6));
            }
        }
        out.putShort(d);
        out.putShort(dmin);
    }
}
