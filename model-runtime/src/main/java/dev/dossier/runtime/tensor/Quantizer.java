package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.Set;

/**
 * Encodes floats in the GGML formats, following ggml's reference quantizers (the {@code _ref}
 * functions) so that files written here decode the same way in llama.cpp. Shared by
 * {@link dev.dossier.runtime.gguf.GgufWriter} and the tests.
 */
public final class Quantizer {
    /** Every type a tensor class reads: each of them also writes its own blocks ({@code quantizeBlock}). */
    public static final Set<GgmlType> SUPPORTED = Tensors.SUPPORTED;

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
            default -> {
                BlockEncoder encoder = blockEncoder(type);
                for (int block = 0; block < values.length; block += type.blockSize()) {
                    encoder.encode(values, block, out);
                }
            }
        }
        return out.array();
    }

    /** Writes one block of a quantized type: the values from {@code from} on, into {@code out}. */
    @FunctionalInterface
    interface BlockEncoder {
        void encode(float[] values, int from, ByteBuffer out);
    }

    private static BlockEncoder blockEncoder(GgmlType type) {
        return switch (type) {
            case Q8_0 -> Q8_0Tensor::quantizeBlock;
            case Q4_0 -> Q4_0Tensor::quantizeBlock;
            case Q4_1 -> Q4_1Tensor::quantizeBlock;
            case Q5_0 -> Q5_0Tensor::quantizeBlock;
            case Q5_1 -> Q5_1Tensor::quantizeBlock;
            case IQ4_NL -> IQ4_NLTensor::quantizeBlock;
            case Q2_K -> Q2_KTensor::quantizeBlock;
            case Q3_K -> Q3_KTensor::quantizeBlock;
            case Q4_K -> Q4_KTensor::quantizeBlock;
            case Q5_K -> Q5_KTensor::quantizeBlock;
            case Q6_K -> Q6_KTensor::quantizeBlock;
            case IQ4_XS -> IQ4_XSTensor::quantizeBlock;
            default -> throw new IllegalArgumentException("cannot quantize to " + type + " (supported: " + SUPPORTED + ")");
        };
    }

    /** Rounds to the nearest bfloat16, ties to even; NaNs stay NaN (made quiet, as ggml does). */
    public static short toBF16(float value) {
        int bits = Float.floatToRawIntBits(value);
        if ((bits & 0x7FFF_FFFF) > 0x7F80_0000) {
            return (short) ((bits >>> 16) | 0x40);
        }
        return (short) ((bits + 0x7FFF + ((bits >>> 16) & 1)) >>> 16);
    }

    static int roundHalfAwayFromZero(float v) {
        return v < 0 ? -Math.round(-v) : Math.round(v);
    }
}
