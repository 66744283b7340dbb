package dev.dossier.runtime.cli;

import dev.dossier.runtime.model.FileType;
import dev.dossier.runtime.model.RandomModel;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "make-model", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Writes a Llama-2-architecture GGUF with random weights (N(0, 0.02), norms 1), for bench.",
                "The defaults are TinyLlama 1.1B's shape. Tensors are written one row at a time, so memory stays small.",
                "File types mix tensor types as llama-quantize does (Q4_K_M keeps the output and some value and down",
                "projections in Q6_K); --pure writes every matrix in the file type's main type."})
final class MakeModelCommand implements Callable<Integer> {

    @Spec
    CommandSpec spec;

    @Option(names = {"-o", "--out"}, required = true, paramLabel = "FILE", description = "The GGUF file to write.")
    Path out;

    @Option(names = "--type", defaultValue = "Q4_0", description = "File type, as llama-quantize names them: ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
    FileType type;

    @Option(names = "--pure", description = "Every matrix in the file type's main type (Q4_K for Q4_K_M), as llama-quantize --pure.")
    boolean pure;

    @Option(names = "--dim", defaultValue = "2048", description = "Embedding length (default: ${DEFAULT-VALUE}).")
    int dim;

    @Option(names = "--layers", defaultValue = "22", description = "Layers (default: ${DEFAULT-VALUE}).")
    int layers;

    @Option(names = "--heads", defaultValue = "32", description = "Query heads (default: ${DEFAULT-VALUE}).")
    int heads;

    @Option(names = "--kv-heads", defaultValue = "4", description = "Key/value heads (default: ${DEFAULT-VALUE}).")
    int kvHeads;

    @Option(names = "--ff", defaultValue = "5632", description = "Feed-forward length (default: ${DEFAULT-VALUE}).")
    int ff;

    @Option(names = "--vocab", defaultValue = "32000", description = "Vocabulary size (default: ${DEFAULT-VALUE}).")
    int vocab;

    @Option(names = "--context", defaultValue = "4096", description = "Training context (default: ${DEFAULT-VALUE}).")
    int context;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the weights (default: ${DEFAULT-VALUE}).")
    long seed;

    @Override
    public Integer call() throws Exception {
        PrintWriter err = spec.commandLine().getErr();
        RandomModel.Shape shape;
        try {
            shape = new RandomModel.Shape(dim, layers, heads, kvHeads, ff, vocab, context);
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
        long start = System.nanoTime();
        try {
            if (pure) {
                RandomModel.write(out, shape, type.base(), seed);
            } else {
                RandomModel.write(out, shape, type, seed);
            }
        } catch (IllegalArgumentException e) {
            throw new InputException(e.getMessage());
        }
        err.printf(Locale.ROOT, "wrote %s (%s, %s) in %.1f s%n", out, type, Sizes.bytes(Files.size(out)), (System.nanoTime() - start) / 1e9);
        return 0;
    }
}
