package dev.dossier.runtime.gguf;

import java.io.IOException;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.channels.FileChannel;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.CodingErrorAction;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.nio.file.StandardOpenOption;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * A GGUF file (versions 2 and 3), memory-mapped: the header is parsed eagerly, tensor data is
 * left in the mapping and handed out as {@link MemorySegment} slices, so loading costs no copy
 * and files larger than 2 GB work.
 *
 * <p>Every read of the header is bounds-checked, so a truncated or corrupt file ends in a
 * {@link GgufFormatException} naming the problem, never in a crash or an attempt to allocate
 * whatever a corrupt length field claims.
 */
public final class GgufFile implements AutoCloseable {
    public static final int MAGIC = 0x46554747; // "GGUF" read as a little-endian int
    public static final int DEFAULT_ALIGNMENT = 32;
    private static final int MAX_DIMENSIONS = 4;
    /** Far above any real metadata string (a whole tokenizer.json is a few MB); stops a corrupt length from allocating gigabytes. */
    private static final long MAX_STRING_BYTES = 1L << 28;
    /** Arrays of arrays are allowed by the format but unused; a limit keeps a corrupt file from recursing without end. */
    private static final int MAX_ARRAY_NESTING = 4;

    private final Path path;
    private final Arena arena;
    private final MemorySegment mapping;
    private final int version;
    private final Map<String, Object> metadata;
    private final Map<String, GgufTensorInfo> tensors;
    private final long dataStart;

    private GgufFile(Path path, Arena arena, MemorySegment mapping, int version, Map<String, Object> metadata,
                     Map<String, GgufTensorInfo> tensors, long dataStart) {
        this.path = path;
        this.arena = arena;
        this.mapping = mapping;
        this.version = version;
        this.metadata = Collections.unmodifiableMap(metadata);
        this.tensors = Collections.unmodifiableMap(tensors);
        this.dataStart = dataStart;
    }

    /** Maps and parses {@code path}. The caller closes the result, which unmaps the tensor data. */
    public static GgufFile open(Path path) throws IOException {
        if (!Files.exists(path)) {
            throw new NoSuchFileException(path.toString(), null, "model file not found");
        }
        if (Files.isDirectory(path)) {
            throw new GgufFormatException(path + " is a directory, not a GGUF file");
        }
        Arena arena = Arena.ofShared();
        try (FileChannel channel = FileChannel.open(path, StandardOpenOption.READ)) {
            long size = channel.size();
            MemorySegment mapping = size == 0 ? MemorySegment.NULL.reinterpret(0)
                    : asPlainNative(channel.map(FileChannel.MapMode.READ_ONLY, 0, size, arena), arena);
            return parse(path, arena, mapping);
        } catch (IOException | RuntimeException e) {
            arena.close();
            if (e instanceof GgufFormatException g) {
                throw new GgufFormatException(path.getFileName() + ": " + g.getMessage(), g);
            }
            throw e;
        }
    }

    /**
     * The same mapped bytes as an ordinary native segment (still unmapped when {@code arena}
     * closes). Why: the JDK's segment and vector loads are shared code whose compiled form
     * specializes on the segment classes it has seen. With the file's mapped segments and the
     * repacked matrices' native ones both in use, every decoding kernel paid a class check and a
     * liveness check per load, and its reads ahead stopped paying: Q8_0 decoding ran 12 tok/s
     * instead of 15 (BENCHMARKS.md, session 10). Nothing here needs the mapped segment's extras
     * ({@code load}, {@code force}); it stays read-only, so a stray write throws instead of crashing.
     */
    private static MemorySegment asPlainNative(MemorySegment mapped, Arena arena) {
        return MemorySegment.ofAddress(mapped.address()).reinterpret(mapped.byteSize(), arena, null).asReadOnly();
    }

