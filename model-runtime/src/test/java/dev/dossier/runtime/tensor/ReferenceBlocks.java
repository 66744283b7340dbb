package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Test-side packers that lay out GGML blocks straight from the format description, written
 * independently of the tensor classes, plus the value each packed element must decode to.
 */
final class ReferenceBlocks {
    private ReferenceBlocks() {
    }

    static FloatTensor tensor(GgmlType type, byte[] bytes) {
        MemorySegment segment = Arena.ofAuto().allocate(bytes.length, 64);
        MemorySegment.copy(bytes, 0, segment, ValueLayout.JAVA_BYTE, 0, bytes.length);
        long size = bytes.length / type.bytesPerBlock() * (long) type.blockSize();
        return Tensors.of(type, segment, size);
    }

    static void putF16(byte[] out, int at, float value) {
        short bits = Float.floatToFloat16(value);
        out[at] = (byte) bits;
        out[at + 1] = (byte) (bits >> 8);
    }

    /** Q8_0 block {@code block}: f16 d, then 32 signed codes. */
    static void packQ8_0(byte[] out, int block, float d, int[] q) {
        int at = block * 34;
        putF16(out, at, d);
        for (int i = 0; i < 32; i++) {
            out[at + 2 + i] = (byte) q[i];
        }
    }

    /** Q4_0 block: f16 d, byte j = code j (low nibble) | code j + 16 (high nibble); codes 0..15. */
    static void packQ4_0(byte[] out, int block, float d, int[] q) {
        int at = block * 18;
        putF16(out, at, d);
        for (int j = 0; j < 16; j++) {
            out[at + 2 + j] = (byte) (q[j] | q[j + 16] << 4);
        }
    }

    /**
     * Q4_K super-block: f16 d, f16 dmin, 12 bytes of 6-bit scales/mins (the inverse of ggml's
     * get_scale_min_k4), then per 64 values 32 bytes: values 0..31 of the group in the low nibbles,
     * 32..63 in the high ones.
     */
    static void packQ4_K(byte[] out, int block, float d, float dmin, int[] scales, int[] mins, int[] q) {
        int at = block * 144;
        putF16(out, at, d);
        putF16(out, at + 2, dmin);
        for (int j = 0; j < 4; j++) {
            out[at + 4 + j] = (byte) ((scales[j] & 63) | (scales[j + 4] >> 4) << 6);
            out[at + 4 + j + 4] = (byte) ((mins[j] & 63) | (mins[j + 4] >> 4) << 6);
            out[at + 4 + j + 8] = (byte) ((scales[j + 4] & 0xF) | (mins[j + 4] & 0xF) << 4);
        }
        for (int i = 0; i < 256; i++) {
            int group = i / 64;
            int within = i % 64;
            int byteAt = at + 16 + group * 32 + within % 32;
            out[byteAt] |= (byte) (within < 32 ? q[i] : q[i] << 4);
        }
    }

    static float expectedQ4_K(float d, float dmin, int scale, int min, int q) {
        return (float) ((double) d * scale * q - (double) dmin * min);
    }

    /**
     * Q6_K super-block: ql[128], qh[64], int8 scales[16], f16 d. Codes are -32..31; scale k
     * covers values 16k..16k+15. Within each half of 128, value 32 * run + l (l below 32) keeps
     * its low 4 bits in ql[l + 32 * (run % 2)] (low nibble for runs 0 and 1, high for 2 and 3)
     * and its top 2 bits at bit 2 * run of qh[l].
     */
    static void packQ6_K(byte[] out, int block, float d, int[] scales, int[] q) {
        int at = block * 210;
        for (int i = 0; i < 256; i++) {
            int half = i / 128;
            int run = i % 128 / 32;
            int l = i % 32;
            int code = q[i] + 32;
            out[at + half * 64 + l + (run % 2) * 32] |= (byte) ((code & 0xF) << (4 * (run / 2)));
            out[at + 128 + half * 32 + l] |= (byte) ((code >> 4) << (2 * run));
        }
        for (int k = 0; k < 16; k++) {
            out[at + 192 + k] = (byte) scales[k];
        }
        putF16(out, at + 208, d);
    }

    static float expectedQ6_K(float d, int scale, int q) {
        return (float) ((double) d * scale * q);
    }
}
