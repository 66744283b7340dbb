package dev.dossier.runtime.tensor;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.util.Arrays;

/**
 * The searches behind ggml's reference K-quant quantizers (ggml-quants.c: nearest_int,
 * make_qkx2_quants, make_qx_quants, make_q3_quants), and the 6-bit scale and min packing that
 * Q4_K and Q5_K share. Arithmetic stays in float and in ggml's order, so the codes come out as
 * llama.cpp's do (up to any multiply-adds its compiler fuses).
 */
final class KQuants {
    /** ggml's GROUP_MAX_EPS: a group whose largest magnitude is below this is all zeros. */
    static final float GROUP_MAX_EPS = 1e-15f;

    private KQuants() {
    }

    /** Rounds to the nearest integer, ties to even, as ggml's nearest_int (which adds 1.5 * 2^23 and reads the mantissa). */
    static int nearestInt(float value) {
        return (int) Math.rint(value);
    }

    static int clamp(int value, int min, int max) {
        return Math.max(min, Math.min(max, value));
    }

    /**
     * Fits {@code n} values from {@code x[from]} as {@code scale * L - min} with codes L in
     * 0..nmax and min at least 0 (ggml's make_qkx2_quants): first over the values' full range, then
     * for each of {@code nstep + 1} grids stretched by {@code rmin + rdelta * step} levels it solves
     * the weighted least squares for scale and min, keeping the fit of least weighted absolute
     * ({@code useMad}) or squared error. Writes the codes to {@code codes[codesFrom..]} and the
     * min to {@code mins[sub]}; returns the scale.
     */
    static float fitScaleAndMin(int n, int nmax, float[] x, int from, float[] weights, int[] codes, int codesFrom,
                                float rmin, float rdelta, int nstep, boolean useMad, float[] mins, int sub) {
        float min = x[from];
        float max = x[from];
        float sumW = weights[0];
        float sumX = sumW * x[from];
        for (int i = 1; i < n; i++) {
            float v = x[from + i];
            if (v < min) min = v;
            if (v > max) max = v;
            sumW += weights[i];
            sumX += weights[i] * v;
        }
        if (min > 0) {
            min = 0; // the stored min is subtracted, so it can only lower the grid
        }
        if (max == min) {
            Arrays.fill(codes, codesFrom, codesFrom + n, 0);
            mins[sub] = -min;
            return 0;
        }
        float iscale = nmax / (max - min);
        float scale = 1 / iscale;
        float bestError = 0;
        for (int i = 0; i < n; i++) {
            int l = clamp(nearestInt(iscale * (x[from + i] - min)), 0, nmax);
            codes[codesFrom + i] = l;
            bestError += weights[i] * error(scale * l + min - x[from + i], useMad);
        }
        if (nstep < 1) {
            mins[sub] = -min;
            return scale;
        }
        int[] trial = new int[n];
        for (int step = 0; step <= nstep; step++) {
            iscale = (rmin + rdelta * step + nmax) / (max - min);
            float sumL = 0;
            float sumL2 = 0;
            float sumXL = 0;
            for (int i = 0; i < n; i++) {
                int l = clamp(nearestInt(iscale * (x[from + i] - min)), 0, nmax);
                trial[i] = l;
                float w = weights[i];
                sumL += w * l;
                sumL2 += w * l * l;
                sumXL += w * l * x[from + i];
            }
            float det = sumW * sumL2 - sumL * sumL;
            if (det > 0) {
                float trialScale = (sumW * sumXL - sumX * sumL) / det;
                float trialMin = (sumL2 * sumX - sumL * sumXL) / det;
                if (trialMin > 0) {
                    trialMin = 0;
                    trialScale = sumXL / sumL2;
                }
                float error = 0;
                for (int i = 0; i < n; i++) {
                    error += weights[i] * error(trialScale * trial[i] + trialMin - x[from + i], useMad);
                }
                if (error < bestError) {
                    System.arraycopy(trial, 0, codes, codesFrom, n);
                    bestError = error;
                    scale = trialScale;
                    min = trialMin;
                }
            }
        }
        mins[sub] = -min;
        return scale;
    }

    private static float error(float diff, boolean absolute) {
        return absolute ? Math.abs(diff) : diff * diff;
    }