    private static GgufFile parse(Path path, Arena arena, MemorySegment mapping) {
        Cursor in = new Cursor(mapping);
        if (mapping.byteSize() < 4) {
            throw new GgufFormatException("not a GGUF file: only " + mapping.byteSize() + " bytes");
        }
        int magic = in.i32();
        if (magic != MAGIC) {
            throw new GgufFormatException(String.format("not a GGUF file: magic is 0x%08x, expected 0x%08x (\"GGUF\")", magic, MAGIC));
        }
        int version = in.i32();
        if (version == 1) {
            throw new GgufFormatException("GGUF version 1 is not supported (versions 2 and 3 are); re-convert the model");
        }
        if (version != 2 && version != 3) {
            if (Integer.reverseBytes(version) == 2 || Integer.reverseBytes(version) == 3) {
                throw new GgufFormatException("big-endian GGUF files are not supported");
            }
            throw new GgufFormatException("unsupported GGUF version " + Integer.toUnsignedString(version) + " (versions 2 and 3 are supported)");
        }
        long tensorCount = in.count("tensor count", 8 + 4 + 4 + 8);
        long metadataCount = in.count("metadata count", 8 + 4);

        Map<String, Object> metadata = new LinkedHashMap<>();
        for (long i = 0; i < metadataCount; i++) {
            String key = in.string();
            int valueType = in.i32();
            if (metadata.put(key, in.value(valueType, key)) != null) {
                throw new GgufFormatException("metadata key '" + key + "' appears twice");
            }
        }

        int alignment = DEFAULT_ALIGNMENT;
        if (metadata.get("general.alignment") instanceof Number n) {
            long a = n.longValue();
            if (a <= 0 || Long.bitCount(a) != 1 || a > (1 << 20)) {
                throw new GgufFormatException("general.alignment " + a + " is not a power of two");
            }
            alignment = (int) a;
        }

        record RawTensor(String name, long[] dims, GgmlType type, long offset) {}
        // Grown as entries are read, not sized by the count: a corrupt count then runs out of file, not memory.
        List<RawTensor> raw = new ArrayList<>();
        for (long i = 0; i < tensorCount; i++) {
            String name = in.string();
            int nDims = in.i32();
            if (nDims < 0 || nDims > MAX_DIMENSIONS) {
                throw new GgufFormatException("tensor '" + name + "' has " + Integer.toUnsignedString(nDims) + " dimensions (at most " + MAX_DIMENSIONS + ")");
            }
            long[] dims = new long[nDims];
            for (int d = 0; d < nDims; d++) {
                dims[d] = in.i64();
                if (dims[d] < 0) {
                    throw new GgufFormatException("tensor '" + name + "' has a negative dimension");
                }
            }
            int typeId = in.i32();
            GgmlType type;
            try {
                type = GgmlType.byId(typeId);
            } catch (GgufFormatException e) {
                throw new GgufFormatException("tensor '" + name + "' has unknown tensor type id " + typeId);
            }
            raw.add(new RawTensor(name, dims, type, in.i64()));
        }

        long dataStart = alignUp(in.position, alignment);
        Map<String, GgufTensorInfo> tensors = new LinkedHashMap<>();
        for (RawTensor t : raw) {
            if (t.offset() < 0 || t.offset() % alignment != 0) {
                throw new GgufFormatException("tensor '" + t.name() + "' has data offset " + t.offset() + ", not a multiple of the alignment " + alignment);
            }
            if (t.offset() > mapping.byteSize() - dataStart) {
                throw new GgufFormatException("tensor '" + t.name() + "' data offset " + t.offset() + " lies outside the file ("
                        + mapping.byteSize() + " bytes, data from " + dataStart + "): the file is truncated or corrupt");
            }
            GgufTensorInfo info = new GgufTensorInfo(t.name(), t.dims(), t.type(), dataStart + t.offset());
            long bytes;
            try {
                bytes = info.byteSize();
            } catch (ArithmeticException e) {
                throw new GgufFormatException("tensor '" + t.name() + "' is impossibly large");
            } catch (GgufFormatException e) {
                throw new GgufFormatException("tensor '" + t.name() + "': " + e.getMessage());
            }
            if (info.dataOffset() > mapping.byteSize() || bytes > mapping.byteSize() - info.dataOffset()) {
                throw new GgufFormatException("tensor '" + t.name() + "' data [" + info.dataOffset() + ", " + (info.dataOffset() + bytes)
                        + ") lies outside the file (" + mapping.byteSize() + " bytes): the file is truncated or corrupt");
            }
            if (tensors.put(t.name(), info) != null) {
                throw new GgufFormatException("tensor '" + t.name() + "' appears twice");
            }
        }
        return new GgufFile(path, arena, mapping, version, metadata, tensors, dataStart);
    }

    private static long alignUp(long value, long alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }

    public Path path() {
        return path;
    }

    public int version() {
        return version;
    }

    public long fileSize() {
        return mapping.byteSize();
    }

