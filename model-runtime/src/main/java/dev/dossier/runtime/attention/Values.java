package dev.dossier.runtime.attention;

/**
 * One KV head's cached values as the attention loop reads them: {@link CacheRows}, decoded from
 * the cache a block at a time, for a few queries (decoding); {@link ValueRows}, a float copy made
 * once per block of queries (prefill).
 */
public sealed interface Values permits CacheRows, ValueRows {
    /** {@code into[d] += sum_j weights[j] * value(first + j)[d]} for {@code j < n}. */
    void addWeighted(float[] into, float[] weights, int first, int n);

    /** {@link #addWeighted} for {@code heads} heads over the same values: {@code into[h]} with {@code weights[h]}. */
    default void addWeighted(float[][] into, float[][] weights, int heads, int first, int n) {
        for (int h = 0; h < heads; h++) {
            addWeighted(into[h], weights[h], first, n);
        }
    }
}
