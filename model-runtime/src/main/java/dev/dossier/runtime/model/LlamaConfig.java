package dev.dossier.runtime.model;

import dev.dossier.runtime.gguf.GgufFile;
import dev.dossier.runtime.gguf.GgufFormatException;

/**
 * The shape of a Llama-architecture model, read from GGUF metadata.
 *
 * @param contextLength the training context {@code c} ({@code llama.context_length})
 */
public record LlamaConfig(
        int dim,
        int hiddenDim,
        int layers,
        int heads,
        int kvHeads,
        int vocabularySize,
        int contextLength,
        float rmsEpsilon,
        float ropeBase,
        int ropeDimensions) {

    public LlamaConfig {
        if (dim <= 0 || hiddenDim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || vocabularySize <= 0 || contextLength <= 0) {
            throw new GgufFormatException("model sizes must be positive: " + this);
        }
        if (dim % heads != 0) {
            throw new GgufFormatException("embedding length " + dim + " is not a multiple of the head count " + heads);
        }
        if (heads % kvHeads != 0) {
            throw new GgufFormatException("head count " + heads + " is not a multiple of the key/value head count " + kvHeads);
        }
    }

    public int headSize() {
        return dim / heads;
    }

    public int kvDim() {
        return kvHeads * headSize();
    }

    /** Query heads that share one key/value head (grouped-query attention). */
    public int queriesPerKvHead() {
        return heads / kvHeads;
    }

    static LlamaConfig fromGguf(GgufFile gguf, int vocabularySize) {
        String architecture = gguf.string("general.architecture");
        if (!architecture.equals("llama")) {
            throw new GgufFormatException("unsupported architecture '" + architecture + "' (Dossier runs 'llama' models)");
        }
        int dim = gguf.integer("llama.embedding_length");
        int heads = gguf.integer("llama.attention.head_count");
        return new LlamaConfig(
                dim,
                gguf.integer("llama.feed_forward_length"),
                gguf.integer("llama.block_count"),
                heads,
                gguf.integer("llama.attention.head_count_kv", heads),
                vocabularySize,
                gguf.integer("llama.context_length"),
                gguf.real("llama.attention.layer_norm_rms_epsilon", 1e-5f),
                gguf.real("llama.rope.freq_base", 10000f),
                gguf.integer("llama.rope.dimension_count", dim / heads));
    }
}
