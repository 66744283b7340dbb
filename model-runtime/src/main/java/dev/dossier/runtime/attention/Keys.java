package dev.dossier.runtime.attention;

/**
 * One KV head's cached keys as the attention loop reads them, in one of two layouts, each with
 * the score kernel that suits it: {@link CacheRows}, the cache's own rows decoded a block at a
 * time, for a few queries (decoding); {@link KeyColumns}, a regrouped copy, for a block of
 * queries (prefill).
 */
public sealed interface Keys permits CacheRows, KeyColumns {
    /** {@code scores[j] = scale * (q . key(first + j))} for {@code j < n}. */
    void scores(float[] q, int first, int n, float scale, float[] scores);

    /** {@link #scores} of {@code heads} queries against the same keys: {@code scores[h][j]} for query {@code q[h]}. */
    default void scores(float[][] q, int heads, int first, int n, float scale, float[][] scores) {
        for (int h = 0; h < heads; h++) {
            scores(q[h], first, n, scale, scores[h]);
        }
    }
}
