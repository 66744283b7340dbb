package dev.dossier.runtime.gguf;

import dev.dossier.runtime.tensor.Quantizer;
import java.io.BufferedOutputStream;
import java.io.IOException;
import java.io.OutputStream;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * Writes GGUF version 3 files: metadata of every value type and tensors, given as raw bytes or
 * as floats it quantizes (see {@link Quantizer}). Tensor data is placed at the alignment named by
 * {@code general.alignment} (default 32). For tests and tools such as random-weight models.
 *
 * <pre>{@code
 * new GgufWriter()
 *     .putString("general.architecture", "llama")
 *     .putUint32("llama.context_length", 512)
 *     .putStringArray("tokenizer.ggml.tokens", tokens)
 *     .addTensor("token_embd.weight", new long[] {dim, vocab}, GgmlType.Q8_0, weights)
 *     .write(path);
 * }</pre>
 */
public final class GgufWriter {
    private record Metadata(GgufValueType type, GgufValueType elementType, Object value) {}

    private record Tensor(String name, long[] dims, GgmlType type, Object data, long byteSize) {}

    /**
     * Produces a tensor's values row by row (a row is {@code dims[0]} values) at write time, so a
     * file far larger than the heap can be written: only one row is held at once.
     */
    @FunctionalInterface
    public interface RowSource {
        /** Fills {@code out} (one row) with the values of row {@code row}. */
        void fill(long row, float[] out);
    }

    private final Map<String, Metadata> metadata = new LinkedHashMap<>();
    private final Map<String, Tensor> tensors = new LinkedHashMap<>();

    public GgufWriter putUint8(String key, int value) {
        return put(key, GgufValueType.UINT8, checkRange(key, value, 0, 0xFF));
    }

    public GgufWriter putInt8(String key, int value) {
        return put(key, GgufValueType.INT8, checkRange(key, value, Byte.MIN_VALUE, Byte.MAX_VALUE));
    }

    public GgufWriter putUint16(String key, int value) {
        return put(key, GgufValueType.UINT16, checkRange(key, value, 0, 0xFFFF));
    }

    public GgufWriter putInt16(String key, int value) {
        return put(key, GgufValueType.INT16, checkRange(key, value, Short.MIN_VALUE, Short.MAX_VALUE));
    }

    public GgufWriter putUint32(String key, long value) {
        return put(key, GgufValueType.UINT32, checkRange(key, value, 0, 0xFFFF_FFFFL));
    }

    public GgufWriter putInt32(String key, int value) {
        return put(key, GgufValueType.INT32, value);
    }

    /** {@code value}'s 64 bits, read as unsigned. */
    public GgufWriter putUint64(String key, long value) {
        return put(key, GgufValueType.UINT64, value);
    }

    public GgufWriter putInt64(String key, long value) {
        return put(key, GgufValueType.INT64, value);
    }

    public GgufWriter putFloat32(String key, float value) {
        return put(key, GgufValueType.FLOAT32, value);
    }

    public GgufWriter putFloat64(String key, double value) {
        return put(key, GgufValueType.FLOAT64, value);
    }

    public GgufWriter putBool(String key, boolean value) {
        return put(key, GgufValueType.BOOL, value);
    }

    public GgufWriter putString(String key, String value) {
        return put(key, GgufValueType.STRING, value);
    }

    public GgufWriter putStringArray(String key, String... values) {
        return putArray(key, GgufValueType.STRING, values);
    }

    public GgufWriter putFloat32Array(String key, float... values) {
        return putArray(key, GgufValueType.FLOAT32, values);
    }

    public GgufWriter putInt32Array(String key, int... values) {
        return putArray(key, GgufValueType.INT32, values);
    }

