package dev.dossier.runtime.model;

import dev.dossier.runtime.gguf.GgmlType;

/**
 * The file types of Llama GGUF files as llama.cpp's {@code llama-quantize} names them (Q4_K_M,
 * Q3_K_S, ...), and which tensor type each gives each matrix of a Llama model: a file type is a
 * mixture, not one type. Q4_K_M, the hubs' most downloaded file, keeps the output matrix and
 * about half of the layers' value and down projections in Q6_K. The rules are those of
 * llama.cpp's {@code llama_tensor_get_type} for Llama models without an importance matrix, so a
 * file written with them has the same tensor types as one that {@code llama-quantize} makes from
 * the same weights. The id is the file's {@code general.file_type}.
 */
public enum FileType {
    F32(0, GgmlType.F32),
    F16(1, GgmlType.F16),
    BF16(32, GgmlType.BF16),
    Q8_0(7, GgmlType.Q8_0),
    Q4_0(2, GgmlType.Q4_0),
    Q4_1(3, GgmlType.Q4_1),
    Q5_0(8, GgmlType.Q5_0),
    Q5_1(9, GgmlType.Q5_1),
    IQ4_NL(25, GgmlType.IQ4_NL),
    IQ4_XS(30, GgmlType.IQ4_XS),
    Q2_K(10, GgmlType.Q2_K),
    Q3_K_S(11, GgmlType.Q3_K),
    Q3_K_M(12, GgmlType.Q3_K),
    Q3_K_L(13, GgmlType.Q3_K),
    Q4_K_S(14, GgmlType.Q4_K),
    Q4_K_M(15, GgmlType.Q4_K),
    Q5_K_S(16, GgmlType.Q5_K),
    Q5_K_M(17, GgmlType.Q5_K),
    Q6_K(18, GgmlType.Q6_K);

    /** The matrices of a Llama model, by what they do. */
    public enum Role { TOKEN_EMBEDDING, OUTPUT, QUERY, KEY, VALUE, ATTENTION_OUTPUT, GATE, UP, DOWN }

    private final int id;
    private final GgmlType base;

    FileType(int id, GgmlType base) {
        this.id = id;
        this.base = base;
    }

    /** {@code general.file_type}. */
    public int id() {
        return id;
    }

    /** The type of most matrices. */
    public GgmlType base() {
        return base;
    }

    /**
     * The type of the matrix of {@code role} in layer {@code layer} of {@code layers} (ignored for
     * the embedding and output), with rows of {@code cols} values, in a model whose query heads
     * share each KV head {@code queriesPerKvHead} ways.
     */
    public GgmlType typeOf(Role role, int layer, int layers, int cols, int queriesPerKvHead) {
        if (base == GgmlType.F32 || base == GgmlType.F16 || base == GgmlType.BF16) {
            return base;
        }
        return fitting(mixed(role, layer, layers, queriesPerKvHead), cols);
    }

    private GgmlType mixed(Role role, int layer, int layers, int queriesPerKvHead) {
        boolean moreBits = layer < layers / 8 || layer >= 7 * layers / 8 || (layer - layers / 8) % 3 == 2;
        return switch (role) {
            case OUTPUT -> base == GgmlType.Q8_0 ? GgmlType.Q8_0 : GgmlType.Q6_K;
            case VALUE -> switch (this) {
                case Q2_K -> queriesPerKvHead >= 4 ? GgmlType.Q4_K : GgmlType.Q3_K;
                case Q3_K_M -> layer < 2 ? GgmlType.Q5_K : GgmlType.Q4_K;
                case Q3_K_L -> GgmlType.Q5_K;
                case IQ4_NL, IQ4_XS -> queriesPerKvHead >= 4 ? GgmlType.Q5_K : base;
                case Q4_K_M, Q5_K_M -> moreBits ? GgmlType.Q6_K : base;
                case Q4_K_S -> layer < 4 ? GgmlType.Q5_K : base;
                default -> base;
            };
            case DOWN -> switch (this) {
                case Q2_K -> GgmlType.Q3_K;
                case Q3_K_M -> layer < layers / 16 ? GgmlType.Q5_K : GgmlType.Q4_K;
                case Q3_K_L -> GgmlType.Q5_K;
                case Q4_K_M, Q5_K_M -> moreBits ? GgmlType.Q6_K : base;
                case IQ4_NL, IQ4_XS -> layer < layers / 8 ? GgmlType.Q5_K : base;
                case Q4_K_S -> layer < layers / 8 ? GgmlType.Q5_K : base;
                default -> base;
            };
            case ATTENTION_OUTPUT -> switch (this) {
                case Q2_K -> GgmlType.Q3_K;
                case Q3_K_M -> GgmlType.Q4_K;
                case Q3_K_L -> GgmlType.Q5_K;
                default -> base;
            };
            case TOKEN_EMBEDDING, QUERY, KEY, GATE, UP -> base;
        };
    }

    /**
     * llama.cpp's fallback for rows that are not whole blocks of the chosen type (a K-quant's 256:
     * a Q4_K matrix of rows of 2080 is Q5_0); the other types have none.
     */
    private static GgmlType fitting(GgmlType type, int cols) {
        if (cols % type.blockSize() == 0) {
            return type;
        }
        GgmlType fallback = switch (type) {
            case Q2_K, Q3_K, IQ4_XS -> GgmlType.IQ4_NL;
            case Q4_K -> GgmlType.Q5_0;
            case Q5_K -> GgmlType.Q5_1;
            case Q6_K -> GgmlType.Q8_0;
            default -> throw new IllegalArgumentException("rows of " + cols + " values are not whole " + type + " blocks");
        };
        return cols % fallback.blockSize() == 0 ? fallback : GgmlType.F16;
    }
}