    public long dataStart() {
        return dataStart;
    }

    public Map<String, Object> metadata() {
        return metadata;
    }

    public Map<String, GgufTensorInfo> tensors() {
        return tensors;
    }

    /** The tensor's bytes, a slice of the mapping (no copy). */
    public MemorySegment tensorData(GgufTensorInfo info) {
        return mapping.asSlice(info.dataOffset(), info.byteSize());
    }

    /**
     * Native memory that lives as long as the mapping: for tensors repacked at load. On 2 MB pages
     * where it is large enough and the kernel grants them ({@link Pages#allocateHuge}).
     */
    public MemorySegment allocate(long bytes) {
        if (bytes >= Pages.HUGE_PAGE) {
            return Pages.allocateHuge(bytes, arena).orElseGet(() -> arena.allocate(bytes, 64));
        }
        return arena.allocate(bytes, 64);
    }

    /**
     * Tells the kernel that the mapped pages of a tensor now repacked elsewhere are not needed
     * ({@code madvise(MADV_DONTNEED)}): they leave this process's resident memory and are read
     * from the file again only if touched. Best effort: where the call is not available the
     * pages stay until the kernel reclaims them.
     */
    public void release(GgufTensorInfo info) {
        Pages.release(mapping.address() + info.dataOffset(), info.byteSize());
    }

    public GgufTensorInfo requireTensor(String name) {
        GgufTensorInfo info = tensors.get(name);
        if (info == null) {
            throw new GgufFormatException(path.getFileName() + ": required tensor '" + name + "' is missing");
        }
        return info;
    }

    public boolean has(String key) {
        return metadata.containsKey(key);
    }

    public String string(String key) {
        return require(key, String.class);
    }

    public String string(String key, String fallback) {
        return metadata.get(key) instanceof String s ? s : fallback;
    }

    public int integer(String key) {
        return Math.toIntExact(require(key, Number.class).longValue());
    }

    public int integer(String key, int fallback) {
        return metadata.get(key) instanceof Number n ? Math.toIntExact(n.longValue()) : fallback;
    }

    public float real(String key, float fallback) {
        return metadata.get(key) instanceof Number n ? n.floatValue() : fallback;
    }

    public boolean bool(String key, boolean fallback) {
        return metadata.get(key) instanceof Boolean b ? b : fallback;
    }

    /** An array value: {@code String[]}, {@code float[]}, {@code int[]}, {@code long[]}, ... as stored. */
    public <T> T array(String key, Class<T> arrayType) {
        return require(key, arrayType);
    }

    private <T> T require(String key, Class<T> type) {
        Object value = metadata.get(key);
        if (value == null) {
            throw new GgufFormatException(path.getFileName() + ": required metadata '" + key + "' is missing");
        }
        if (!type.isInstance(value)) {
            throw new GgufFormatException(path.getFileName() + ": metadata '" + key + "' is a " + describe(value) + ", expected " + type.getSimpleName());
        }
        return type.cast(value);
    }

    private static String describe(Object value) {
        return value.getClass().isArray() ? value.getClass().getComponentType().getSimpleName() + " array" : value.getClass().getSimpleName();
    }

    @Override
    public void close() {
        arena.close();
    }

    /** A bounds-checked little-endian reader over the header. */
    private static final class Cursor {
        private static final ValueLayout.OfInt I32 = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfLong I64 = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfShort I16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfFloat F32 = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
        private static final ValueLayout.OfDouble F64 = ValueLayout.JAVA_DOUBLE_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

        private final MemorySegment segment;
        private long position;

        Cursor(MemorySegment segment) {
            this.segment = segment;
        }

        private long take(long bytes) {
            if (bytes < 0 || bytes > segment.byteSize() - position) {
                throw new GgufFormatException("file is truncated: needed " + bytes + " bytes at offset " + position
                        + " but the file has " + segment.byteSize() + " bytes");
            }
            long at = position;
            position += bytes;
            return at;
        }

        byte i8() {
            return segment.get(ValueLayout.JAVA_BYTE, take(1));
        }

        short i16() {
            return segment.get(I16, take(2));
        }

        int i32() {
            return segment.get(I32, take(4));
        }

        long i64() {
            return segment.get(I64, take(8));
        }

