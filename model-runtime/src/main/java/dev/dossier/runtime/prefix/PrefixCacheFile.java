package dev.dossier.runtime.prefix;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.attention.KvCache;
import dev.dossier.runtime.engine.Engine;
import dev.dossier.runtime.model.ContextOverflowException;
import dev.dossier.runtime.model.Session;
import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.nio.file.StandardOpenOption;
import java.util.Arrays;
import java.util.zip.CRC32C;

/**
 * The KV cache of a prompt prefix (typically a document set) saved to disk, so that after a
 * restart the prefix is read back in a moment instead of being prefilled again.
 *
 * <p>Layout, all little-endian:
 * <pre>
 *   "DOSSKV01"                                  magic, 8 bytes
 *   int version                                 {@value #VERSION}
 *   string modelFileName, long modelFileSize,
 *   string modelSha256                          the {@link ModelFingerprint}; string = int length + UTF-8
 *   byte dca, int chunkSize, int localWindow    the {@link AttentionConfig} keys were rotated for
 *   int layers, int kvHeads, int headSize       the cache's shape
 *   int valueType                               how the elements are stored: 0 = F32, 1 = F16
 *   int prefixLength, int[prefixLength] tokens
 *   int payloadCrc32c, int headerCrc32c         the header CRC covers every header byte before it
 *   payload: for each layer, for each KV head: prefixLength x headSize keys, then as many values
 * </pre>
 * A file holds its cache's own precision; read into a session whose engine keeps another (the
 * Java engine F16, the onnx engine F32), the elements are converted.
 * Files are written to a temporary file beside the target and moved over it atomically, so a crash
 * never leaves a half-written cache under the real name.
 */
public final class PrefixCacheFile {
    static final int VERSION = 1;
    private static final byte[] MAGIC = "DOSSKV01".getBytes(StandardCharsets.US_ASCII);
    /** The value type codes of the header, by {@link KvCache.Precision}: F32 = 0, F16 = 1. */
    private static final KvCache.Precision[] VALUE_TYPES = {KvCache.Precision.F32, KvCache.Precision.F16};

    /**
     * What a prefix cache file holds, apart from the keys and values themselves.
     *
     * @param tokens the prefix whose keys and values the file holds
     */
    public record Header(ModelFingerprint model, AttentionConfig attention, int layers, int kvHeads, int headSize,
                         KvCache.Precision precision, int[] tokens) {

        /** Bytes of keys and values after the header. */
        long payloadBytes() {
            return KvCache.bytesFor(layers, kvHeads, headSize, tokens.length, precision);
        }
    }

    private PrefixCacheFile() {
    }

    /**
     * Saves the first {@code prefixLength} cached tokens of {@code session} with their keys and
     * values, replacing {@code file} atomically.
     */
    public static void write(Session session, int prefixLength, Path file, ModelFingerprint fingerprint) throws IOException {
        if (prefixLength < 0 || prefixLength > session.position()) {
            throw new IllegalArgumentException("cannot save a prefix of " + prefixLength + " tokens from a session holding " + session.position());
        }
        KvCache cache = session.cache();
        Header header = new Header(fingerprint, session.attentionConfig(), cache.layers(), cache.kvHeads(), cache.headSize(),
                cache.precision(), Arrays.copyOf(session.cachedTokens(), prefixLength));
        Path target = file.toAbsolutePath();
        Path temporary = Files.createTempFile(target.getParent(), target.getFileName() + ".", ".tmp");
        try {
            try (FileChannel channel = FileChannel.open(temporary, StandardOpenOption.READ, StandardOpenOption.WRITE);
                 Arena arena = Arena.ofConfined()) {
                // The header ends with the payload's checksum, so the payload goes first, after room for the header.
                int headerBytes = encodeHeader(header, 0).remaining();
                MemorySegment mapping = channel.map(FileChannel.MapMode.READ_WRITE, 0, headerBytes + header.payloadBytes(), arena);
                MemorySegment payload = mapping.asSlice(headerBytes);
                copyPayload(cache, prefixLength, payload, header.precision(), Direction.TO_FILE);
                mapping.asSlice(0, headerBytes).copyFrom(MemorySegment.ofBuffer(encodeHeader(header, crc32c(payload))));
                mapping.force();
                channel.force(true);
            }
            Files.move(temporary, target, StandardCopyOption.ATOMIC_MOVE, StandardCopyOption.REPLACE_EXISTING);
        } catch (IOException | RuntimeException e) {
            Files.deleteIfExists(temporary);
            throw e;
        }
    }

