package dev.dossier.runtime.cli;

import dev.dossier.runtime.gguf.GgufFile;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.tokenizer.Tokenizer;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import picocli.CommandLine.Option;

/** {@code --model}: the GGUF file every command works on, and how to load it. */
final class ModelOption {
    @Option(names = {"-m", "--model"}, required = true, paramLabel = "FILE",
            description = "The model, a Llama GGUF file.")
    Path path;

    /** Loads the model, showing progress on stderr while it lasts. */
    Llama load(PrintWriter err) throws IOException {
        return load(err, Llama.DecodeProducts.FAST);
    }

    Llama load(PrintWriter err, Llama.DecodeProducts products) throws IOException {
        checkReadable();
        try (ProgressLine progress = new ProgressLine(err)) {
            return Llama.load(path, products, message -> progress.show("loading: " + message));
        }
    }

    /** Reads only the vocabulary: enough for tokenizing, and quick even for large models. */
    Tokenizer loadTokenizer() throws IOException {
        checkReadable();
        try (GgufFile file = GgufFile.open(path)) {
            return Tokenizer.fromGguf(file);
        }
    }

    private void checkReadable() {
        if (!Files.exists(path)) {
            throw new InputException("model file not found: " + path);
        }
        if (!Files.isRegularFile(path)) {
            throw new InputException("not a model file: " + path);
        }
    }
}
