package dev.dossier.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.runtime.gguf.GgufFile;
import dev.dossier.runtime.gguf.GgufFormatException;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenizerGgufErrorTest {
    private static final int STRING_TYPE = 8;

    @TempDir
    Path directory;

    @Test
    void rejectsTokenizerModelsOtherThanLlama() throws IOException {
        Path file = directory.resolve("gpt2-vocab.gguf");
        Files.write(file, ggufWithStringMetadata("tokenizer.ggml.model", "gpt2"));
        try (GgufFile gguf = GgufFile.open(file)) {
            GgufFormatException e = assertThrows(GgufFormatException.class, () -> Tokenizer.fromGguf(gguf));
            assertTrue(e.getMessage().contains("gpt2-vocab.gguf"), e.getMessage());
            assertTrue(e.getMessage().contains("unsupported tokenizer model 'gpt2'"), e.getMessage());
        }
    }

    @Test
    void namesMissingVocabulary() throws IOException {
        Path file = directory.resolve("no-tokens.gguf");
        Files.write(file, ggufWithStringMetadata("tokenizer.ggml.model", "llama"));
        try (GgufFile gguf = GgufFile.open(file)) {
            GgufFormatException e = assertThrows(GgufFormatException.class, () -> Tokenizer.fromGguf(gguf));
            assertTrue(e.getMessage().contains("tokenizer.ggml.tokens"), e.getMessage());
        }
    }

    /** A GGUF version 3 file with no tensors and a single string metadata entry. */
    private static byte[] ggufWithStringMetadata(String key, String value) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        out.writeBytes(littleEndian(4).putInt(GgufFile.MAGIC).array());
        out.writeBytes(littleEndian(4).putInt(3).array()); // version
        out.writeBytes(littleEndian(8).putLong(0).array()); // tensor count
        out.writeBytes(littleEndian(8).putLong(1).array()); // metadata count
        writeString(out, key);
        out.writeBytes(littleEndian(4).putInt(STRING_TYPE).array());
        writeString(out, value);
        return out.toByteArray();
    }

    private static void writeString(ByteArrayOutputStream out, String text) {
        byte[] bytes = text.getBytes(StandardCharsets.UTF_8);
        out.writeBytes(littleEndian(8).putLong(bytes.length).array());
        out.writeBytes(bytes);
    }

    private static ByteBuffer littleEndian(int size) {
        return ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
    }
}