    /**
     * An array of {@code elementType}, given as the Java array {@link GgufFile} reads it back as:
     * {@code int[]} for uint8, int8, uint16, int16 and int32; {@code long[]} for uint32, uint64
     * and int64; {@code float[]}, {@code double[]}, {@code boolean[]}, {@code String[]}.
     */
    public GgufWriter putArray(String key, GgufValueType elementType, Object values) {
        Class<?> expected = switch (elementType) {
            case UINT8, INT8, UINT16, INT16, INT32 -> int[].class;
            case UINT32, UINT64, INT64 -> long[].class;
            case FLOAT32 -> float[].class;
            case FLOAT64 -> double[].class;
            case BOOL -> boolean[].class;
            case STRING -> String[].class;
            case ARRAY -> throw new IllegalArgumentException("arrays of arrays are not supported");
        };
        if (!expected.isInstance(values)) {
            throw new IllegalArgumentException("'" + key + "': an array of " + elementType + " is given as " + expected.getSimpleName()
                    + ", not " + (values == null ? "null" : values.getClass().getSimpleName()));
        }
        switch (elementType) {
            case UINT8, INT8, UINT16, INT16 -> {
                for (int v : (int[]) values) {
                    switch (elementType) {
                        case UINT8 -> checkRange(key, v, 0, 0xFF);
                        case INT8 -> checkRange(key, v, Byte.MIN_VALUE, Byte.MAX_VALUE);
                        case UINT16 -> checkRange(key, v, 0, 0xFFFF);
                        default -> checkRange(key, v, Short.MIN_VALUE, Short.MAX_VALUE);
                    }
                }
            }
            case UINT32 -> {
                for (long v : (long[]) values) checkRange(key, v, 0, 0xFFFF_FFFFL);
            }
            default -> {
            }
        }
        return put(key, GgufValueType.ARRAY, elementType, values);
    }

    private GgufWriter put(String key, GgufValueType type, Object value) {
        return put(key, type, null, value);
    }

    private GgufWriter put(String key, GgufValueType type, GgufValueType elementType, Object value) {
        if (key == null || value == null) {
            throw new IllegalArgumentException("metadata key and value must not be null");
        }
        if (metadata.putIfAbsent(key, new Metadata(type, elementType, value)) != null) {
            throw new IllegalArgumentException("metadata '" + key + "' is already set");
        }
        return this;
    }

    private static long checkRange(String key, long value, long min, long max) {
        if (value < min || value > max) {
            throw new IllegalArgumentException("'" + key + "': " + value + " is outside [" + min + ", " + max + "]");
        }
        return value;
    }

    private static int checkRange(String key, int value, int min, int max) {
        checkRange(key, (long) value, min, max);
        return value;
    }

    /** A tensor whose bytes are already in {@code type}'s encoding. {@code dims} in ggml order (row length first). */
    public GgufWriter addTensor(String name, long[] dims, GgmlType type, byte[] data) {
        return add(name, dims, type, data.clone(), data.length);
    }

    /** As {@link #addTensor(String, long[], GgmlType, byte[])}, for data too large for an array. */
    public GgufWriter addTensor(String name, long[] dims, GgmlType type, MemorySegment data) {
        return add(name, dims, type, data, data.byteSize());
    }

