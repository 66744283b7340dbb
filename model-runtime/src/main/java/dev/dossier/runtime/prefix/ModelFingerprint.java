package dev.dossier.runtime.prefix;

import dev.dossier.runtime.model.Llama;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;

/**
 * Identifies the model file a prefix cache was computed with, cheaply enough to check on every
 * read: the file name and size, and a SHA-256 over the GGUF header (metadata, vocabulary and
 * tensor table) plus the first and the last MiB of tensor data. Hashing the whole file would
 * take seconds for a 7B model; the header and both ends of the weights catch a different model,
 * a re-quantization or a fine-tune of the same architecture, which all change those bytes.
 *
 * @param fileName the model's file name (without directories, so a moved model still matches)
 * @param fileSize its size in bytes
 * @param sha256   hex SHA-256 of the sampled bytes
 */
public record ModelFingerprint(String fileName, long fileSize, String sha256) {
    private static final int SAMPLE_BYTES = 1 << 20;

    public static ModelFingerprint of(Llama model) {
        Path path = model.path();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            MessageDigest digest = MessageDigest.getInstance("SHA-256");
            long headEnd = Math.min(size, model.file().dataStart() + SAMPLE_BYTES);
            hash(channel, 0, headEnd, digest);
            hash(channel, Math.max(headEnd, size - SAMPLE_BYTES), size, digest);
            return new ModelFingerprint(path.getFileName().toString(), size, HexFormat.of().formatHex(digest.digest()));
        } catch (IOException e) {
            throw new UncheckedIOException("cannot fingerprint " + path, e);
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("SHA-256 is missing from this JDK", e);
        }
    }

    private static void hash(FileChannel channel, long from, long to, MessageDigest digest) throws IOException {
        ByteBuffer buffer = ByteBuffer.allocate(64 * 1024);
        for (long position = from; position < to; ) {
            buffer.clear().limit((int) Math.min(buffer.capacity(), to - position));
            int read = channel.read(buffer, position);
            if (read < 0) {
                throw new IOException("unexpected end of file at byte " + position);
            }
            digest.update(buffer.flip());
            position += read;
        }
    }

    @Override
    public String toString() {
        return fileName + " (" + fileSize + " bytes, sha256 " + sha256.substring(0, 12) + "…)";
    }
}
