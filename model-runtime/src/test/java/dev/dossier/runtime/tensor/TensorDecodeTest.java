package dev.dossier.runtime.tensor;

import static dev.dossier.runtime.tensor.ReferenceBlocks.*;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.runtime.gguf.GgmlType;
import java.util.Random;
import org.junit.jupiter.api.Test;

/** getFloat and dequantize against values derived by hand or from independently packed blocks. */
class TensorDecodeTest {

    private static float f16Round(float value) {
        return Float.float16ToFloat(Float.floatToFloat16(value));
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

    @Test
    void f16HandPickedValues() {
        byte[] bytes = {0x00, 0x3C, 0x00, (byte) 0xC0, 0x01, 0x00, (byte) 0xFF, 0x7B, 0x00, 0x7C, 0x00, (byte) 0x80, 0x00, 0x35};
        FloatTensor t = tensor(GgmlType.F16, bytes);
        float[] expected = {1.0f, -2.0f, 0x1p-24f, 65504f, Float.POSITIVE_INFINITY, -0.0f, 0.3125f};
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], t.getFloat(i));
        }
    }

    @Test
    void f16AllBitPatterns() {
        byte[] bytes = new byte[65536 * 2];
        for (int bits = 0; bits < 65536; bits++) {
            bytes[2 * bits] = (byte) bits;
            bytes[2 * bits + 1] = (byte) (bits >> 8);
        }
        FloatTensor t = tensor(GgmlType.F16, bytes);
        float[] out = new float[65536];
        t.dequantize(0, out, 0, out.length);
        for (int bits = 0; bits < 65536; bits++) {
            float expected = Float.float16ToFloat((short) bits);
            if (Float.isNaN(expected)) {
                // NaN payload and quietness may differ between conversions (the JIT's vcvtph2ps quiets them).
                assertTrue(Float.isNaN(out[bits]) && Float.isNaN(t.getFloat(bits)), "half 0x" + Integer.toHexString(bits));
                continue;
            }
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(out[bits]), "half 0x" + Integer.toHexString(bits));
            assertEquals(Float.floatToRawIntBits(expected), Float.floatToRawIntBits(t.getFloat(bits)));
        }
    }

    @Test
    void bf16HandPickedAndAllBitPatterns() {
        FloatTensor small = tensor(GgmlType.BF16, new byte[] {(byte) 0x80, 0x3F, 0x40, (byte) 0xC0, 0x49, 0x40});
        assertEquals(1.0f, small.getFloat(0));
        assertEquals(-3.0f, small.getFloat(1));
        assertEquals(3.140625f, small.getFloat(2));
        byte[] bytes = new byte[65536 * 2];
        for (int bits = 0; bits < 65536; bits++) {
            bytes[2 * bits] = (byte) bits;
            bytes[2 * bits + 1] = (byte) (bits >> 8);
        }
        FloatTensor t = tensor(GgmlType.BF16, bytes);
        float[] out = new float[65536];
        t.dequantize(0, out, 0, out.length);
        for (int bits = 0; bits < 65536; bits++) {
            int expected = bits << 16;
            assertEquals(expected, Float.floatToRawIntBits(out[bits]));
            assertEquals(expected, Float.floatToRawIntBits(t.getFloat(bits)));
        }
    }

    @Test
    void q8_0() {
        Random random = new Random(8);
        int blocks = 5;
        byte[] bytes = new byte[blocks * 34];
        float[] expected = new float[blocks * 32];
        for (int b = 0; b < blocks; b++) {
            float d = f16Round(random.nextFloat() * 0.1f);
            int[] q = new int[32];
            for (int i = 0; i < 32; i++) {
                q[i] = random.nextInt(256) - 128;
                expected[b * 32 + i] = (float) ((double) d * q[i]);
            }
            packQ8_0(bytes, b, d, q);
        }
        assertDecodes(expected, tensor(GgmlType.Q8_0, bytes));
    }

    @Test
    void q8_0ByHand() {
        byte[] bytes = new byte[34];
        bytes[0] = 0x00;
        bytes[1] = 0x38;            // d = 0.5
        bytes[2] = (byte) -128;
        bytes[3] = 127;
        bytes[33] = 3;
        FloatTensor t = tensor(GgmlType.Q8_0, bytes);
        assertEquals(-64f, t.getFloat(0));
        assertEquals(63.5f, t.getFloat(1));
        assertEquals(0f, t.getFloat(2));
        assertEquals(1.5f, t.getFloat(31));
    }

    @Test
    void q4_0() {
        Random random = new Random(4);
        int blocks = 5;
        byte[] bytes = new byte[blocks * 18];
        float[] expected = new float[blocks * 32];
        for (int b = 0; b < blocks; b++) {
            float d = f16Round((random.nextFloat() - 0.5f) * 0.2f);
            int[] q = new int[32];
            for (int i = 0; i < 32; i++) {
                q[i] = random.nextInt(16);
                expected[b * 32 + i] = (float) ((double) d * (q[i] - 8));
            }
            packQ4_0(bytes, b, d, q);
        }
        assertDecodes(expected, tensor(GgmlType.Q4_0, bytes));
    }

    @Test
    void q4_0ByHand() {
        byte[] bytes = new byte[18];
        bytes[1] = 0x40;                // d = 2.0
        bytes[2] = (byte) 0xF0;         // value 0: code 0 -> -16; value 16: code 15 -> 14
        bytes[17] = 0x39;               // value 15: code 9 -> 2; value 31: code 3 -> -10
        FloatTensor t = tensor(GgmlType.Q4_0, bytes);
        assertEquals(-16f, t.getFloat(0));
        assertEquals(14f, t.getFloat(16));
        assertEquals(2f, t.getFloat(15));
        assertEquals(-10f, t.getFloat(31));
        assertEquals(-16f, t.getFloat(1));  // zero byte: code 0
    }

    @Test
    void q4_KByHand() {
        // d = 0.5, dmin = 0.25; sub-block 5 has scale 45 = 0b10_1101 and min 38 = 0b10_0110, so its
        // top bits live in bytes 1 (scale) and 5 (min) and its low nibbles in byte 9.
        byte[] bytes = new byte[144];
        bytes[1] = 0x38;
        bytes[3] = 0x34;
        bytes[4 + 1] = (byte) (0b10 << 6 | 7);    // sub-block 1 scale 7, plus sub-block 5's scale top bits
        bytes[4 + 5] = (byte) (0b10 << 6 | 3);    // sub-block 1 min 3, plus sub-block 5's min top bits
        bytes[4 + 9] = (byte) (0b0110 << 4 | 0b1101);
        // Value 32 * 5 + 2 = 162: group 2 (values 128..191), second half (high nibble) of byte 16 + 64 + 2.
        bytes[16 + 64 + 2] = (byte) (7 << 4 | 9);
        // Value 32 + 4: sub-block 1, group 0, high nibble of byte 16 + 4.
        bytes[16 + 4] = (byte) (11 << 4);
        FloatTensor t = tensor(GgmlType.Q4_K, bytes);
        assertEquals(0.5f * 45 * 7 - 0.25f * 38, t.getFloat(162));      // 148.0
        assertEquals(148.0f, t.getFloat(162));
        assertEquals(-9.5f, t.getFloat(161));                           // code 0 in sub-block 5
        assertEquals(0.5f * 7 * 11 - 0.25f * 3, t.getFloat(36));        // 37.75
        assertEquals(0f, t.getFloat(130));   // sub-block 4: scale and min 0, low nibble 9 of byte 82
        assertEquals(0f, t.getFloat(0));
    }

    @Test
    void q4_KAllScaleCodes() {
        // Every sub-block gets scales and mins with both top bits set and clear, so the 6-bit packing
        // of sub-blocks 4..7 (split across three bytes) is exercised in every combination.
        Random random = new Random(44);
        int blocks = 8;
        byte[] bytes = new byte[blocks * 144];
        float[] expected = new float[blocks * 256];
        for (int b = 0; b < blocks; b++) {
            float d = f16Round(random.nextFloat() * 0.05f);
            float dmin = f16Round(random.nextFloat() * 0.05f);
            int[] scales = new int[8];
            int[] mins = new int[8];
            for (int j = 0; j < 8; j++) {
                scales[j] = (random.nextInt(4) << 4) | random.nextInt(16);
                mins[j] = (((b + j) % 4) << 4) | random.nextInt(16);
            }
            if (b == 0) {
                java.util.Arrays.fill(scales, 63);
                java.util.Arrays.fill(mins, 63);
            }
            int[] q = new int[256];
            for (int i = 0; i < 256; i++) {
                q[i] = random.nextInt(16);
                expected[b * 256 + i] = expectedQ4_K(d, dmin, scales[i / 32], mins[i / 32], q[i]);
            }
            packQ4_K(bytes, b, d, dmin, scales, mins, q);
        }
        assertDecodes(expected, tensor(GgmlType.Q4_K, bytes));
    }

    @Test
    void q6_KByHand() {
        byte[] bytes = new byte[210];
        bytes[208] = 0x00;
        bytes[209] = 0x38;          // d = 0.5
        bytes[192 + 13] = -3;       // scale 13 covers values 208..223
        // Value 128 + 64 + 16 + 1 = 209: half 1, run 2, l = 17: low nibble from the high nibble of
        // ql[64 + 17], top bits at bit 4 of qh[64 + 32 + 17]. Code 0b10_0101 = 37 -> q = 5.
        bytes[64 + 17] = 0x50;
        bytes[128 + 32 + 17] = 0b10 << 4;
        FloatTensor t = tensor(GgmlType.Q6_K, bytes);
        assertEquals(0.5f * -3 * 5, t.getFloat(209));
        assertEquals(0.5f * -3 * -32, t.getFloat(208));   // code 0 -> q = -32
        assertEquals(-0f, t.getFloat(0));                  // scale 0 times q = -32: a negative zero, as in C
    }

    @Test
    void q6_K() {
        Random random = new Random(6);
        int blocks = 5;
        byte[] bytes = new byte[blocks * 210];
        float[] expected = new float[blocks * 256];
        for (int b = 0; b < blocks; b++) {
            float d = f16Round(random.nextFloat() * 0.01f);
            int[] scales = new int[16];
            for (int k = 0; k < 16; k++) {
                scales[k] = random.nextInt(256) - 128;
            }
            int[] q = new int[256];
            for (int i = 0; i < 256; i++) {
                q[i] = random.nextInt(64) - 32;
                expected[b * 256 + i] = expectedQ6_K(d, scales[i / 16], q[i]);
            }
            packQ6_K(bytes, b, d, scales, q);
        }
        assertDecodes(expected, tensor(GgmlType.Q6_K, bytes));
    }
}