    /** Reads only the header: which model, attention and prefix tokens the file is for. */
    public static Header readHeader(Path file) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            return new Reader(file, map(file, arena)).header();
        }
    }

    /**
     * A new session of {@code engine}, with the attention config the file was written for, whose
     * cache holds the saved prefix.
     */
    public static Session read(Path file, Engine engine, int capacity) throws IOException {
        Session session = engine.newSession(readHeader(file).attention(), capacity);
        readInto(file, session);
        return session;
    }

    /**
     * Replaces the cache of {@code session} with the saved prefix. Refuses, with a
     * {@link PrefixCacheException} and the session untouched, a file that is damaged or truncated
     * or was written for another model, attention config or cache shape.
     */
    public static void readInto(Path file, Session session) throws IOException {
        try (Arena arena = Arena.ofConfined()) {
            MemorySegment mapping = map(file, arena);
            Reader reader = new Reader(file, mapping);
            Header header = reader.header();
            checkCompatible(file, header, session);
            long payloadStart = reader.position;
            long expectedSize = payloadStart + header.payloadBytes();
            if (mapping.byteSize() != expectedSize) {
                throw new PrefixCacheException(file + " should be " + expectedSize + " bytes for a prefix of "
                        + header.tokens().length + " tokens but is " + mapping.byteSize() + " (truncated or damaged)");
            }
            MemorySegment payload = mapping.asSlice(payloadStart);
            if (crc32c(payload) != reader.payloadCrc) {
                throw new PrefixCacheException(file + " is damaged: its keys and values do not match their checksum");
            }
            copyPayload(session.cache(), header.tokens().length, payload, header.precision(), Direction.FROM_FILE);
            session.restore(header.tokens());
        }
    }

    private static void checkCompatible(Path file, Header header, Session session) throws PrefixCacheException {
        ModelFingerprint model = ModelFingerprint.of(session.model());
        if (!header.model().equals(model)) {
            throw new PrefixCacheException(file + " was made for model " + header.model() + ", not " + model);
        }
        AttentionConfig attention = session.attentionConfig();
        boolean sameAttention = header.attention().dca() == attention.dca()
                && (!attention.dca() || header.attention().equals(attention));
        if (!sameAttention) {
            throw new PrefixCacheException(file + " was made with attention " + header.attention() + ", not " + attention);
        }
        KvCache cache = session.cache();
        if (header.layers() != cache.layers() || header.kvHeads() != cache.kvHeads() || header.headSize() != cache.headSize()) {
            throw new PrefixCacheException(file + " holds a cache of " + header.layers() + " layers x " + header.kvHeads()
                    + " KV heads x " + header.headSize() + ", the model needs " + cache.layers() + " x " + cache.kvHeads() + " x " + cache.headSize());
        }
        if (header.tokens().length > session.capacity()) {
            throw new ContextOverflowException(header.tokens().length, session.capacity());
        }
    }

    private static MemorySegment map(Path file, Arena arena) throws IOException {
        try (FileChannel channel = FileChannel.open(file, StandardOpenOption.READ)) {
            return channel.map(FileChannel.MapMode.READ_ONLY, 0, channel.size(), arena);
        }
    }

    private static ByteBuffer encodeHeader(Header header, int payloadCrc) {
        byte[] name = header.model().fileName().getBytes(StandardCharsets.UTF_8);
        byte[] sha = header.model().sha256().getBytes(StandardCharsets.US_ASCII);
        int size = MAGIC.length + 4 + (4 + name.length) + 8 + (4 + sha.length) + 1 + 4 + 4 + 3 * 4 + 4
                + 4 + 4 * header.tokens().length + 4 + 4;
        ByteBuffer buffer = ByteBuffer.allocate(size).order(ByteOrder.LITTLE_ENDIAN);
        buffer.put(MAGIC).putInt(VERSION);
        buffer.putInt(name.length).put(name).putLong(header.model().fileSize()).putInt(sha.length).put(sha);
        AttentionConfig attention = header.attention();
        buffer.put((byte) (attention.dca() ? 1 : 0)).putInt(attention.chunkSize()).putInt(attention.localWindow());
        buffer.putInt(header.layers()).putInt(header.kvHeads()).putInt(header.headSize())
                .putInt(Arrays.asList(VALUE_TYPES).indexOf(header.precision()));
        buffer.putInt(header.tokens().length);
        for (int token : header.tokens()) {
            buffer.putInt(token);
        }
        buffer.putInt(payloadCrc);
        CRC32C crc = new CRC32C();
        crc.update(buffer.array(), 0, buffer.position());
        buffer.putInt((int) crc.getValue());
        return buffer.flip();
    }

    private enum Direction { TO_FILE, FROM_FILE }

    /**
     * Copies the first {@code prefixLength} tokens' keys and values of every layer and KV head
     * between the cache (native byte order) and the file's payload (little-endian, in
     * {@code filePrecision}), in payload order.
     */
    private static void copyPayload(KvCache cache, int prefixLength, MemorySegment payload, KvCache.Precision filePrecision,
                                    Direction direction) {
        long elementsPerHead = (long) prefixLength * cache.headSize();
        long offset = 0;
        for (int layer = 0; layer < cache.layers(); layer++) {
            for (int head = 0; head < cache.kvHeads(); head++) {
                for (MemorySegment cached : new MemorySegment[] {cache.keys(layer, head), cache.values(layer, head)}) {
                    Elements inCache = new Elements(cached, 0, cache.precision(), ByteOrder.nativeOrder());
                    Elements inFile = new Elements(payload, offset, filePrecision, ByteOrder.LITTLE_ENDIAN);
                    if (direction == Direction.TO_FILE) {
                        inCache.copyTo(inFile, elementsPerHead);
                    } else {
                        inFile.copyTo(inCache, elementsPerHead);
                    }
                    offset += elementsPerHead * filePrecision.bytes();
                }
            }
        }
    }

    /** A run of cached elements from byte {@code offset} of {@code segment} on. */
    private record Elements(MemorySegment segment, long offset, KvCache.Precision precision, ByteOrder order) {
        /** Copies the first {@code n} elements to {@code target}, converting precision and byte order where they differ. */
        void copyTo(Elements target, long n) {
            if (precision == target.precision) {
                MemorySegment.copy(segment, layout(), offset, target.segment, target.layout(), target.offset, n);
                return;
            }
            for (long i = 0; i < n; i++) {
                target.set(i, get(i));
            }
        }

        private ValueLayout layout() {
            return (precision == KvCache.Precision.F32 ? ValueLayout.JAVA_FLOAT_UNALIGNED : ValueLayout.JAVA_SHORT_UNALIGNED).withOrder(order);
        }

        private float get(long i) {
            long at = offset + i * precision.bytes();
            return precision == KvCache.Precision.F32
                    ? segment.get((ValueLayout.OfFloat) layout(), at)
                    : Float.float16ToFloat(segment.get((ValueLayout.OfShort) layout(), at));
        }

        private void set(long i, float value) {
            long at = offset + i * precision.bytes();
            if (precision == KvCache.Precision.F32) {
                segment.set((ValueLayout.OfFloat) layout(), at, value);
            } else {
                segment.set((ValueLayout.OfShort) layout(), at, Float.floatToFloat16(value));
            }
        }
    }

    private static int crc32c(MemorySegment segment) {
        CRC32C crc = new CRC32C();
        long chunk = 1L << 30; // a ByteBuffer view holds at most 2 GiB
        for (long from = 0; from < segment.byteSize(); from += chunk) {
            crc.update(segment.asSlice(from, Math.min(chunk, segment.byteSize() - from)).asByteBuffer());
        }
        return (int) crc.getValue();
    }

    /** Parses the header, refusing with a clear message anything that is not a complete, intact one. */
    private static final class Reader {
        private final Path file;
        private final MemorySegment segment;
        private long position;
        private int payloadCrc;

        Reader(Path file, MemorySegment segment) {
            this.file = file;
            this.segment = segment;
        }

        Header header() throws PrefixCacheException {
            byte[] magic = bytes(MAGIC.length);
            if (!Arrays.equals(magic, MAGIC)) {
                throw new PrefixCacheException(file + " is not a Dossier prefix cache file");
            }
            int version = integer();
            if (version != VERSION) {
                throw new PrefixCacheException(file + " has format version " + version + "; this build reads version " + VERSION);
            }
            ModelFingerprint model = new ModelFingerprint(string(), longInteger(), string());
            boolean dca = bytes(1)[0] != 0;
            int chunkSize = integer();
            int localWindow = integer();
            int layers = integer();
            int kvHeads = integer();
            int headSize = integer();
            int valueType = integer();
            int[] tokens = new int[count(Integer.BYTES)];
            for (int i = 0; i < tokens.length; i++) {
                tokens[i] = integer();
            }
            payloadCrc = integer();
            CRC32C crc = new CRC32C();
            crc.update(segment.asSlice(0, position).asByteBuffer());
            if (integer() != (int) crc.getValue()) {
                throw new PrefixCacheException(file + " is damaged: its header does not match its checksum");
            }
            if (valueType < 0 || valueType >= VALUE_TYPES.length) {
                throw new PrefixCacheException(file + " stores values of type " + valueType + "; this build reads F32 (0) and F16 (1)");
            }
            AttentionConfig attention;
            try {
                attention = dca ? new AttentionConfig(true, chunkSize, localWindow) : AttentionConfig.rope();
            } catch (IllegalArgumentException e) {
                throw new PrefixCacheException(file + " has an invalid attention config: " + e.getMessage());
            }
            return new Header(model, attention, layers, kvHeads, headSize, VALUE_TYPES[valueType], tokens);
        }

        private void need(long bytes) throws PrefixCacheException {
            if (bytes < 0 || position + bytes > segment.byteSize()) {
                throw new PrefixCacheException(file + " is truncated: it ends inside its header");
            }
        }

        private byte[] bytes(int length) throws PrefixCacheException {
            need(length);
            byte[] bytes = segment.asSlice(position, length).toArray(ValueLayout.JAVA_BYTE);
            position += length;
            return bytes;
        }

        private int integer() throws PrefixCacheException {
            need(Integer.BYTES);
            int value = segment.get(ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), position);
            position += Integer.BYTES;
            return value;
        }

        private long longInteger() throws PrefixCacheException {
            need(Long.BYTES);
            long value = segment.get(ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN), position);
            position += Long.BYTES;
            return value;
        }

        /** A count of items of {@code itemBytes} each, checked against what is left of the file. */
        private int count(int itemBytes) throws PrefixCacheException {
            int count = integer();
            need((long) count * itemBytes);
            return count;
        }

        private String string() throws PrefixCacheException {
            return new String(bytes(count(1)), StandardCharsets.UTF_8);
        }
    }
}
