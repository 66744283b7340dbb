package dev.dossier.runtime.model;

import dev.dossier.runtime.gguf.GgmlType;
import dev.dossier.runtime.gguf.GgufFile;
import dev.dossier.runtime.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Map;
import java.util.function.Consumer;

/**
 * A loaded Llama model: configuration, tokenizer and weights, immutable and shareable between
 * threads. Per-conversation state lives in {@link Session}. Closing the model unmaps the file,
 * so close it only when no session uses it any more.
 */
public final class Llama implements AutoCloseable {
    private final GgufFile file;
    private final LlamaConfig config;
    private final Tokenizer tokenizer;
    private final LlamaWeights weights;

    private Llama(GgufFile file, LlamaConfig config, Tokenizer tokenizer, LlamaWeights weights) {
        this.file = file;
        this.config = config;
        this.tokenizer = tokenizer;
        this.weights = weights;
    }

    /** How decoding multiplies Q4_0 and Q8_0 weight matrices; the choice is made at load, where the weights are laid out. */
    public enum DecodeProducts {
        /**
         * Repacked for integer products with the vector rounded to 8 bits per block, as llama.cpp
         * computes them: decoding 1.2-1.5x faster on AVX-512 CPUs (on AVX2 ones Q4_0 1.9x, Q8_0 1.2-1.5x),
         * each product within about 1% of the exact one (see {@link
         * dev.dossier.runtime.tensor.InterleavedTensor}).
         */
        FAST,
        /** Float products of the weights as stored: the reference when engines are compared bit for bit. */
        EXACT;

        /** The name on the command line and in bench's JSON. */
        public String id() {
            return name().toLowerCase(java.util.Locale.ROOT);
        }
    }

    public static Llama load(Path path) throws IOException {
        return load(path, message -> { });
    }

    /** Loads {@code path} with {@link DecodeProducts#FAST}, reporting progress as short messages. */
    public static Llama load(Path path, Consumer<String> progress) throws IOException {
        return load(path, DecodeProducts.FAST, progress);
    }

    /** Loads {@code path}, reporting progress as short messages (the file is mapped; only repacked matrices are read). */
    public static Llama load(Path path, DecodeProducts products, Consumer<String> progress) throws IOException {
        progress.accept("mapping " + path);
        GgufFile file = GgufFile.open(path);
        try {
            Tokenizer tokenizer = Tokenizer.fromGguf(file);
            LlamaConfig config = LlamaConfig.fromGguf(file, tokenizer.vocabularySize());
            progress.accept("checking " + config.layers() + " layers");
            LlamaWeights weights = LlamaWeights.fromGguf(file, config, products,
                    layer -> progress.accept("layer " + layer + "/" + config.layers() + " ready"));
            return new Llama(file, config, tokenizer, weights);
        } catch (RuntimeException e) {
            file.close();
            throw e;
        }
    }

    public LlamaConfig config() {
        return config;
    }

    public Tokenizer tokenizer() {
        return tokenizer;
    }

    public LlamaWeights weights() {
        return weights;
    }

    public GgufFile file() {
        return file;
    }

    public Path path() {
        return file.path();
    }

    /** How many weight matrices use each tensor type. */
    public Map<GgmlType, Integer> tensorTypes() {
        return weights.typeCounts();
    }

    @Override
    public void close() {
        file.close();
    }
}
