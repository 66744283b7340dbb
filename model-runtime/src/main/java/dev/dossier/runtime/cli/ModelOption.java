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

    @Option(names = "--products", paramLabel = "fast|exact", defaultValue = "fast",
            description = "How decoding multiplies Q4_0 and Q8_0 matrices. fast (default): repacked, the vector "
                    + "rounded to 8 bits per block as llama.cpp does (each product within about 1%%); "
                    + "exact: float products of the weights as stored (slower decoding).")
    Llama.DecodeProducts products;

    /** Loads the model as {@code --products} asks, showing progress on stderr while it lasts. */
    Llama load(PrintWriter err) throws IOException {
        return load(err, products);
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
