package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Super-blocks of 256 (110 bytes): hmask[32] high bits, qs[64] low 2 bits, 12 bytes of 16
 * packed 6-bit scales (one per 16 values, stored plus 32), f16 d; value = d * (scale - 32) * q
 * with q in -4..3: its 2 low bits, less 4 when its high bit is clear. The 2-bit values are laid
 * out as Q2_K's (byte l of each half's 32 holds values l, l + 32, l + 64, l + 96 of the half);
 * value i's high bit is bit i / 32 of hmask[i % 32]. Scale k keeps its low 4 bits in the low
 * (k below 8) or high nibble of byte k % 8, its top 2 bits at bit 2 * (k / 4) of byte 8 + k % 4.
 */
public final class Q3_KTensor extends FloatTensor {
    private static final int BLOCK_SIZE = 256;
    private static final int BLOCK_BYTES = 110;
    private static final int QS = 32;       // byte offsets within a super-block
    private static final int SCALES = 96;
    private static final int D = 108;

    public Q3_KTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q3_K;
    }

    @Override
    public float getFloat(long index) {
        long at = index / BLOCK_SIZE * BLOCK_BYTES;
        int within = (int) (index % BLOCK_SIZE);
        return d(data, at) * (scale(at, within / 16) - 32) * (code(data, at, within) - 4);
    }

    /** The 3-bit code (0..7, the value plus 4) of value {@code within} of the super-block at byte {@code at}. */
    static int code(MemorySegment data, long at, int within) {
        int half = within / 128;
        int run = within % 128 / 32;
        int l = within % 32;
        int low = (u8(data, at + QS + half * 32 + l) >>> (2 * run)) & 3;
        int high = (u8(data, at + l) >>> (within / 32)) & 1;
        return low | high << 2;
    }

    private int scale(long at, int k) {
        return scale(data, at, k);
    }

    /** Scale {@code k} (0..15) of the super-block at byte {@code at} as stored, 0..63 (the scale plus 32). */
    static int scale(MemorySegment data, long at, int k) {
        int packed = u8(data, at + SCALES + k % 8);
        int low = k < 8 ? packed & 0xF : packed >>> 4;
        int top = (u8(data, at + SCALES + 8 + k % 4) >>> (2 * (k / 4))) & 3;
        return low | top << 4;
    }

    /** The super-block's f16 scale d. */
    static float d(MemorySegment data, long at) {
        return f16(data, at + D);
    }

    @Override
    protected float dotBlocks(long firstBlock, int blocks, float[] that, int thatOffset) {
        FloatVector acc = FloatVector.zero(F_SPECIES);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(data, at + D);
            for (int half = 0; half < 2; half++) {
                for (int l = 0; l < 32; l += B_SPECIES.length()) {
                    ByteVector packed = loadBytes(data, at + QS + half * 32 + l);
                    ByteVector high = loadBytes(data, at + l);  // one bit for each of the 8 runs of 32
                    int x = thatOffset + b * BLOCK_SIZE + half * 128 + l;
                    for (int run = 0; run < 4; run++) {
                        // A chunk of at most 16 bytes, starting at a multiple of its length, shares one scale.
                        FloatVector scale = FloatVector.broadcast(F_SPECIES, d * (scale(at, half * 8 + run * 2 + l / 16) - 32));
                        ByteVector q = values(packed, high, half, run);
                        for (int part = 0; part < PARTS; part++) {
                            int lane = part * F_SPECIES.length();
                            acc = widen(q, part).mul(scale).fma(FloatVector.fromArray(F_SPECIES, that, x + 32 * run + lane), acc);
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
            for (int half = 0; half < 2; half++) {
                for (int l = 0; l < 32; l += B_SPECIES.length()) {
                    ByteVector packed = loadBytes(data, at + QS + half * 32 + l);
                    ByteVector high = loadBytes(data, at + l);
                    int o = outOffset + b * BLOCK_SIZE + half * 128 + l;
                    for (int run = 0; run < 4; run++) {
                        FloatVector scale = FloatVector.broadcast(F_SPECIES, d * (scale(at, half * 8 + run * 2 + l / 16) - 32));
                        ByteVector q = values(packed, high, half, run);
                        for (int part = 0; part < PARTS; part++) {
                            int lane = part * F_SPECIES.length();
                            widen(q, part).mul(scale).intoArray(out, o + 32 * run + lane);
                        }
                    }
                }
            }
        }
    }

    /** The signed values -4..3 of run {@code run} of a half: 2 low bits, plus 4 if the high bit is set, less 4. */
    private static ByteVector values(ByteVector packed, ByteVector high, int half, int run) {
        ByteVector low = packed.lanewise(VectorOperators.LSHR, 2 * run).and((byte) 3);
        ByteVector topBit = high.lanewise(VectorOperators.LSHR, 4 * half + run).and((byte) 1).lanewise(VectorOperators.LSHL, 2);
        return low.or(topBit).sub((byte) 4);
    }

    /**
     * Encodes the block of values from {@code from} into {@code out}, as ggml's reference quantizer
     * (quantize_row_q3_K_ref) does: each sub-block of 16 fitted as scale * q, q in -4..3; the 16
     * scales then quantized to 6 bits against the largest, and the values requantized with them.
     */
    static void quantizeBlock(float[] values, int from, ByteBuffer out) {
        int[] codes = new int[BLOCK_SIZE];
        float[] scales = new float[16];
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int k = 0; k < 16; k++) {
            scales[k] = KQuants.fitSymmetricRefined(16, 4, values, from + 16 * k, codes, 16 * k);
            if (Math.abs(scales[k]) > maxAbsScale) {
                maxAbsScale = Math.abs(scales[k]);
                maxScale = scales[k];
            }
        }
        int[] scaleCodes = new int[16];
        short d = 0;
        if (maxScale != 0) {
            // The largest scale's sign is folded into d, so that scale is stored as -32, the end of the 6-bit range.
            float iscale = -32f / maxScale;
            for (int k = 0; k < 16; k++) {
                scaleCodes[k] = KQuants.clamp(KQuants.nearestInt(iscale * scales[k]), -32, 31) + 32;
            }
            d = Float.floatToFloat16(1 / iscale);
        } // else all-zero scale bytes and d = 0, as ggml writes them
        for (int k = 0; k < 16; k++) {
            float scale = Float.float16ToFloat(d) * (scaleCodes[k] - 32);
            if (scale == 0) {
                continue;
            }
            for (int i = 16 * k; i < 16 * k + 16; i++) {
                codes[i] = KQuants.clamp(KQuants.nearestInt(values[from + i] / scale), -4, 3) + 4;
            }
        }
        byte[] high = new byte[32];
        byte[] low = new byte[64];
        for (int i = 0; i < BLOCK_SIZE; i++) {
            if (codes[i] > 3) {
                high[i % 32] |= (byte) (1 << (i / 32));
            }
            low[i / 128 * 32 + i % 32] |= (byte) ((codes[i] & 3) << (2 * (i % 128 / 32)));
        }
        byte[] packedScales = new byte[12];
        for (int k = 0; k < 16; k++) {
            packedScales[k % 8] |= (byte) ((scaleCodes[k] & 0xF) << (k < 8 ? 0 : 4));
            packedScales[8 + k % 4] |= (byte) ((scaleCodes[k] >> 4) << (2 * (k / 4)));
        }
        out.put(high);
        out.put(low);
        out.put(packedScales);
        out.putShort(d);
    }
}
