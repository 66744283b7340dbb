package dev.dossier.runtime.attention;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;

/**
 * Keys (already rotated to their position) and values of every cached token, per layer and
 * key/value head, each a contiguous run of {@code capacity x headSize} floats in native byte
 * order, so the attention loop scans memory in order.
 *
 * <p>The cache lives off the Java heap so an engine can hand a head's first tokens to native code
 * (ONNX Runtime) as a direct buffer without copying. Its memory comes from an automatic arena:
 * the garbage collector frees it once the cache and every segment of it are unreachable.
 */
public final class KvCache {
    /** Cache-line alignment: vector loads never straddle a line at a head's start. */
    private static final long ALIGNMENT = 64;

    private final int layers;
    private final int kvHeads;
    private final int headSize;
    private final int capacity;
    private final MemorySegment[] keys;
    private final MemorySegment[] values;

    public KvCache(int layers, int kvHeads, int headSize, int capacity) {
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headSize = headSize;
        this.capacity = capacity;
        this.keys = new MemorySegment[layers * kvHeads];
        this.values = new MemorySegment[layers * kvHeads];
        long bytesPerHead = (long) capacity * headSize * Float.BYTES;
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

    /** The keys of one head: {@code capacity x headSize} native-order floats, token after token. */
    public MemorySegment keys(int layer, int kvHead) {
        return keys[layer * kvHeads + kvHead];
    }

    /** The values of one head, laid out like {@link #keys}. */
    public MemorySegment values(int layer, int kvHead) {
        return values[layer * kvHeads + kvHead];
    }

    /** Bytes held by the cache (keys and values). */
    public long byteSize() {
        return 2L * layers * kvHeads * capacity * headSize * Float.BYTES;
    }
}
