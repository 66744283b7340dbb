package dev.dossier.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.runtime.gguf.GgmlType;
import java.util.Arrays;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * Q2_K, Q3_K and Q5_K decoding against blocks made by hand and by packers written here from the
 * format description (walking the values in the order of ggml's dequantize_row_q*_K), and the
 * reference quantizers of all five K-quants by their round-trip error.
 */
class KQuantsTest {

    // ---------------------------------------------------------------- helpers

    private static float f16Round(float value) {
        return Float.float16ToFloat(Float.floatToFloat16(value));
    }

    private static void putF16(byte[] out, int at, float value) {
        short bits = Float.floatToFloat16(value);
        out[at] = (byte) bits;
        out[at + 1] = (byte) (bits >> 8);
    }

    private static int[] codes(Random random, int n, int min, int max) {
        int[] codes = new int[n];
        for (int i = 0; i < n; i++) codes[i] = min + random.nextInt(max - min + 1);
        return codes;
    }

    /** Every element, via getFloat and via dequantize (whole tensor and from an unaligned offset), must equal expected. */
    private static void assertDecodes(float[] expected, FloatTensor tensor) {
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], tensor.getFloat(i), "getFloat(" + i + ")");
        }
        float[] out = new float[expected.length + 3];
        tensor.dequantize(0, out, 3, expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], out[3 + i], "dequantize at " + i);
        }
        int from = 5;
        float[] part = new float[expected.length - from];
        tensor.dequantize(from, part, 0, part.length);
        for (int i = 0; i < part.length; i++) {
            assertEquals(expected[from + i], part[i], "dequantize from " + from + " at " + i);
        }
    }

    // ---------------------------------------------------------------- test-side packers

    /**
     * Q2_K super-block (84 bytes): scales[16] (scale | min << 4), qs[64], f16 d, f16 dmin. Walks
     * the values as ggml's dequantize_row_q2_K: per 128 values 32 bytes of qs, four shifts, each
     * shift two runs of 16 (bytes 0..15, then 16..31), each run with the next scale byte.
     */
    static void packQ2_K(byte[] out, int block, float d, float dmin, int[] scales, int[] mins, int[] q) {
        int at = block * 84;
        for (int k = 0; k < 16; k++) {
            out[at + k] = (byte) (scales[k] | mins[k] << 4);
        }
        int value = 0;
        for (int qs = at + 16; qs < at + 80; qs += 32) {
            for (int shift = 0; shift < 8; shift += 2) {
                for (int run = 0; run < 32; run += 16) {
                    for (int l = 0; l < 16; l++) {
                        out[qs + run + l] |= (byte) (q[value++] << shift);
                    }
                }
            }
        }
        putF16(out, at + 80, d);
        putF16(out, at + 82, dmin);
    }

    static float expectedAffine(float d, float dmin, int scale, int min, int q) {
        return (float) ((double) d * scale * q - (double) dmin * min);
    }

    /**
     * Q3_K super-block (110 bytes): hmask[32], qs[64], scales[12], f16 d. Codes q are -4..3: the
     * low 2 bits of q + 4 go to qs as Q2_K's codes do, the bit of 4 to hmask, whose bit m covers
     * the m-th run of 32 values (bytes 0..31, one per value of the run). Scales (-32..31) are
     * stored plus 32: low nibbles in bytes 0..7 (scales 0..7 low, 8..15 high), top 2 bits in
     * bytes 8..11, scale k at bit 2 * (k / 4) of byte 8 + k % 4.
     */
    static void packQ3_K(byte[] out, int block, float d, int[] scales, int[] q) {
        int at = block * 110;
        int value = 0;
        int bit = 0;
        for (int qs = at + 32; qs < at + 96; qs += 32) {
            for (int shift = 0; shift < 8; shift += 2, bit++) {
                for (int l = 0; l < 32; l++) {
                    int code = q[value++] + 4;
                    out[qs + l] |= (byte) ((code & 3) << shift);
                    out[at + l] |= (byte) ((code >> 2) << bit);
                }
            }
        }
        for (int k = 0; k < 16; k++) {
            int code = scales[k] + 32;
            out[at + 96 + k % 8] |= (byte) ((code & 0xF) << (k < 8 ? 0 : 4));
            out[at + 96 + 8 + k % 4] |= (byte) ((code >> 4) << (2 * (k / 4)));
        }
        putF16(out, at + 108, d);
    }

    static float expectedQ3_K(float d, int scale, int q) {
        return (float) ((double) d * scale * q);
    }

    /**
     * Q5_K super-block (176 bytes): f16 d, f16 dmin, 12 bytes of 6-bit scales/mins as Q4_K's,
     * qh[32], qs[128]. Walks the values as ggml's dequantize_row_q5_K: per 64 values 32 bytes of
     * qs, first the low nibbles (high bit from qh[l] & u1) then the high ones (qh[l] & u2), with
     * u1, u2 = 1, 2 shifted left by 2 per 64 values.
     */
    static void packQ5_K(byte[] out, int block, float d, float dmin, int[] scales, int[] mins, int[] q) {
        int at = block * 176;
        putF16(out, at, d);
        putF16(out, at + 2, dmin);
        for (int j = 0; j < 4; j++) {
            out[at + 4 + j] = (byte) ((scales[j] & 63) | (scales[j + 4] >> 4) << 6);
            out[at + 8 + j] = (byte) ((mins[j] & 63) | (mins[j + 4] >> 4) << 6);
            out[at + 12 + j] = (byte) ((scales[j + 4] & 0xF) | (mins[j + 4] & 0xF) << 4);
        }
        int value = 0;
        int u1 = 1;
        int u2 = 2;
        for (int qs = at + 48; qs < at + 176; qs += 32, u1 <<= 2, u2 <<= 2) {
            for (int l = 0; l < 32; l++, value++) {
                out[qs + l] |= (byte) (q[value] & 0xF);
                if (q[value] >= 16) out[at + 16 + l] |= (byte) u1;
            }
            for (int l = 0; l < 32; l++, value++) {
                out[qs + l] |= (byte) ((q[value] & 0xF) << 4);
                if (q[value] >= 16) out[at + 16 + l] |= (byte) u2;
            }
        }
    }

    // ---------------------------------------------------------------- (a) by hand

    @Test
    void q2_KByHand() {
        byte[] bytes = new byte[84];
        bytes[81] = 0x38;                       // d = 0.5
        bytes[83] = 0x34;                       // dmin = 0.25
        bytes[13] = 0x6D;                       // sub-block 13 (values 208..223): scale 13, min 6
        bytes[7] = 0x12;                        // sub-block 7 (values 112..127): scale 2, min 1
        // Value 213 = 128 + 2 * 32 + 21: second half, bits 4-5 of qs byte 32 + 21 (block byte 16 + 53).
        bytes[16 + 53] = 3 << 4;
        // Value 117 = 3 * 32 + 21: first half, bits 6-7 of qs byte 21; its bits 4-5 (value 85) stay 0.
        bytes[16 + 21] = (byte) (2 << 6);
        FloatTensor t = ReferenceBlocks.tensor(GgmlType.Q2_K, bytes);
        assertEquals(18.0f, t.getFloat(213));   // 0.5 * 13 * 3 - 0.25 * 6
        assertEquals(-1.5f, t.getFloat(212));   // code 0: - 0.25 * 6
        assertEquals(1.75f, t.getFloat(117));   // 0.5 * 2 * 2 - 0.25 * 1
        assertEquals(0f, t.getFloat(85));       // sub-block 5: scale and min 0
        float[] all = new float[256];
        t.dequantize(0, all, 0, 256);
        assertEquals(18.0f, all[213]);
        assertEquals(1.75f, all[117]);
        assertEquals(-1.5f, all[208]);
        assertEquals(-0.25f, all[112]);
    }

    @Test
    void q3_KByHand() {
        byte[] bytes = new byte[110];
        bytes[109] = 0x38;                      // d = 0.5
        // Scale 13 (values 208..223) = -3, stored 29 = 0b01_1101: low nibble in the high nibble of
        // scale byte 5, top bits 01 at bit 6 of scale byte 8 + 1.
        bytes[96 + 5] = (byte) 0xD0;
        bytes[96 + 9] = 0x40;
        // Scale 2 (values 32..47) = 7, stored 39 = 0b10_0111: low nibble of byte 2, top bits at bit 0 of byte 10.
        bytes[96 + 2] = 0x07;
        bytes[96 + 10] = 0b10;
        // Value 213 = 128 + 2 * 32 + 21: low bits 4-5 of qs byte 32 + 21, high bit 213 / 32 = 6 of hmask[21].
        bytes[32 + 53] = 2 << 4;
        bytes[21] = 1 << 6;
        // Value 40 = 32 + 8: low bits 2-3 of qs byte 8, high bit 1 of hmask[8].
        bytes[32 + 8] = 1 << 2;
        bytes[8] = 1 << 1;
        FloatTensor t = ReferenceBlocks.tensor(GgmlType.Q3_K, bytes);
        assertEquals(-3.0f, t.getFloat(213));   // 0.5 * -3 * 2
        assertEquals(6.0f, t.getFloat(212));    // bits 0, high bit clear: q = -4; 0.5 * -3 * -4
        assertEquals(3.5f, t.getFloat(40));     // 0.5 * 7 * 1
        assertEquals(64.0f, t.getFloat(5));     // all-zero bits: scale 0 - 32, q = -4; 0.5 * -32 * -4
        float[] all = new float[256];
        t.dequantize(0, all, 0, 256);
        assertEquals(-3.0f, all[213]);
        assertEquals(6.0f, all[212]);
        assertEquals(3.5f, all[40]);
        assertEquals(-14.0f, all[41]);          // q = -4: 0.5 * 7 * -4
        assertEquals(64.0f, all[255]);
    }

    @Test
    void q5_KByHand() {
        // d = 0.5, dmin = 0.25; sub-block 5 has scale 45 = 0b10_1101 and min 38 = 0b10_0110, so its
        // top bits live in bytes 1 (scale) and 5 (min) of the scales and its low nibbles in byte 9.
        byte[] bytes = new byte[176];
        bytes[1] = 0x38;
        bytes[3] = 0x34;
        bytes[4 + 1] = (byte) (0b10 << 6 | 7);   // sub-block 1 scale 7, plus sub-block 5's scale top bits
        bytes[4 + 5] = (byte) (0b10 << 6 | 3);   // sub-block 1 min 3, plus sub-block 5's min top bits
        bytes[4 + 9] = (byte) (0b0110 << 4 | 0b1101);
        // Value 162 = 128 + 32 + 2: sub-block 5, high nibble of qs byte 64 + 2, high bit 5 of qh[2].
        bytes[48 + 64 + 2] = (byte) (7 << 4 | 9);
        bytes[16 + 2] = 1 << 5;
        // Value 164: sub-block 5, high nibble of qs byte 64 + 4 is 0, high bit 5 of qh[4]: q = 16.
        bytes[16 + 4] = 1 << 5;
        // Value 36 = 32 + 4: sub-block 1, high nibble of qs byte 4; bit 1 of qh[4] clear.
        bytes[48 + 4] = (byte) (11 << 4);
        FloatTensor t = ReferenceBlocks.tensor(GgmlType.Q5_K, bytes);
        assertEquals(508.0f, t.getFloat(162));   // 0.5 * 45 * (7 + 16) - 0.25 * 38
        assertEquals(350.5f, t.getFloat(164));   // 0.5 * 45 * 16 - 9.5
        assertEquals(-9.5f, t.getFloat(161));    // code 0 in sub-block 5
        assertEquals(37.75f, t.getFloat(36));    // 0.5 * 7 * 11 - 0.25 * 3
        assertEquals(0f, t.getFloat(130));       // sub-block 4: scale and min 0, low nibble 9 of byte 64 + 2
        assertEquals(0f, t.getFloat(4));
        float[] all = new float[256];
        t.dequantize(0, all, 0, 256);
        assertEquals(508.0f, all[162]);
        assertEquals(350.5f, all[164]);
        assertEquals(37.75f, all[36]);
        assertEquals(-0.75f, all[32]);
    }

    // ---------------------------------------------------------------- (b) random packed blocks

    @Test
    void q2_KRandomBlocks() {
        Random random = new Random(21);
        int blocks = 6;
        byte[] bytes = new byte[blocks * 84];
        float[] expected = new float[blocks * 256];
        for (int b = 0; b < blocks; b++) {
            float d = f16Round(random.nextFloat() * 0.05f);
            float dmin = f16Round(random.nextFloat() * 0.05f);
            int[] scales = codes(random, 16, 0, 15);
            int[] mins = codes(random, 16, 0, 15);
            if (b == 0) { // the largest codes everywhere
                Arrays.fill(scales, 15);
                Arrays.fill(mins, 15);
            }
            int[] q = b == 0 ? codes(random, 256, 3, 3) : codes(random, 256, 0, 3);
            for (int i = 0; i < 256; i++) {
                expected[b * 256 + i] = expectedAffine(d, dmin, scales[i / 16], mins[i / 16], q[i]);
            }
            packQ2_K(bytes, b, d, dmin, scales, mins, q);
        }
        assertDecodes(expected, ReferenceBlocks.tensor(GgmlType.Q2_K, bytes));
    }

    @Test
    void q3_KRandomBlocks() {
        Random random = new Random(31);
        int blocks = 6;
        byte[] bytes = new byte[blocks * 110];
        float[] expected = new float[blocks * 256];
        for (int b = 0; b < blocks; b++) {
            float d = f16Round(random.nextFloat() * 0.01f - 0.005f);
            int[] scales = codes(random, 16, -32, 31);
            if (b == 0) { // both ends of the 6-bit range, so every top-bit pair is exercised
                for (int k = 0; k < 16; k++) scales[k] = k % 2 == 0 ? -32 : 31;
            }
            int[] q = codes(random, 256, -4, 3);
            for (int i = 0; i < 256; i++) {
                expected[b * 256 + i] = expectedQ3_K(d, scales[i / 16], q[i]);
            }
            packQ3_K(bytes, b, d, scales, q);
        }
        assertDecodes(expected, ReferenceBlocks.tensor(GgmlType.Q3_K, bytes));
    }

    @Test
    void q5_KRandomBlocks() {
        Random random = new Random(51);
        int blocks = 8;
        byte[] bytes = new byte[blocks * 176];
        float[] expected = new float[blocks * 256];
        for (int b = 0; b < blocks; b++) {
            float d = f16Round(random.nextFloat() * 0.05f);
            float dmin = f16Round(random.nextFloat() * 0.05f);
            int[] scales = new int[8];
            int[] mins = new int[8];
            for (int j = 0; j < 8; j++) { // top bits of scales and mins in every combination across blocks
                scales[j] = (random.nextInt(4) << 4) | random.nextInt(16);
                mins[j] = (((b + j) % 4) << 4) | random.nextInt(16);
            }
            if (b == 0) {
                Arrays.fill(scales, 63);
                Arrays.fill(mins, 63);
            }
            int[] q = codes(random, 256, 0, 31);
            for (int i = 0; i < 256; i++) {
                expected[b * 256 + i] = expectedAffine(d, dmin, scales[i / 32], mins[i / 32], q[i]);
            }
            packQ5_K(bytes, b, d, dmin, scales, mins, q);
        }
        assertDecodes(expected, ReferenceBlocks.tensor(GgmlType.Q5_K, bytes));
    }

    // ---------------------------------------------------------------- (c) quantizer round trip

    private static final List<GgmlType> K_QUANTS = List.of(GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K);

    /** RMS error over the values' RMS, Gaussian values (sigma 0.02); measured 0.294, 0.150, 0.0705, 0.0358, 0.0175, bounds about 1.2 times. */
    private static final Map<GgmlType, Double> ERROR_BOUNDS = new EnumMap<>(Map.of(
            GgmlType.Q2_K, 0.35, GgmlType.Q3_K, 0.18, GgmlType.Q4_K, 0.085, GgmlType.Q5_K, 0.043, GgmlType.Q6_K, 0.021));

    private static double relativeRoundTripError(GgmlType type, float[] values) {
        byte[] bytes = Quantizer.quantize(type, values);
        assertEquals(type.byteSize(values.length), bytes.length);
        FloatTensor tensor = ReferenceBlocks.tensor(type, bytes);
        float[] decoded = new float[values.length];
        tensor.dequantize(0, decoded, 0, values.length);
        double error = 0;
        double norm = 0;
        for (int i = 0; i < values.length; i++) {
            error += Math.pow(decoded[i] - values[i], 2);
            norm += (double) values[i] * values[i];
        }
        return Math.sqrt(error / norm);
    }

    @Test
    void quantizerRoundTripErrorShrinksWithBits() {
        Random random = new Random(7);
        float[] values = new float[16 * 256];
        for (int i = 0; i < values.length; i++) values[i] = (float) random.nextGaussian() * 0.02f;
        double previous = Double.POSITIVE_INFINITY;
        StringBuilder measured = new StringBuilder();
        for (GgmlType type : K_QUANTS) {
            double error = relativeRoundTripError(type, values);
            measured.append(type).append('=').append(String.format("%.4f ", error));
            assertTrue(error < ERROR_BOUNDS.get(type), type + " relative RMS error " + error + " (" + measured + ")");
            assertTrue(error < previous, "more bits, smaller error: " + measured);
            previous = error;
        }
        System.out.println("K-quant round-trip relative RMS errors: " + measured);
    }

    /** All-zero blocks encode to blocks that decode to zeros (ggml's zero-group paths). */
    @Test
    void quantizerZerosStayZeros() {
        float[] values = new float[2 * 256];
        for (int i = 256; i < 512; i++) values[i] = i % 3 == 0 ? 0.01f * (i % 7 - 3) : 0f; // and a sparse block
        for (GgmlType type : K_QUANTS) {
            FloatTensor tensor = ReferenceBlocks.tensor(type, Quantizer.quantize(type, values));
            for (int i = 0; i < 256; i++) {
                assertEquals(0f, tensor.getFloat(i), 0f, type + " value " + i);
            }
            for (int i = 256; i < 512; i++) { // zeros stay near zero (Q2_K's mins may shift them by a fraction of a step)
                if (values[i] == 0) assertEquals(0f, tensor.getFloat(i), 0.02f, type + " value " + i);
            }
        }
    }
}
