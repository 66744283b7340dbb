package dev.dossier.runtime;

import java.nio.file.Files;
import java.nio.file.Path;

/** Paths to the shared fixtures (../shared beside the checkout; surefire passes it as dossier.shared). */
public final class Fixtures {
    private Fixtures() {
    }

    public static Path shared() {
        String configured = System.getProperty("dossier.shared");
        Path path = configured != null ? Path.of(configured) : Path.of("../../shared");
        if (!Files.isDirectory(path)) {
            throw new IllegalStateException("shared fixtures not found at " + path.toAbsolutePath());
        }
        return path;
    }

    public static Path stories260K() {
        return shared().resolve("models/stories260K.gguf");
    }

    /** The golden text's first sentence. */
    public static String goldenGreedyPrefix() throws java.io.IOException {
        String golden = goldenGreedy256();
        return golden.substring(0, golden.indexOf('.') + 1);
    }

    public static String goldenGreedy256() throws java.io.IOException {
        return Files.readString(shared().resolve("models/stories260K.greedy256.txt"));
    }
}