    /**
     * Fits {@code n} values as {@code scale * (L - nmax)}, L in 0..2 nmax - 1, weighting each
     * value by its square (ggml's make_qx_quants with rmse_type 1): the grid that puts the value
     * of largest magnitude at -nmax, then 18 grids with that end moved by up to ±0.9 levels, each
     * scored by its least-squares scale; returns the best one's scale. An all-zero group gets
     * codes 0 and scale 0.
     */
    static float fitSymmetric(int n, int nmax, float[] x, int from, int[] codes, int codesFrom) {
        float max = extreme(n, x, from);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            Arrays.fill(codes, codesFrom, codesFrom + n, 0);
            return 0;
        }
        float iscale = -nmax / max;
        float sumLX = 0;
        float sumL2 = 0;
        for (int i = 0; i < n; i++) {
            float v = x[from + i];
            int l = clamp(nearestInt(iscale * v), -nmax, nmax - 1);
            codes[codesFrom + i] = l + nmax;
            float w = v * v;
            sumLX += w * v * l;
            sumL2 += w * l * l;
        }
        float scale = sumL2 != 0 ? sumLX / sumL2 : 0;
        float best = scale * sumLX;
        for (int step = -9; step <= 9; step++) {
            if (step == 0) {
                continue;
            }
            iscale = -(nmax + 0.1f * step) / max;
            sumLX = 0;
            sumL2 = 0;
            for (int i = 0; i < n; i++) {
                float v = x[from + i];
                int l = clamp(nearestInt(iscale * v), -nmax, nmax - 1);
                float w = v * v;
                sumLX += w * v * l;
                sumL2 += w * l * l;
            }
            // sumLX^2 / sumL2 is the squared error this grid removes; compared without dividing
            if (sumL2 > 0 && sumLX * sumLX > best * sumL2) {
                for (int i = 0; i < n; i++) {
                    codes[codesFrom + i] = nmax + clamp(nearestInt(iscale * x[from + i]), -nmax, nmax - 1);
                }
                scale = sumLX / sumL2;
                best = scale * sumLX;
            }
        }
        return scale;
    }

    /**
     * Fits {@code n} values as {@code scale * (L - nmax)}, L in 0..2 nmax - 1 (ggml's
     * make_q3_quants with do_rmse): the grid that puts the value of largest magnitude at -nmax,
     * then up to 5 passes that move single codes to where the current least-squares fit (weights
     * x squared) wants them, keeping each move that improves it. Returns the scale; an all-zero
     * group gets codes 0 and scale 0.
     */
    static float fitSymmetricRefined(int n, int nmax, float[] x, int from, int[] codes, int codesFrom) {
        float max = extreme(n, x, from);
        if (Math.abs(max) < GROUP_MAX_EPS) {
            Arrays.fill(codes, codesFrom, codesFrom + n, 0);
            return 0;
        }
        float iscale = -nmax / max;
        float sumLX = 0;
        float sumL2 = 0;
        for (int i = 0; i < n; i++) {
            float v = x[from + i];
            int l = clamp(nearestInt(iscale * v), -nmax, nmax - 1);
            codes[codesFrom + i] = l; // signed while refining
            float w = v * v;
            sumLX += w * v * l;
            sumL2 += w * l * l;
        }
        for (int pass = 0; pass < 5; pass++) {
            boolean changed = false;
            for (int i = 0; i < n; i++) {
                float v = x[from + i];
                float w = v * v;
                int l = codes[codesFrom + i];
                float lx = sumLX - w * v * l; // the sums without value i
                if (lx > 0) {
                    float l2 = sumL2 - w * l * l;
                    int moved = clamp(nearestInt(v * l2 / lx), -nmax, nmax - 1);
                    if (moved != l) {
                        lx += w * v * moved;
                        l2 += w * moved * moved;
                        if (l2 > 0 && lx * lx * sumL2 > sumLX * sumLX * l2) {
                            codes[codesFrom + i] = moved;
                            sumLX = lx;
                            sumL2 = l2;
                            changed = true;
                        }
                    }
                }
            }
            if (!changed) {
                break;
            }
        }
        for (int i = 0; i < n; i++) {
            codes[codesFrom + i] += nmax;
        }
        return sumLX / sumL2;
    }

    /** The value of largest magnitude (the first, on ties), with its sign. */
    private static float extreme(int n, float[] x, int from) {
        float max = 0;
        float amax = 0;
        for (int i = 0; i < n; i++) {
            float ax = Math.abs(x[from + i]);
            if (ax > amax) {
                amax = ax;
                max = x[from + i];
            }
        }
        return max;
    }

    /**
     * The shared head of Q4_K and Q5_K, as their reference quantizers make it: fits each of the
     * 8 sub-blocks of 32 as {@code scale * L - min} (codes 0..nmax, weights rms + |x|), quantizes
     * the 8 scales and 8 mins to 6 bits against the largest of each, writes f16 d, f16 dmin and
     * the 12 packed bytes, and returns the 256 codes requantized with the stored scales.
     */
    static int[] affineSuperBlock(float[] values, int from, int nmax, float rmin, int nstep, ByteBuffer out) {
        int[] codes = new int[256];
        float[] weights = new float[32];
        float[] scales = new float[8];
        float[] mins = new float[8];
        float maxScale = 0;
        float maxMin = 0;
        for (int j = 0; j < 8; j++) {
            int at = from + 32 * j;
            float sumX2 = 0;
            for (int l = 0; l < 32; l++) sumX2 += values[at + l] * values[at + l];
            float rms = (float) Math.sqrt(sumX2 / 32);
            for (int l = 0; l < 32; l++) weights[l] = rms + Math.abs(values[at + l]);
            scales[j] = fitScaleAndMin(32, nmax, values, at, weights, codes, 32 * j, rmin, 0.1f, nstep, false, mins, j);
            maxScale = Math.max(maxScale, scales[j]);
            maxMin = Math.max(maxMin, mins[j]);
        }
        float inverseScale = maxScale > 0 ? 63f / maxScale : 0f;
        float inverseMin = maxMin > 0 ? 63f / maxMin : 0f;
        int[] scaleCodes = new int[8];
        int[] minCodes = new int[8];
        for (int j = 0; j < 8; j++) {
            // ggml stores these in a uint8_t before capping at 63: a negative fit wraps to 63 there too
            scaleCodes[j] = Math.min(63, nearestInt(inverseScale * scales[j]) & 0xFF);
            minCodes[j] = Math.min(63, nearestInt(inverseMin * mins[j]) & 0xFF);
        }
        short d = Float.floatToFloat16(maxScale / 63f);
        short dmin = Float.floatToFloat16(maxMin / 63f);
        out.putShort(d);
        out.putShort(dmin);
        putScalesAndMins(scaleCodes, minCodes, out);
        for (int j = 0; j < 8; j++) {
            float scale = Float.float16ToFloat(d) * scaleCodes[j];
            if (scale == 0) {
                continue; // every code decodes to -min: the fit's codes stay
            }
            float min = Float.float16ToFloat(dmin) * minCodes[j];
            for (int l = 0; l < 32; l++) {
                codes[32 * j + l] = clamp(nearestInt((values[from + 32 * j + l] + min) / scale), 0, nmax);
            }
        }
        return codes;
    }

    /**
     * Packs 8 six-bit scales and mins into 12 bytes, the layout Q4_KTensor describes: sub-blocks
     * 0..3 whole in bytes 0..3 (scales) and 4..7 (mins), sub-blocks 4..7 as low nibbles in bytes
     * 8..11 and top 2 bits in the spare top bits of bytes 0..7.
     */
    static void putScalesAndMins(int[] scales, int[] mins, ByteBuffer out) {
        byte[] packed = new byte[12];
        for (int j = 0; j < 4; j++) {
            packed[j] = (byte) (scales[j] | (scales[j + 4] >> 4) << 6);
            packed[j + 4] = (byte) (mins[j] | (mins[j + 4] >> 4) << 6);
            packed[j + 8] = (byte) ((scales[j + 4] & 0xF) | (mins[j + 4] & 0xF) << 4);
        }
        out.put(packed);
    }

    /*
     * Q4_K's and Q5_K's 12 scale bytes hold 8 six-bit scales and 8 six-bit mins. Sub-blocks 0..3 keep
     * theirs in the low 6 bits of bytes 0..3 (scales) and 4..7 (mins); sub-blocks 4..7 keep their low 4
     * bits in the nibbles of bytes 8..11 and their top 2 bits in the spare top bits of bytes 0..7.
     */

    /** Scale {@code subBlock} of the 12 bytes at {@code at}, packed as {@link #putScalesAndMins} does. */
    static int scale(MemorySegment data, long at, int subBlock) {
        if (subBlock < 4) {
            return u8(data, at + subBlock) & 63;
        }
        return (u8(data, at + subBlock + 4) & 0xF) | (u8(data, at + subBlock - 4) >>> 6) << 4;
    }

    /** Min {@code subBlock} of the 12 bytes at {@code at}. */
    static int min(MemorySegment data, long at, int subBlock) {
        if (subBlock < 4) {
            return u8(data, at + subBlock + 4) & 63;
        }
        return (u8(data, at + subBlock + 4) >>> 4) | (u8(data, at + subBlock) >>> 6) << 4;
    }

    private static int u8(MemorySegment data, long at) {
        return Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, at));
    }
}