        /** A count that must be plausible: each counted item takes at least {@code minBytesEach} bytes. */
        long count(String what, long minBytesEach) {
            long at = position;
            long n = i64();
            if (n < 0 || n > (segment.byteSize() - position) / minBytesEach) {
                throw new GgufFormatException(what + " " + Long.toUnsignedString(n) + " at offset " + at + " cannot fit in the file: it is truncated or corrupt");
            }
            return n;
        }

        String string() {
            long at = position;
            long length = i64();
            if (length < 0 || length > segment.byteSize() - position) {
                throw new GgufFormatException("string length " + Long.toUnsignedString(length) + " at offset " + at + " runs past the end of the file: it is truncated or corrupt");
            }
            if (length > MAX_STRING_BYTES) {
                throw new GgufFormatException("string length " + length + " at offset " + at + " is implausibly large: the file is corrupt");
            }
            long start = take(length);
            byte[] bytes = segment.asSlice(start, length).toArray(ValueLayout.JAVA_BYTE);
            try {
                return StandardCharsets.UTF_8.newDecoder()
                        .onMalformedInput(CodingErrorAction.REPORT)
                        .decode(java.nio.ByteBuffer.wrap(bytes)).toString();
            } catch (CharacterCodingException e) {
                throw new GgufFormatException("string at offset " + at + " is not valid UTF-8");
            }
        }

        Object value(int type, String key) {
            return switch (type) {
                case 0 -> Byte.toUnsignedInt(i8());
                case 1 -> (int) i8();
                case 2 -> Short.toUnsignedInt(i16());
                case 3 -> (int) i16();
                case 4 -> Integer.toUnsignedLong(i32());
                case 5 -> i32();
                case 6 -> segment.get(F32, take(4));
                case 7 -> bool(key);
                case 8 -> string();
                case 9 -> array(key, 1);
                case 10, 11 -> i64();
                case 12 -> segment.get(F64, take(8));
                default -> throw new GgufFormatException("metadata '" + key + "' has unknown value type " + Integer.toUnsignedString(type) + " at offset " + (position - 4));
            };
        }

        private boolean bool(String key) {
            byte b = i8();
            if (b != 0 && b != 1) {
                throw new GgufFormatException("metadata '" + key + "' holds bool value " + b);
            }
            return b == 1;
        }

        private Object array(String key, int depth) {
            if (depth > MAX_ARRAY_NESTING) {
                throw new GgufFormatException("metadata '" + key + "' nests arrays more than " + MAX_ARRAY_NESTING + " deep");
            }
            int elementType = i32();
            long minBytes = switch (elementType) {
                case 0, 1, 7 -> 1;
                case 2, 3 -> 2;
                case 4, 5, 6 -> 4;
                case 8, 10, 11, 12 -> 8;
                case 9 -> 12;
                default -> throw new GgufFormatException("metadata '" + key + "' is an array of unknown type " + Integer.toUnsignedString(elementType));
            };
            long length = count("array length of '" + key + "'", minBytes);
            if (length > Integer.MAX_VALUE - 8) {
                throw new GgufFormatException("metadata '" + key + "' is an array of " + length + " values, more than Java arrays hold");
            }
            int n = (int) length;
            return switch (elementType) {
                case 0, 1, 2, 3, 5 -> {
                    int[] values = new int[n];
                    for (int i = 0; i < n; i++) values[i] = ((Number) value(elementType, key)).intValue();
                    yield values;
                }
                case 4, 10, 11 -> {
                    long[] values = new long[n];
                    for (int i = 0; i < n; i++) values[i] = ((Number) value(elementType, key)).longValue();
                    yield values;
                }
                case 6 -> {
                    float[] values = new float[n];
                    for (int i = 0; i < n; i++) values[i] = segment.get(F32, take(4));
                    yield values;
                }
                case 12 -> {
                    double[] values = new double[n];
                    for (int i = 0; i < n; i++) values[i] = segment.get(F64, take(8));
                    yield values;
                }
                case 7 -> {
                    boolean[] values = new boolean[n];
                    for (int i = 0; i < n; i++) values[i] = bool(key);
                    yield values;
                }
                case 8 -> {
                    String[] values = new String[n];
                    for (int i = 0; i < n; i++) values[i] = string();
                    yield values;
                }
                default -> {
                    Object[] values = new Object[n];
                    for (int i = 0; i < n; i++) values[i] = array(key, depth + 1);
                    yield values;
                }
            };
        }
    }
}