    /** A tensor given as floats, encoded in {@code type} (one of {@link Quantizer#SUPPORTED}) when written. */
    public GgufWriter addTensor(String name, long[] dims, GgmlType type, float[] values) {
        if (!Quantizer.SUPPORTED.contains(type)) {
            throw new IllegalArgumentException("tensor '" + name + "': cannot quantize to " + type + " (supported: " + Quantizer.SUPPORTED + ")");
        }
        if (elementCount(dims) != values.length) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + elementCount(dims) + " elements but " + values.length + " values were given");
        }
        return add(name, dims, type, values.clone(), -1);
    }

    /**
     * A tensor whose values {@code source} produces row by row while the file is written, encoded
     * in {@code type} (one of {@link Quantizer#SUPPORTED}); rows must be whole blocks of it.
     */
    public GgufWriter addTensor(String name, long[] dims, GgmlType type, RowSource source) {
        if (!Quantizer.SUPPORTED.contains(type)) {
            throw new IllegalArgumentException("tensor '" + name + "': cannot quantize to " + type + " (supported: " + Quantizer.SUPPORTED + ")");
        }
        if (dims.length == 0 || dims[0] <= 0 || dims[0] % type.blockSize() != 0 || dims[0] > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("tensor '" + name + "': rows of " + (dims.length == 0 ? 0 : dims[0])
                    + " values are not whole " + type + " blocks");
        }
        return add(name, dims, type, source, -1);
    }

    /** {@code givenBytes}: the size of raw data, checked against what the tensor needs; -1 for floats. */
    private GgufWriter add(String name, long[] dims, GgmlType type, Object data, long givenBytes) {
        if (dims.length > 4) {
            throw new IllegalArgumentException("tensor '" + name + "' has " + dims.length + " dimensions (at most 4)");
        }
        long bytes;
        try {
            bytes = type.byteSize(elementCount(dims));
        } catch (GgufFormatException e) {
            throw new IllegalArgumentException("tensor '" + name + "': " + e.getMessage());
        }
        if (givenBytes >= 0 && givenBytes != bytes) {
            throw new IllegalArgumentException("tensor '" + name + "' needs " + bytes + " bytes of " + type + ", got " + givenBytes);
        }
        if (tensors.putIfAbsent(name, new Tensor(name, dims.clone(), type, data, bytes)) != null) {
            throw new IllegalArgumentException("tensor '" + name + "' is already added");
        }
        return this;
    }

    private static long elementCount(long[] dims) {
        long count = 1;
        for (long d : dims) {
            if (d < 0) {
                throw new IllegalArgumentException("negative dimension " + d);
            }
            count = Math.multiplyExact(count, d);
        }
        return count;
    }

    private int alignment() {
        Metadata entry = metadata.get("general.alignment");
        if (entry == null) {
            return GgufFile.DEFAULT_ALIGNMENT;
        }
        if (!(entry.value() instanceof Number n) || n.longValue() <= 0 || Long.bitCount(n.longValue()) != 1 || n.longValue() > (1 << 20)) {
            throw new IllegalArgumentException("general.alignment must be a power of two up to 2^20, got " + entry.value());
        }
        return n.intValue();
    }

    public void write(Path path) throws IOException {
        int alignment = alignment();
        try (LittleEndianOutput out = new LittleEndianOutput(new BufferedOutputStream(Files.newOutputStream(path), 1 << 16))) {
            out.i32(GgufFile.MAGIC);
            out.i32(3);
            out.i64(tensors.size());
            out.i64(metadata.size());
            for (Map.Entry<String, Metadata> e : metadata.entrySet()) {
                out.string(e.getKey());
                Metadata m = e.getValue();
                out.i32(m.type().id());
                if (m.type() == GgufValueType.ARRAY) {
                    writeArray(out, m.elementType(), m.value());
                } else {
                    writeValue(out, m.type(), m.value());
                }
            }
            long offset = 0;
            List<Long> offsets = new ArrayList<>();
            for (Tensor t : tensors.values()) {
                out.string(t.name());
                out.i32(t.dims().length);
                for (long d : t.dims()) out.i64(d);
                out.i32(t.type().id());
                out.i64(offset);
                offsets.add(offset);
                offset = alignUp(offset + t.byteSize(), alignment);
            }
            out.pad(alignment);
            long dataStart = out.written;
            int i = 0;
            for (Tensor t : tensors.values()) {
                out.pad(alignment);
                if (out.written - dataStart != offsets.get(i++)) {
                    throw new IllegalStateException("tensor '" + t.name() + "' landed at the wrong offset");
                }
                switch (t.data()) {
                    case byte[] bytes -> out.write(bytes);
                    case float[] values -> out.write(Quantizer.quantize(t.type(), values));
                    case MemorySegment segment -> out.write(segment);
                    case RowSource source -> writeRows(out, t, source);
                    default -> throw new IllegalStateException();
                }
            }
        }
    }

    private static void writeRows(LittleEndianOutput out, Tensor t, RowSource source) throws IOException {
        float[] row = new float[(int) t.dims()[0]];
        long rows = elementCount(t.dims()) / row.length;
        for (long r = 0; r < rows; r++) {
            source.fill(r, row);
            out.write(Quantizer.quantize(t.type(), row));
        }
    }

    private static void writeValue(LittleEndianOutput out, GgufValueType type, Object value) throws IOException {
        switch (type) {
            case UINT8, INT8 -> out.u8(((Number) value).intValue());
            case UINT16, INT16 -> out.i16(((Number) value).intValue());
            case UINT32 -> out.i32((int) ((Number) value).longValue());
            case INT32 -> out.i32(((Number) value).intValue());
            case FLOAT32 -> out.i32(Float.floatToRawIntBits((Float) value));
            case BOOL -> out.u8((Boolean) value ? 1 : 0);
            case STRING -> out.string((String) value);
            case UINT64, INT64 -> out.i64(((Number) value).longValue());
            case FLOAT64 -> out.i64(Double.doubleToRawLongBits((Double) value));
            case ARRAY -> throw new IllegalStateException();
        }
    }

    private static void writeArray(LittleEndianOutput out, GgufValueType elementType, Object values) throws IOException {
        out.i32(elementType.id());
        out.i64(java.lang.reflect.Array.getLength(values));
        switch (values) {
            case int[] a -> {
                for (int v : a) writeValue(out, elementType, v);
            }
            case long[] a -> {
                for (long v : a) writeValue(out, elementType, v);
            }
            case float[] a -> {
                for (float v : a) writeValue(out, elementType, v);
            }
            case double[] a -> {
                for (double v : a) writeValue(out, elementType, v);
            }
            case boolean[] a -> {
                for (boolean v : a) writeValue(out, elementType, v);
            }
            case String[] a -> {
                for (String v : a) writeValue(out, elementType, v);
            }
            default -> throw new IllegalStateException();
        }
    }

    private static long alignUp(long value, long alignment) {
        return (value + alignment - 1) / alignment * alignment;
    }

    /** Little-endian primitives over a stream, counting the bytes written so far. */
    private static final class LittleEndianOutput implements AutoCloseable {
        private final OutputStream out;
        private long written;

        LittleEndianOutput(OutputStream out) {
            this.out = out;
        }

        void u8(int v) throws IOException {
            out.write(v);
            written++;
        }

        void i16(int v) throws IOException {
            u8(v & 0xFF);
            u8((v >>> 8) & 0xFF);
        }

        void i32(int v) throws IOException {
            i16(v);
            i16(v >>> 16);
        }

        void i64(long v) throws IOException {
            i32((int) v);
            i32((int) (v >>> 32));
        }

        void string(String s) throws IOException {
            byte[] bytes = s.getBytes(StandardCharsets.UTF_8);
            i64(bytes.length);
            write(bytes);
        }

        void write(byte[] bytes) throws IOException {
            out.write(bytes);
            written += bytes.length;
        }

        void write(MemorySegment segment) throws IOException {
            byte[] chunk = new byte[1 << 16];
            for (long at = 0; at < segment.byteSize(); at += chunk.length) {
                int n = (int) Math.min(chunk.length, segment.byteSize() - at);
                MemorySegment.copy(segment, ValueLayout.JAVA_BYTE, at, chunk, 0, n);
                out.write(chunk, 0, n);
                written += n;
            }
        }

        void pad(int alignment) throws IOException {
            while (written % alignment != 0) {
                u8(0);
            }
        }

        @Override
        public void close() throws IOException {
            out.close();
        }
    }
}
