package dev.dossier.runtime.attention;

import dev.dossier.runtime.compute.Halves;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Locale;

/**
 * Keys (already rotated to their position) and values of every cached token, per layer and
 * key/value head, each a contiguous run of {@code capacity x headSize} elements in native byte
 * order, token after token, so the attention loop scans memory in order.
 *
 * <p>The elements are {@link Precision#F16} for the Java engine, as in llama.cpp: half the memory
 * of floats, so twice the context fits, and the attention loop decodes a block at a time
 * ({@link #readKeys}). The onnx engine keeps {@link Precision#F32}, which it hands to native code
 * (ONNX Runtime) as direct buffers without copying. The memory comes from an automatic arena: the
 * garbage collector frees it once the cache and every segment of it are unreachable.
 */
public final class KvCache {
    /** How each cached element is stored. */
    public enum Precision {
        F32(Float.BYTES),
        F16(Short.BYTES);

        private final int bytes;

        Precision(int bytes) {
            this.bytes = bytes;
        }

        public int bytes() {
            return bytes;
        }

        /** How users name it: {@code f16} or {@code f32} ({@code --kv-cache}, reports). */
        public String id() {
            return name().toLowerCase(Locale.ROOT);
        }
    }

    /** Cache-line alignment: vector loads never straddle a line at a head's start. */
    private static final long ALIGNMENT = 64;

    private final int layers;
    private final int kvHeads;
    private final int headSize;
    private final int capacity;
    private final Precision precision;
    private final MemorySegment[] keys;
    private final MemorySegment[] values;

    public KvCache(int layers, int kvHeads, int headSize, int capacity, Precision precision) {
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headSize = headSize;
        this.capacity = capacity;
        this.precision = precision;
        this.keys = new MemorySegment[layers * kvHeads];
        this.values = new MemorySegment[layers * kvHeads];
        long bytesPerHead = (long) capacity * headSize * precision.bytes();
        Arena arena = Arena.ofAuto();
        for (int i = 0; i < keys.length; i++) {
            keys[i] = arena.allocate(bytesPerHead, ALIGNMENT);
            values[i] = arena.allocate(bytesPerHead, ALIGNMENT);
        }
    }

    public int capacity() {
        return capacity;
    }

    public int layers() {
        return layers;
    }

    public int kvHeads() {
        return kvHeads;
    }

    public int headSize() {
        return headSize;
    }

    public Precision precision() {
        return precision;
    }

    /** The keys of one head: {@code capacity x headSize} native-order elements of {@link #precision}, token after token. */
    public MemorySegment keys(int layer, int kvHead) {
        return keys[layer * kvHeads + kvHead];
    }

    /** The values of one head, laid out like {@link #keys}. */
    public MemorySegment values(int layer, int kvHead) {
        return values[layer * kvHeads + kvHead];
    }

    /** Stores the key and value of {@code position} (each {@code headSize} floats from the given offsets), rounded to the cache's precision. */
    public void store(int layer, int kvHead, int position, float[] key, int keyOffset, float[] value, int valueOffset) {
        write(keys(layer, kvHead), position, key, keyOffset);
        write(values(layer, kvHead), position, value, valueOffset);
    }

    /** Decodes the keys of positions {@code [from, from + n)} into {@code out}, key after key. */
    public void readKeys(int layer, int kvHead, int from, int n, float[] out, int outOffset) {
        read(keys(layer, kvHead), from, n, out, outOffset);
    }

    /** Decodes the values of positions {@code [from, from + n)} into {@code out}, value after value. */
    public void readValues(int layer, int kvHead, int from, int n, float[] out, int outOffset) {
        read(values(layer, kvHead), from, n, out, outOffset);
    }

    private void write(MemorySegment head, int position, float[] in, int inOffset) {
        long byteOffset = (long) position * headSize * precision.bytes();
        switch (precision) {
            case F32 -> MemorySegment.copy(in, inOffset, head, ValueLayout.JAVA_FLOAT, byteOffset, headSize);
            case F16 -> Halves.encode(in, inOffset, head, byteOffset, headSize);
        }
    }

    private void read(MemorySegment head, int from, int n, float[] out, int outOffset) {
        long byteOffset = (long) from * headSize * precision.bytes();
        switch (precision) {
            case F32 -> MemorySegment.copy(head, ValueLayout.JAVA_FLOAT, byteOffset, out, outOffset, n * headSize);
            case F16 -> Halves.decode(head, byteOffset, out, outOffset, n * headSize);
        }
    }

    /** Bytes held by the cache (keys and values). */
    public long byteSize() {
        return bytesFor(layers, kvHeads, headSize, capacity, precision);
    }

    /** Bytes of the keys and values of {@code tokens} tokens. */
    public static long bytesFor(int layers, int kvHeads, int headSize, int tokens, Precision precision) {
        return 2L * layers * kvHeads * tokens * headSize * precision.bytes();
    }
}
