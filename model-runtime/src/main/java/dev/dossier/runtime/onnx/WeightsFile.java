package dev.dossier.runtime.onnx;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.ByteBuffer;
import java.nio.channels.FileChannel;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.HashMap;
import java.util.Map;
import java.util.function.Supplier;

/**
 * The external data file beside a graph: ONNX keeps initializers over 2 GB out of the protobuf,
 * so every weight is appended here and the graph records its offset and length.
 */
final class WeightsFile implements AutoCloseable {
    /** Offsets are aligned so ONNX Runtime may map the data without copying. */
    private static final int ALIGNMENT = 64;

    record Span(long offset, long length) {
    }

    private final Path path;
    private final FileChannel channel;
    private final Map<String, Span> written = new HashMap<>();
    private long size;

    WeightsFile(Path path) throws IOException {
        this.path = path;
        this.channel = FileChannel.open(path, StandardOpenOption.CREATE, StandardOpenOption.TRUNCATE_EXISTING, StandardOpenOption.WRITE);
    }

    String fileName() {
        return path.getFileName().toString();
    }

    /** Where weight {@code name} lies, appending {@code bytes} the first time it is asked for. */
    Span spanOf(String name, Supplier<ByteBuffer> bytes) {
        Span span = written.get(name);
        if (span == null) {
            span = append(bytes.get());
            written.put(name, span);
        }
        return span;
    }

    private Span append(ByteBuffer bytes) {
        long offset = (size + ALIGNMENT - 1) / ALIGNMENT * ALIGNMENT;
        long length = bytes.remaining();
        try {
            long at = offset;
            while (bytes.hasRemaining()) {
                at += channel.write(bytes, at);
            }
        } catch (IOException e) {
            throw new UncheckedIOException("cannot write ONNX weights to " + path, e);
        }
        size = offset + length;
        return new Span(offset, length);
    }

    long size() {
        return size;
    }

    @Override
    public void close() throws IOException {
        channel.close();
    }
}
