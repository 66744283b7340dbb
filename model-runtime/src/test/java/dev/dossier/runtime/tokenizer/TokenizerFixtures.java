package dev.dossier.runtime.tokenizer;

import dev.dossier.runtime.gguf.GgufFile;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Path;

/** The shared fixture files: {@code -Ddossier.shared} (set by surefire), else {@code ../../shared} beside the checkout. */
final class TokenizerFixtures {
    private TokenizerFixtures() {
    }

    static Path shared(String relativePath) {
        String root = System.getProperty("dossier.shared");
        Path base = root == null || root.isBlank() ? Path.of("../../shared") : Path.of(root);
        return base.resolve(relativePath);
    }

    /** Decodes token by token through a {@link Decoder}, checking that no chunk holds a broken character. */
    static String decodeStreaming(Tokenizer tokenizer, int[] ids) {
        Decoder decoder = tokenizer.newDecoder();
        StringBuilder text = new StringBuilder();
        for (int id : ids) {
            String chunk = decoder.accept(id);
            if (chunk.contains("\uFFFD") || !chunk.isEmpty() && Character.isLowSurrogate(chunk.charAt(0))) {
                throw new AssertionError("broken character in \"" + chunk + "\" after token " + id + " " + tokenizer.piece(id));
            }
            text.append(chunk);
        }
        return text.append(decoder.flush()).toString();
    }

    /** The tokenizer of a fixture GGUF; the file is closed again since the tokenizer copies what it needs. */
    static Tokenizer tokenizer(String relativePath) {
        try (GgufFile gguf = GgufFile.open(shared(relativePath))) {
            return Tokenizer.fromGguf(gguf);
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
