package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Super-blocks of 256 (210 bytes): ql[128] low 4 bits, qh[64] high 2 bits, 16 signed 8-bit
 * scales (one per 16 values), f16 d; value = d * scale * (q - 32). Each half of 128 values uses
 * 64 bytes of ql, 32 of qh and 8 scales: for l below 32, ql[l] holds values l (low nibble) and
 * l + 64 (high), ql[l + 32] values l + 32 and l + 96, and qh[l] the top bits of all four.
 */
public final class Q6_KTensor extends FloatTensor {
    private static final int BLOCK_SIZE = 256;
    private static final int BLOCK_BYTES = 210;
    private static final int QH = 128;      // byte offsets within a super-block
    private static final int SCALES = 192;
    private static final int D = 208;

    public Q6_KTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public float getFloat(long index) {
        long at = index / BLOCK_SIZE * BLOCK_BYTES;
        int within = (int) (index % BLOCK_SIZE);
        return f16(data, at + D) * scale(data, at, within / 16) * code(data, at, within);
    }

    /** The signed 6-bit code (-32..31) of value {@code within} of the super-block at byte {@code at}. */
    static int code(MemorySegment data, long at, int within) {
        int half = within / 128;
        int quarter = within % 128 / 32;  // which of the four 32-value runs of the half
        int l = within % 32;
        int low = u8(data, at + half * 64 + l + (quarter % 2) * 32);
        low = quarter < 2 ? low & 0xF : low >>> 4;
        int high = (u8(data, at + QH + half * 32 + l) >>> (2 * quarter)) & 3;
        return (low | high << 4) - 32;
    }

    /** The 8-bit scale of values 16 k .. 16 k + 15 of the super-block at byte {@code at}. */
    static int scale(MemorySegment data, long at, int k) {
        return data.get(ValueLayout.JAVA_BYTE, at + SCALES + k);
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
                    ByteVector lowFirst = loadBytes(data, at + half * 64 + l);        // runs 0 (low nibbles) and 2 (high)
                    ByteVector lowSecond = loadBytes(data, at + half * 64 + 32 + l);  // runs 1 and 3
                    ByteVector high = loadBytes(data, at + QH + half * 32 + l);       // 2 bits for each run
                    int x = thatOffset + b * BLOCK_SIZE + half * 128 + l;
                    acc = fma(run(lowFirst.and((byte) 0xF), high, 0), d * scale(at, half, l, 0), that, x, acc);
                    acc = fma(run(lowSecond.and((byte) 0xF), high, 1), d * scale(at, half, l, 1), that, x + 32, acc);
                    acc = fma(run(lowFirst.lanewise(VectorOperators.LSHR, 4), high, 2), d * scale(at, half, l, 2), that, x + 64, acc);
                    acc = fma(run(lowSecond.lanewise(VectorOperators.LSHR, 4), high, 3), d * scale(at, half, l, 3), that, x + 96, acc);
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
                    ByteVector lowFirst = loadBytes(data, at + half * 64 + l);
                    ByteVector lowSecond = loadBytes(data, at + half * 64 + 32 + l);
                    ByteVector high = loadBytes(data, at + QH + half * 32 + l);
                    int o = outOffset + b * BLOCK_SIZE + half * 128 + l;
                    store(run(lowFirst.and((byte) 0xF), high, 0), d * scale(at, half, l, 0), out, o);
                    store(run(lowSecond.and((byte) 0xF), high, 1), d * scale(at, half, l, 1), out, o + 32);
                    store(run(lowFirst.lanewise(VectorOperators.LSHR, 4), high, 2), d * scale(at, half, l, 2), out, o + 64);
                    store(run(lowSecond.lanewise(VectorOperators.LSHR, 4), high, 3), d * scale(at, half, l, 3), out, o + 96);
                }
            }
        }
    }

    /** The signed 6-bit values of run {@code run}: its 4 low bits plus its 2 bits of {@code high}, less 32. */
    private static ByteVector run(ByteVector lowBits, ByteVector high, int run) {
        ByteVector topBits = high.lanewise(VectorOperators.LSHR, 2 * run).and((byte) 3).lanewise(VectorOperators.LSHL, 4);
        return lowBits.or(topBits).sub((byte) 32);
    }

    /**
     * The scale of values l.. of a run. A chunk of at most 16 bytes that starts at a multiple of
     * its length stays within the 16 values one scale covers.
     */
    private int scale(long at, int half, int l, int run) {
        return data.get(ValueLayout.JAVA_BYTE, at + SCALES + half * 8 + l / 16 + 2 * run);
    }

    private static FloatVector fma(ByteVector q, float scale, float[] that, int x, FloatVector acc) {
        FloatVector scaleVector = FloatVector.broadcast(F_SPECIES, scale);
        for (int part = 0; part < PARTS; part++) {
            FloatVector weights = widen(q, part).mul(scaleVector);
            acc = weights.fma(FloatVector.fromArray(F_SPECIES, that, x + part * F_SPECIES.length()), acc);
        }
        return acc;
    }

    private static void store(ByteVector q, float scale, float[] out, int o) {
        FloatVector scaleVector = FloatVector.broadcast(F_SPECIES, scale);
        for (int part = 0; part < PARTS; part++) {
            widen(q, part).mul(scaleVector).intoArray(out, o + part * F_SPECIES.length());
        }
    }

    /**
     * Encodes the block of values from {@code from} into {@code out}, as ggml's reference quantizer
     * (quantize_row_q6_K_ref) does: each run of 16 fitted as scale * q, q in -32..31; the 16
     * scales then quantized to 8 bits against the largest, and the values requantized with them.
     */
    static void quantizeBlock(float[] values, int from, ByteBuffer out) {
        int[] codes = new int[256];
        float[] scales = new float[16];
        float maxScale = 0;
        float maxAbsScale = 0;
        for (int k = 0; k < 16; k++) {
            scales[k] = KQuants.fitSymmetric(16, 32, values, from + 16 * k, codes, 16 * k);
            if (Math.abs(scales[k]) > maxAbsScale) {
                maxAbsScale = Math.abs(scales[k]);
                maxScale = scales[k];
            }
        }
        if (maxAbsScale < KQuants.GROUP_MAX_EPS) {
            out.put(new byte[BLOCK_BYTES]); // d = 0: all zeros
            return;
        }
        // The largest scale's sign is folded into d, so that scale is stored as -128, the full int8 range.
        float iscale = -128f / maxScale;
        short d = Float.floatToFloat16(1 / iscale);
        byte[] scaleCodes = new byte[16];
        for (int k = 0; k < 16; k++) {
            scaleCodes[k] = (byte) Math.min(127, KQuants.nearestInt(iscale * scales[k]));
            float scale = Float.float16ToFloat(d) * scaleCodes[k];
            if (scale == 0) {
                continue;
            }
            for (int i = 16 * k; i < 16 * k + 16; i++) {
                codes[i] = KQuants.clamp(KQuants.nearestInt(values[from + i] / scale), -32, 31) + 32;
            }
        }
        byte[] low = new byte[128];
        byte[] high = new byte[64];
        for (int i = 0; i < 256; i++) {
            int half = i / 128;
            int run = i % 128 / 32;
            int l = i % 32;
            low[half * 64 + l + (run % 2) * 32] |= (byte) ((codes[i] & 0xF) << (4 * (run / 2)));
            high[half * 32 + l] |= (byte) ((codes[i] >> 4) << (2 * run));
        }
        out.put(low);
        out.put(high);
        out.put(scaleCodes);
        out.putShort(d);
    }
}
