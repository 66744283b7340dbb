package dev.dossier.runtime.attention;

/**
 * Keys (already rotated to their position) and values of every cached token, per layer and
 * key/value head, each a contiguous run of {@code capacity x headSize} floats so the
 * attention loop scans memory in order.
 */
public final class KvCache {
    private final int layers;
    private final int kvHeads;
    private final int headSize;
    private final int capacity;
    private final float[][] keys;
    private final float[][] values;

    public KvCache(int layers, int kvHeads, int headSize, int capacity) {
        this.layers = layers;
        this.kvHeads = kvHeads;
        this.headSize = headSize;
        this.capacity = capacity;
        this.keys = new float[layers * kvHeads][];
        this.values = new float[layers * kvHeads][];
        long perHead = (long) capacity * headSize;
        if (perHead > Integer.MAX_VALUE - 16) {
            throw new IllegalArgumentException("a KV cache of " + capacity + " tokens is too large for head size " + headSize);
        }
        for (int i = 0; i < keys.length; i++) {
            keys[i] = new float[(int) perHead];
            values[i] = new float[(int) perHead];
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

    public float[] keys(int layer, int kvHead) {
        return keys[layer * kvHeads + kvHead];
    }

    public float[] values(int layer, int kvHead) {
        return values[layer * kvHeads + kvHead];
    }

    /** Bytes held by the cache (keys and values). */
    public long byteSize() {
        return 2L * layers * kvHeads * capacity * headSize * Float.BYTES;
    }
}
