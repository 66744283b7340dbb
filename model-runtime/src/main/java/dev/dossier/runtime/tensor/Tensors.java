package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import dev.dossier.runtime.gguf.GgufFormatException;
import java.lang.foreign.MemorySegment;
import java.util.EnumSet;
import java.util.Set;

/** Wraps raw tensor bytes in the {@link FloatTensor} for their type. */
public final class Tensors {
    public static final Set<GgmlType> SUPPORTED = EnumSet.of(
            GgmlType.F32, GgmlType.F16, GgmlType.BF16, GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.Q4_1, GgmlType.Q5_0, GgmlType.Q5_1,
            GgmlType.IQ4_NL, GgmlType.Q2_K, GgmlType.Q3_K, GgmlType.Q4_K, GgmlType.Q5_K, GgmlType.Q6_K, GgmlType.IQ4_XS);

    private Tensors() {
    }

    public static FloatTensor of(GgmlType type, MemorySegment data, long size) {
        return switch (type) {
            case F32 -> new F32Tensor(data, size);
            case F16 -> new F16Tensor(data, size);
            case BF16 -> new BF16Tensor(data, size);
            case Q8_0 -> new Q8_0Tensor(data, size);
            case Q4_0 -> new Q4_0Tensor(data, size);
            case Q4_1 -> new Q4_1Tensor(data, size);
            case Q5_0 -> new Q5_0Tensor(data, size);
            case Q5_1 -> new Q5_1Tensor(data, size);
            case IQ4_NL -> new IQ4_NLTensor(data, size);
            case Q2_K -> new Q2_KTensor(data, size);
            case Q3_K -> new Q3_KTensor(data, size);
            case Q4_K -> new Q4_KTensor(data, size);
            case Q5_K -> new Q5_KTensor(data, size);
            case Q6_K -> new Q6_KTensor(data, size);
            case IQ4_XS -> new IQ4_XSTensor(data, size);
            default -> throw new GgufFormatException("tensor type " + type + " is not supported (supported: " + SUPPORTED + ")");
        };
    }
}
