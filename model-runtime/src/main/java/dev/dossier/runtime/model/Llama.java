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

    public static Llama load(Path path) throws IOException {
        return load(path, message -> { });
    }

    /** Loads {@code path}, reporting progress as short messages (the file is mapped, not read). */
    public static Llama load(Path path, Consumer<String> progress) throws IOException {
        progress.accept("mapping " + path);
        GgufFile file = GgufFile.open(path);
        try {
            Tokenizer tokenizer = Tokenizer.fromGguf(file);
            LlamaConfig config = LlamaConfig.fromGguf(file, tokenizer.vocabularySize());
            progress.accept("checking " + config.layers() + " layers");
            LlamaWeights weights = LlamaWeights.fromGguf(file, config,
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
