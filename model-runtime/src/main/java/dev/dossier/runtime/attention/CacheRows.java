package dev.dossier.runtime.attention;

/**
 * One KV head of a {@link KvCache} read in place, for decoding: the keys and values of a block
 * are decoded to floats when the first query head asks for them, and the other query heads of
 * the group reuse them, so each cached element is decoded once per token and not once per head.
 * Working memory of one thread: {@link #of} points it at another head.
 */
public final class CacheRows implements Keys, Values {
    /**
     * Each thread's rows, kept from token to token (decoding attends on every thread for every
     * token). Static, not per session: a thread's per-session entries outlived their sessions and,
     * through {@link #cache}, kept each one's KV cache allocated (93 MB a session at 4096 tokens).
     */
    private static final ThreadLocal<CacheRows> OF_THREAD = new ThreadLocal<>();

    private final int headSize;
    private final float[] keys;
    private final float[] values;
    private KvCache cache;
    private int layer;
    private int kvHead;
    /** The block {@link #keys} and {@link #values} hold, as (first, n); -1 when none. */
    private int keysFirst = -1;
    private int keysCount;
    private int valuesFirst = -1;
    private int valuesCount;

    public CacheRows(int headSize) {
        this.headSize = headSize;
        this.keys = new float[DualChunkAttention.KEY_BLOCK * headSize];
        this.values = new float[DualChunkAttention.KEY_BLOCK * headSize];
    }

    /** The calling thread's rows for heads of {@code headSize} values; {@link #release} them after use. */
    public static CacheRows ofThisThread(int headSize) {
        CacheRows rows = OF_THREAD.get();
        if (rows == null || rows.headSize != headSize) {
            rows = new CacheRows(headSize);
            OF_THREAD.set(rows);
        }
        return rows;
    }

    /** Lets go of the cache last read, so that the rows do not keep a finished session's cache allocated. */
    public void release() {
        cache = null;
    }

    /** Points this at head {@code kvHead} of {@code layer}; returns this. */
    public CacheRows of(KvCache cache, int layer, int kvHead) {
        if (cache.headSize() != headSize) {
            throw new IllegalArgumentException("cache head size " + cache.headSize() + ", expected " + headSize);
        }
        this.cache = cache;
        this.layer = layer;
        this.kvHead = kvHead;
        keysFirst = -1;
        valuesFirst = -1;
        return this;
    }

    @Override
    public void scores(float[] q, int first, int n, float scale, float[] scores) {
        if (first != keysFirst || n != keysCount) {
            cache.readKeys(layer, kvHead, first, checked(n), keys, 0);
            keysFirst = first;
            keysCount = n;
        }
        HeadVectors.scores(q, keys, 0, n, headSize, scale, scores);
    }

    @Override
    public void addWeighted(float[] into, float[] weights, int first, int n) {
        if (first != valuesFirst || n != valuesCount) {
            cache.readValues(layer, kvHead, first, checked(n), values, 0);
            valuesFirst = first;
            valuesCount = n;
        }
        HeadVectors.addWeighted(into, weights, n, values, 0, headSize);
    }

    private static int checked(int n) {
        if (n > DualChunkAttention.KEY_BLOCK) {
            throw new IllegalArgumentException("blocks hold at most " + DualChunkAttention.KEY_BLOCK + " keys, asked for " + n);
        }
        return n;
    }
}
