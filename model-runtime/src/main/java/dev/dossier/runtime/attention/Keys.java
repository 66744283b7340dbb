package dev.dossier.runtime.attention;

/**
 * One KV head's cached keys as the attention loop reads them, in one of two layouts, each with
 * the score kernel that suits it: {@link KeyRows}, the cache itself, for a few queries (decoding);
 * {@link KeyColumns}, a regrouped copy, for a block of queries (prefill).
 */
public sealed interface Keys permits KeyRows, KeyColumns {
    /** {@code scores[j] = scale * (q . key(first + j))} for {@code j < n}. */
    void scores(float[] q, int first, int n, float scale, float[] scores);
}
