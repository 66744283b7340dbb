package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;

/**
 * Encodes floats in the GGML formats, following ggml's reference quantizers (the {@code _ref}
 * functions) so that files written here decode the same way in llama.cpp. Shared by
 * {@link dev.dossier.runtime.gguf.GgufWriter} and the tests.
 */
public final class Quantizer {
    public static final java.util.Set<GgmlType> SUPPORTED = java.util.EnumSet.of(
            GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0);

    private Quantizer() {
    }

    /** {@code values} in {@code type}'s encoding; their count must be a whole number of blocks. */
    public static byte[] quantize(GgmlType type, float[] values) {
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(type.byteSize(values.length))).order(ByteOrder.LITTLE_ENDIAN);
        switch (type) {
            case F32 -> out.asFloatBuffer().put(values);
            case F16 -> {
                for (float v : values) out.putShort(Float.floatToFloat16(v));
            }
            case BF16 -> {
                for (float v : values) out.putShort(toBF16(v));
            }
            case Q8_0 -> {
                for (int block = 0; block < values.length; block += 32) putQ8_0(values, block, out);
            }
            case Q4_0 -> {
                for (int block = 0; block < values.length; block += 32) putQ4_0(values, block, out);
            }
            default -> throw new IllegalArgumentException("cannot quantize to " + type + " (supported: " + SUPPORTED + ")");
        }
        return out.array();
    }

    /** Rounds to the nearest bfloat16, ties to even; NaNs stay NaN (made quiet, as ggml does). */
    public static short toBF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    /** d = max|x| / 127, q = round(x / d) (halves away from zero, like C's roundf). */
    private static void putQ8_0(float[] values, int from, ByteBuffer out) {
        float amax = 0;
        for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(values[from + i]));
        float d = amax / 127;
        float inverse = d != 0 ? 1 / d : 0;
        out.putShort(Float.floatToFloat16(d));
        for (int i = 0; i < 32; i++) {
            out.put((byte) roundHalfAwayFromZero(values[from + i] * inverse));
        }
    }

    /**
     * d = (the value of largest magnitude) / -8, so that value maps exactly to code 0 and the
     * codes 0..15 cover [-8d, 7d]; q = x / d + 8, rounded, capped at 15.
     */
    private static void putQ4_0(float[] values, int from, ByteBuffer out) {
        float amax = 0;
        float max = 0;
        for (int i = 0; i < 32; i++) {
            float v = values[from + i];
            if (Math.abs(v) > amax) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -8;
        float inverse = d != 0 ? 1 / d : 0;
        out.putShort(Float.floatToFloat16(d));
        for (int i = 0; i < 16; i++) {
            int first = Math.min(15, (int) (values[from + i] * inverse + 8.5f));
            int second = Math.min(15, (int) (values[from + 16 + i] * inverse + 8.5f));
            out.put((byte) (first | second << 4));
        }
    }

    private static int roundHalfAwayFromZero(float v) {
        return v < 0 ? -Math.round(-v) : Math.round(v);
    }
}
