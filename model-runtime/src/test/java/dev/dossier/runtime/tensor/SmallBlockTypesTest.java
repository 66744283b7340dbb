package dev.dossier.runtime.tensor;

import static dev.dossier.runtime.tensor.ReferenceBlocks.putF16;
import static dev.dossier.runtime.tensor.ReferenceBlocks.tensor;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.runtime.gguf.GgmlType;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Q4_1, Q5_0, Q5_1, IQ4_NL and IQ4_XS: decoding of blocks made by hand and of random blocks
 * packed here from the format description (ggml-common.h), and the quantizers' round trip.
 * The packers below are written from the layout alone, independently of the tensor classes.
 */
class SmallBlockTypesTest {

    /** ggml's kvalues_iq4nl, the test's own copy. */
    private static final int[] KVALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    private static float f16Round(float value) {
        return Float.float16ToFloat(Float.floatToFloat16(value));
    }

    /** Every element, via getFloat and via dequantize (whole tensor and from an unaligned offset), must equal expected. */
    private static void assertDecodes(float[] expected, FloatTensor tensor) {
        assertEquals(expected.length, tensor.size());
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], tensor.getFloat(i), "getFloat(" + i + ")");
        }
        float[] out = new float[expected.length + 3];
        tensor.dequantize(0, out, 3, expected.length);
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], out[3 + i], "dequantize at " + i);
        }
        int from = 5;
        float[] part = new float[expected.length - from - 2];
        tensor.dequantize(from, part, 0, part.length);
        for (int i = 0; i < part.length; i++) {
            assertEquals(expected[from + i], part[i], "dequantize from " + from + " at " + i);
        }
    }

    // ---- Packers, from the block structs of ggml-common.h ----

    /** Byte j of 16 = code j (low nibble) | code j + 16 (high nibble); codes 0..15. */
    private static void putNibbles(byte[] out, int at, int[] q, int qFrom) {
        for (int j = 0; j < 16; j++) {
            out[at + j] = (byte) ((q[qFrom + j] & 0xF) | (q[qFrom + j + 16] & 0xF) << 4);
        }
    }

    /** Little-endian 32-bit word, bit j = bit 4 of code j; codes 0..31. */
    private static void putFifthBits(byte[] out, int at, int[] q) {
        for (int j = 0; j < 32; j++) {
            out[at + j / 8] |= (byte) (((q[j] >> 4) & 1) << (j % 8));
        }
    }

    /** block_q4_1: f16 d, f16 m, qs[16]. */
    private static void packQ4_1(byte[] out, int block, float d, float m, int[] q) {
        int at = block * 20;
        putF16(out, at, d);
        putF16(out, at + 2, m);
        putNibbles(out, at + 4, q, 0);
    }

    /** block_q5_0: f16 d, qh[4], qs[16]. */
    private static void packQ5_0(byte[] out, int block, float d, int[] q) {
        int at = block * 22;
        putF16(out, at, d);
        putFifthBits(out, at + 2, q);
        putNibbles(out, at + 6, q, 0);
    }

    /** block_q5_1: f16 d, f16 m, qh[4], qs[16]. */
    private static void packQ5_1(byte[] out, int block, float d, float m, int[] q) {
        int at = block * 24;
        putF16(out, at, d);
        putF16(out, at + 2, m);
        putFifthBits(out, at + 4, q);
        putNibbles(out, at + 8, q, 0);
    }

    /** block_iq4_nl: f16 d, qs[16]. */
    private static void packIQ4_NL(byte[] out, int block, float d, int[] q) {
        int at = block * 18;
        putF16(out, at, d);
        putNibbles(out, at + 2, q, 0);
    }

    /**
     * block_iq4_xs: f16 d, u16 scales_h (bits 2s..2s+1: top bits of ls[s]), scales_l[4] (nibble
     * s % 2 of byte s / 2: low bits of ls[s]), qs[128] (sub-block s's 16 bytes from 16s).
     * ls are 0..63; q are 256 codes.
     */
    private static void packIQ4_XS(byte[] out, int block, float d, int[] ls, int[] q) {
        int at = block * 136;
        putF16(out, at, d);
        int scalesH = 0;
        for (int s = 0; s < 8; s++) {
            scalesH |= (ls[s] >> 4) << (2 * s);
            out[at + 4 + s / 2] |= (byte) ((ls[s] & 0xF) << (4 * (s % 2)));
            putNibbles(out, at + 8 + 16 * s, q, 32 * s);
        }
        out[at + 2] = (byte) scalesH;
        out[at + 3] = (byte) (scalesH >> 8);
    }

    private static int[] codes(Random random, int n, int bound) {
        int[] q = new int[n];
        for (int i = 0; i < n; i++) q[i] = random.nextInt(bound);
        return q;
    }

    // ---- (a) Blocks made by hand ----

    @Test
    void q4_1ByHand() {
        byte[] bytes = new byte[20];
        bytes[1] = 0x38;                // d = 0.5
        bytes[3] = (byte) 0xC0;         // m = -2.0
        bytes[4] = (byte) 0xF0;         // value 0: code 0 -> -2.0; value 16: code 15 -> 7.5 - 2 = 5.5
        bytes[19] = 0x3A;               // value 15: code 10 -> 5 - 2 = 3.0; value 31: code 3 -> 1.5 - 2 = -0.5
        FloatTensor t = tensor(GgmlType.Q4_1, bytes);
        assertEquals(-2.0f, t.getFloat(0));
        assertEquals(5.5f, t.getFloat(16));
        assertEquals(3.0f, t.getFloat(15));
        assertEquals(-0.5f, t.getFloat(31));
        assertEquals(-2.0f, t.getFloat(1));  // zero byte: code 0 -> m
    }

    @Test
    void q5_0ByHand() {
        byte[] bytes = new byte[22];
        bytes[1] = 0x34;                // d = 0.25
        // qh = 0x80020001: fifth bits of values 0, 17 and 31.
        bytes[2] = 0x01;
        bytes[4] = 0x02;
        bytes[5] = (byte) 0x80;
        bytes[6] = 0x35;                // value 0: 5 | 16 = 21 -> (21 - 16) * 0.25 = 1.25; value 16: 3 -> -13 * 0.25 = -3.25
        bytes[7] = (byte) 0xF0;         // value 1: 0 -> -4.0; value 17: 15 | 16 = 31 -> 3.75
        bytes[21] = (byte) 0xF0;        // value 15: 0 -> -4.0; value 31: 31 -> 3.75
        FloatTensor t = tensor(GgmlType.Q5_0, bytes);
        assertEquals(1.25f, t.getFloat(0));
        assertEquals(-3.25f, t.getFloat(16));
        assertEquals(-4.0f, t.getFloat(1));
        assertEquals(3.75f, t.getFloat(17));
        assertEquals(-4.0f, t.getFloat(15));
        assertEquals(3.75f, t.getFloat(31));
        assertEquals(-4.0f, t.getFloat(2));  // zero byte, no fifth bit: code 0
        float[] out = new float[32];
        t.dequantize(0, out, 0, 32);
        assertEquals(1.25f, out[0]);
        assertEquals(3.75f, out[17]);
        assertEquals(-3.25f, out[16]);
    }

    @Test
    void q5_1ByHand() {
        byte[] bytes = new byte[24];
        bytes[1] = 0x38;                // d = 0.5
        bytes[3] = (byte) 0xBC;         // m = -1.0
        // qh = 0x40000002: fifth bits of values 1 and 30.
        bytes[4] = 0x02;
        bytes[7] = 0x40;
        bytes[8 + 1] = 0x7C;            // value 1: 12 | 16 = 28 -> 14 - 1 = 13.0; value 17: 7 -> 3.5 - 1 = 2.5
        bytes[8 + 14] = (byte) 0xA0;    // value 14: 0 -> -1.0; value 30: 10 | 16 = 26 -> 13 - 1 = 12.0
        FloatTensor t = tensor(GgmlType.Q5_1, bytes);
        assertEquals(13.0f, t.getFloat(1));
        assertEquals(2.5f, t.getFloat(17));
        assertEquals(-1.0f, t.getFloat(14));
        assertEquals(12.0f, t.getFloat(30));
        float[] out = new float[32];
        t.dequantize(0, out, 0, 32);
        assertEquals(13.0f, out[1]);
        assertEquals(12.0f, out[30]);
        assertEquals(-1.0f, out[0]);
    }

    @Test
    void iq4_nlByHand() {
        byte[] bytes = new byte[18];
        bytes[1] = 0x38;                // d = 0.5
        bytes[2] = (byte) 0xF0;         // value 0: code 0 -> -127 * 0.5 = -63.5; value 16: code 15 -> 113 * 0.5 = 56.5
        bytes[17] = (byte) 0x87;        // value 15: code 7 -> -10 * 0.5 = -5.0; value 31: code 8 -> 1 * 0.5 = 0.5
        FloatTensor t = tensor(GgmlType.IQ4_NL, bytes);
        assertEquals(-63.5f, t.getFloat(0));
        assertEquals(56.5f, t.getFloat(16));
        assertEquals(-5.0f, t.getFloat(15));
        assertEquals(0.5f, t.getFloat(31));
        assertEquals(-63.5f, t.getFloat(1));    // zero byte: code 0
        float[] out = new float[32];
        t.dequantize(0, out, 0, 32);
        assertEquals(-63.5f, out[0]);
        assertEquals(56.5f, out[16]);
        assertEquals(-5.0f, out[15]);
        assertEquals(0.5f, out[31]);
    }

    @Test
    void iq4_xsByHand() {
        byte[] bytes = new byte[136];
        bytes[1] = 0x34;                // d = 0.25
        // Sub-block 5: ls = 39 = 0b10_0111 -> scale 7. Low bits 0111 in the high nibble of
        // scales_l[2] (byte 6), top bits 10 at bits 10..11 of scales_h (bits 2..3 of byte 3).
        // Sub-block 7: ls = 63 -> scale 31: high nibble of scales_l[3] (byte 7), bits 14..15 (byte 3).
        // Every other sub-block: ls = 0 -> scale -32.
        bytes[3] = (byte) (0b10 << 2 | 0b11 << 6);
        bytes[6] = 0x70;
        bytes[7] = (byte) 0xF0;
        bytes[8 + 5 * 16 + 3] = 0x2E;   // value 163: code 14 -> 0.25 * 7 * 89 = 155.75; value 179: code 2 -> 0.25 * 7 * -83 = -145.25
        bytes[8 + 7 * 16 + 15] = (byte) 0x90;   // value 255: code 9 -> 0.25 * 31 * 13 = 100.75
        FloatTensor t = tensor(GgmlType.IQ4_XS, bytes);
        assertEquals(155.75f, t.getFloat(163));
        assertEquals(-145.25f, t.getFloat(179));
        assertEquals(100.75f, t.getFloat(255));
        assertEquals(-984.25f, t.getFloat(224));    // sub-block 7, code 0: 0.25 * 31 * -127
        assertEquals(1016.0f, t.getFloat(0));       // sub-block 0, code 0: 0.25 * -32 * -127
        assertEquals(1016.0f, t.getFloat(128));     // sub-block 4 shares byte 6 with 5, takes its low nibble 0
        float[] out = new float[256];
        t.dequantize(0, out, 0, 256);
        assertEquals(155.75f, out[163]);
        assertEquals(-145.25f, out[179]);
        assertEquals(100.75f, out[255]);
        assertEquals(-984.25f, out[224]);
        assertEquals(1016.0f, out[0]);
    }

    // ---- (b) Random blocks packed here ----

    @Test
    void q4_1Random() {
        Random random = new Random(41);
        int blocks = 6;
        byte[] bytes = new byte[blocks * 20];
        float[] expected = new float[blocks * 32];
        for (int b = 0; b < blocks; b++) {
            float d = f16Round(random.nextFloat() * 0.01f);
            float m = f16Round((random.nextFloat() - 0.5f) * 0.2f);
            int[] q = codes(random, 32, 16);
            for (int i = 0; i < 32; i++) expected[b * 32 + i] = (float) ((double) d * q[i] + m);
            packQ4_1(bytes, b, d, m, q);
        }
        assertDecodes(expected, tensor(GgmlType.Q4_1, bytes));
    }

    @Test
    void q5_0Random() {
        Random random = new Random(50);
        int blocks = 6;
        byte[] bytes = new byte[blocks * 22];
        float[] expected = new float[blocks * 32];
        for (int b = 0; b < blocks; b++) {
            float d = f16Round((random.nextFloat() - 0.5f) * 0.01f);
            int[] q = codes(random, 32, 32);
            for (int i = 0; i < 32; i++) expected[b * 32 + i] = (float) ((double) d * (q[i] - 16));
            packQ5_0(bytes, b, d, q);
        }
        assertDecodes(expected, tensor(GgmlType.Q5_0, bytes));
    }

    @Test
    void q5_1Random() {
        Random random = new Random(51);
        int blocks = 6;
        byte[] bytes = new byte[blocks * 24];
        float[] expected = new float[blocks * 32];
        for (int b = 0; b < blocks; b++) {
            float d = f16Round(random.nextFloat() * 0.005f);
            float m = f16Round((random.nextFloat() - 0.5f) * 0.2f);
            int[] q = codes(random, 32, 32);
            for (int i = 0; i < 32; i++) expected[b * 32 + i] = (float) ((double) d * q[i] + m);
            packQ5_1(bytes, b, d, m, q);
        }
        assertDecodes(expected, tensor(GgmlType.Q5_1, bytes));
    }

    @Test
    void iq4_nlRandom() {
        Random random = new Random(20);
        int blocks = 6;
        byte[] bytes = new byte[blocks * 18];
        float[] expected = new float[blocks * 32];
        for (int b = 0; b < blocks; b++) {
            float d = f16Round((random.nextFloat() - 0.5f) * 0.002f);
            int[] q = codes(random, 32, 16);
            for (int i = 0; i < 32; i++) expected[b * 32 + i] = (float) ((double) d * KVALUES[q[i]]);
            packIQ4_NL(bytes, b, d, q);
        }
        assertDecodes(expected, tensor(GgmlType.IQ4_NL, bytes));
    }

    @Test
    void iq4_xsRandomWithVariedScaleCodes() {
        // Sub-block s of block b gets scale code (b + s) % 4 << 4 | (3b + 5s) % 16: each sub-block
        // position (its nibble of scales_l, its 2 bits of scales_h) sees all four top-bit values and
        // eight low nibbles, and codes 0 (b = 0, s = 0) and 63 (b = 0, s = 3) both occur.
        Random random = new Random(23);
        int blocks = 8;
        byte[] bytes = new byte[blocks * 136];
        float[] expected = new float[blocks * 256];
        for (int b = 0; b < blocks; b++) {
            float d = f16Round((random.nextFloat() - 0.5f) * 0.001f);
            int[] ls = new int[8];
            for (int s = 0; s < 8; s++) ls[s] = (b + s) % 4 << 4 | (3 * b + 5 * s) % 16;
            int[] q = codes(random, 256, 16);
            for (int i = 0; i < 256; i++) {
                expected[b * 256 + i] = (float) ((double) d * (ls[i / 32] - 32) * KVALUES[q[i]]);
            }
            packIQ4_XS(bytes, b, d, ls, q);
        }
        assertDecodes(expected, tensor(GgmlType.IQ4_XS, bytes));
    }

    // ---- (c) The quantizers ----

    /**
     * Gaussian weights (sigma 0.02, 4096 values) through the quantizer and back: the RMS error
     * relative to the RMS of the values stays under {@code bound}. Measured: Q4_1 0.077, Q5_0
     * 0.042, Q5_1 0.038, IQ4_NL 0.076, IQ4_XS 0.077 (Q4_0 gives 0.085). A fifth bit halves the
     * step; a per-block offset (Q4_1, Q5_1) fits a block's range a little better than a symmetric
     * scale; the non-linear table gives 4-bit codes Q4_1's accuracy without the offset.
     */
    @ParameterizedTest
    @CsvSource({"Q4_1, 0.09", "Q5_0, 0.05", "Q5_1, 0.045", "IQ4_NL, 0.085", "IQ4_XS, 0.085"})
    void gaussianRoundTripErrorIsSmall(GgmlType type, double bound) {
        Random random = new Random(type.ordinal());
        float[] values = new float[4096];
        for (int i = 0; i < values.length; i++) values[i] = (float) (random.nextGaussian() * 0.02);
        byte[] bytes = Quantizer.quantize(type, values);
        assertEquals(type.byteSize(values.length), bytes.length);
        float[] decoded = new float[values.length];
        tensor(type, bytes).dequantize(0, decoded, 0, values.length);
        double error = 0;
        double energy = 0;
        for (int i = 0; i < values.length; i++) {
            error += (decoded[i] - values[i]) * (double) (decoded[i] - values[i]);
            energy += (double) values[i] * values[i];
        }
        double relative = Math.sqrt(error / energy);
        assertTrue(relative < bound, type + " relative RMS error " + relative + " >= " + bound);
    }

    /** Blocks the format holds exactly come back bit for bit: the quantizer writes the bytes the packer does. */
    @Test
    void q4_1ReproducesRepresentableBlocks() {
        Random random = new Random(141);
        float d = 0x1p-8f;
        float m = -0.03125f;
        byte[] bytes = new byte[5 * 20];
        float[] values = new float[5 * 32];
        int[][] q = new int[4][];
        for (int b = 0; b < 4; b++) {
            q[b] = codes(random, 32, 16);
            q[b][random.nextInt(16)] = 0;   // min and max present, so the block's range is exactly 15d
            q[b][random.nextInt(16) + 16] = 15;
            for (int i = 0; i < 32; i++) values[b * 32 + i] = m + d * q[b][i];
            packQ4_1(bytes, b, d, m, q[b]);
        }
        // A constant block (of an f16 value): d = 0, m = the value, codes 0.
        float constant = f16Round(0.0123f);
        Arrays.fill(values, 4 * 32, 5 * 32, constant);
        packQ4_1(bytes, 4, 0, constant, new int[32]);
        assertRoundTrip(GgmlType.Q4_1, values, bytes);
    }

    @Test
    void q5_0ReproducesRepresentableBlocks() {
        Random random = new Random(150);
        byte[] bytes = new byte[4 * 22];
        float[] values = new float[4 * 32];
        for (int b = 0; b < 4; b++) {
            float d = b % 2 == 0 ? 0x1p-9f : -0x1p-10f;   // either sign: -16d is the value of largest magnitude
            int[] q = codes(random, 32, 32);
            q[random.nextInt(32)] = 0;
            for (int i = 0; i < 32; i++) values[b * 32 + i] = d * (q[i] - 16);
            packQ5_0(bytes, b, d, q);
        }
        assertRoundTrip(GgmlType.Q5_0, values, bytes);
    }

    @Test
    void q5_1ReproducesRepresentableBlocks() {
        Random random = new Random(151);
        byte[] bytes = new byte[5 * 24];
        float[] values = new float[5 * 32];
        for (int b = 0; b < 4; b++) {
            float d = 0x1p-10f;
            float m = f16Round((random.nextFloat() - 0.5f) * 0.02f);
            int[] q = codes(random, 32, 32);
            q[random.nextInt(16)] = 0;
            q[random.nextInt(16) + 16] = 31;
            for (int i = 0; i < 32; i++) values[b * 32 + i] = m + d * q[i];
            packQ5_1(bytes, b, d, m, q);
        }
        float constant = f16Round(-0.0071f);   // a constant block: d = 0, m = the value, codes 0
        Arrays.fill(values, 4 * 32, 5 * 32, constant);
        packQ5_1(bytes, 4, 0, constant, new int[32]);
        assertRoundTrip(GgmlType.Q5_1, values, bytes);
    }

    /**
     * d * KVALUES[q] with a power-of-two d of either sign and code 0 (-127, the largest
     * magnitude) present: one of the candidate scales the search tries is exactly d, and it fits
     * perfectly. An all-zero block is written with d = 0 and code 8 (the entry nearest 0).
     */
    @Test
    void iq4_nlReproducesRepresentableBlocks() {
        Random random = new Random(120);
        int blocks = 5;
        byte[] bytes = new byte[blocks * 18];
        float[] values = new float[blocks * 32];
        for (int b = 0; b < blocks - 1; b++) {
            float d = b % 2 == 0 ? 0x1p-12f : -0x1p-13f;
            int[] q = codes(random, 32, 16);
            q[random.nextInt(32)] = 0;
            for (int i = 0; i < 32; i++) values[b * 32 + i] = d * KVALUES[q[i]];
            packIQ4_NL(bytes, b, d, q);
        }
        int[] eights = new int[32];
        Arrays.fill(eights, 8);
        packIQ4_NL(bytes, blocks - 1, 0, eights);
        assertRoundTrip(GgmlType.IQ4_NL, values, bytes);
    }

    /**
     * Sub-block scales D * l with l a power of two of either sign, and -32 (the scale of largest
     * magnitude, which fixes d = D) in each super-block; each sub-block has code 0 as its largest
     * magnitude. One sub-block is all zeros: scale code 32 (l = 0) and codes 8.
     */
    @Test
    void iq4_xsReproducesRepresentableBlocks() {
        Random random = new Random(123);
        int[] multiples = {-32, -16, -8, -4, -2, -1, 1, 2, 4, 8, 16};
        int blocks = 3;
        byte[] bytes = new byte[blocks * 136];
        float[] values = new float[blocks * 256];
        float d = 0x1p-15f;
        for (int b = 0; b < blocks; b++) {
            int[] ls = new int[8];
            int[] q = codes(random, 256, 16);
            int withMinus32 = random.nextInt(8);
            int zero = (withMinus32 + 1 + random.nextInt(7)) % 8;
            for (int s = 0; s < 8; s++) {
                int l = s == withMinus32 ? -32 : s == zero ? 0 : multiples[random.nextInt(multiples.length)];
                ls[s] = l + 32;
                if (l == 0) {
                    Arrays.fill(q, 32 * s, 32 * s + 32, 8);
                } else {
                    q[32 * s + random.nextInt(32)] = 0;
                }
                for (int j = 0; j < 32; j++) {
                    values[b * 256 + 32 * s + j] = d * l * KVALUES[q[32 * s + j]];
                }
            }
            packIQ4_XS(bytes, b, d, ls, q);
        }
        assertRoundTrip(GgmlType.IQ4_XS, values, bytes);
    }

    private static void assertRoundTrip(GgmlType type, float[] values, byte[] expectedBytes) {
        byte[] bytes = Quantizer.quantize(type, values);
        assertArrayEquals(expectedBytes, bytes, type + " encoding");
        assertDecodes(values, tensor(type, bytes));
    }
}
