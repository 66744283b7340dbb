package dev.dossier.runtime.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/**
 * The flash-style DCA kernel against a naive reference that materialises the full score
 * matrix, rotating queries and keys itself from the position rules of dca.md.
 */
class DualChunkAttentionTest {
    private static final int HEAD_SIZE = 8;
    private static final float BASE = 10000f;

    @Test
    void matchesTheNaiveReferenceAcrossManyChunks() {
        check(new AttentionConfig(true, 6, 2), 40);
        check(new AttentionConfig(true, 20, 5), 130);
        check(new AttentionConfig(true, 100, 20), 300); // parts longer than one key block
    }

    @Test
    void plainRopeMatchesTheNaiveReference() {
        check(AttentionConfig.rope(), 150);
    }

    @Test
    void headsAttendedTogetherMatchEachHeadAlone() {
        AttentionConfig config = new AttentionConfig(true, 20, 5);
        int n = 130;
        int heads = 3;
        Random random = new Random(7);
        Rope rope = new Rope(HEAD_SIZE, HEAD_SIZE, BASE, config.maxRotationPosition(n) + 1);
        DualChunkAttention attention = new DualChunkAttention(config, rope, HEAD_SIZE);
        KvCache cache = new KvCache(1, 1, HEAD_SIZE, n, KvCache.Precision.F16);
        float[][] keys = randomVectors(random, n);
        float[][] values = randomVectors(random, n);
        for (int j = 0; j < n; j++) {
            cache.store(0, 0, j, keys[j], 0, values[j], 0);
        }
        CacheRows rows = new CacheRows(HEAD_SIZE).of(cache, 0, 0);
        for (int i : new int[] {0, 19, 20, 64, 129}) {
            float[] queries = new float[heads * HEAD_SIZE];
            for (int d = 0; d < queries.length; d++) queries[d] = (float) random.nextGaussian();
            float[] together = new float[heads * HEAD_SIZE];
            attention.attend(queries, 0, heads, i, rows, rows, together, 0, new DualChunkAttention.Scratch(HEAD_SIZE, heads, 1));
            float[] alone = new float[heads * HEAD_SIZE];
            DualChunkAttention.Scratch one = new DualChunkAttention.Scratch(HEAD_SIZE, 1, 1);
            for (int h = 0; h < heads; h++) {
                attention.attend(queries, h * HEAD_SIZE, 1, i, rows, rows, alone, h * HEAD_SIZE, one);
            }
            assertArrayEquals(alone, together, "query " + i);
        }
    }

    /**
     * Prefill's path, four queries of eight heads of 64 at a time over the regrouped keys and
     * copied values (with AVX-512 the four-query and four-head tiles), against each query and
     * head alone over the cache's rows.
     */
    @Test
    void queriesAttendedInTilesMatchEachAlone() {
        int headSize = 64;
        int heads = 8;
        int n = 300;
        int run = 4;
        AttentionConfig config = new AttentionConfig(true, 200, 40); // chunks of 160: runs and key blocks cross a boundary
        Random random = new Random(11);
        DualChunkAttention attention = new DualChunkAttention(config, new Rope(headSize, headSize, BASE, config.maxRotationPosition(n) + 1), headSize);
        KvCache cache = new KvCache(1, 1, headSize, n, KvCache.Precision.F32);
        for (int j = 0; j < n; j++) {
            float[] key = new float[headSize];
            float[] value = new float[headSize];
            for (int d = 0; d < headSize; d++) {
                key[d] = (float) random.nextGaussian();
                value[d] = (float) random.nextGaussian();
            }
            cache.store(0, 0, j, key, 0, value, 0);
        }
        KeyColumns columns = new KeyColumns(headSize);
        columns.fill(cache, 0, 0, n);
        ValueRows valueRows = new ValueRows(headSize);
        valueRows.fill(cache, 0, 0, n);
        CacheRows rows = new CacheRows(headSize).of(cache, 0, 0);
        int token = heads * headSize;
        float[] queries = new float[n * token];
        for (int i = 0; i < queries.length; i++) queries[i] = (float) random.nextGaussian();

        float[] tiled = new float[n * token];
        DualChunkAttention.Scratch scratch = new DualChunkAttention.Scratch(headSize, heads, run);
        for (int i = 0; i < n; i += run) {
            attention.attend(queries, i * token, token, Math.min(run, n - i), heads, i, columns, valueRows, tiled, i * token, scratch);
        }
        float[] alone = new float[n * token];
        DualChunkAttention.Scratch one = new DualChunkAttention.Scratch(headSize, 1, 1);
        for (int q = 0; q < n * heads; q++) {
            attention.attend(queries, q * headSize, 1, q / heads, rows, rows, alone, q * headSize, one);
        }
        assertArrayEquals(alone, tiled, 1e-4f);
    }

    private static void check(AttentionConfig config, int n) {
        for (KvCache.Precision precision : KvCache.Precision.values()) {
            check(config, n, precision);
        }
    }

    /**
     * The kernel over a cache of {@code precision}, against the reference over the same cached
     * keys and values (rounded as the cache stores them), in both key and value layouts.
     */
    private static void check(AttentionConfig config, int n, KvCache.Precision precision) {
        Random random = new Random(n);
        float[][] queries = randomVectors(random, n);
        float[][] keys = randomVectors(random, n);
        float[][] values = randomVectors(random, n);

        Rope rope = new Rope(HEAD_SIZE, HEAD_SIZE, BASE, config.maxRotationPosition(n) + 1);
        DualChunkAttention attention = new DualChunkAttention(config, rope, HEAD_SIZE);
        KvCache cache = new KvCache(1, 1, HEAD_SIZE, n, precision);
        float[][] cachedKeys = new float[n][HEAD_SIZE];
        float[][] cachedValues = new float[n][HEAD_SIZE];
        for (int j = 0; j < n; j++) {
            cache.store(0, 0, j, rotate(keys[j], config.keyPosition(j)), 0, values[j], 0);
            cache.readKeys(0, 0, j, 1, cachedKeys[j], 0);
            cache.readValues(0, 0, j, 1, cachedValues[j], 0);
        }
        KeyColumns columns = new KeyColumns(HEAD_SIZE);
        columns.fill(cache, 0, 0, n);
        ValueRows valueCopy = new ValueRows(HEAD_SIZE);
        valueCopy.fill(cache, 0, 0, n);
        CacheRows rows = new CacheRows(HEAD_SIZE).of(cache, 0, 0);
        DualChunkAttention.Scratch scratch = new DualChunkAttention.Scratch(HEAD_SIZE, 1, 1);
        float[] out = new float[HEAD_SIZE];
        for (Keys keyLayout : new Keys[] {rows, columns}) {
            Values valueLayout = keyLayout == rows ? rows : valueCopy;
            String layout = keyLayout.getClass().getSimpleName() + " " + precision;
            for (int i = 0; i < n; i++) {
                attention.attend(queries[i], 0, 1, i, keyLayout, valueLayout, out, 0, scratch);
                double[] expected = reference(config, queries, cachedKeys, cachedValues, i);
                for (int d = 0; d < HEAD_SIZE; d++) {
                    assertEquals(expected[d], out[d], 2e-5, layout + " " + config + " query " + i + " dim " + d);
                }
            }
            // Runs of consecutive queries attended together, across chunk boundaries.
            int run = 5;
            float[] flat = new float[n * HEAD_SIZE];
            for (int i = 0; i < n; i++) System.arraycopy(queries[i], 0, flat, i * HEAD_SIZE, HEAD_SIZE);
            float[] outs = new float[n * HEAD_SIZE];
            DualChunkAttention.Scratch runScratch = new DualChunkAttention.Scratch(HEAD_SIZE, 1, run);
            for (int i = 0; i < n; i += run) {
                attention.attend(flat, i * HEAD_SIZE, HEAD_SIZE, Math.min(run, n - i), 1, i, keyLayout, valueLayout, outs, i * HEAD_SIZE, runScratch);
            }
            for (int i = 0; i < n; i++) {
                double[] expected = reference(config, queries, cachedKeys, cachedValues, i);
                for (int d = 0; d < HEAD_SIZE; d++) {
                    assertEquals(expected[d], outs[i * HEAD_SIZE + d], 2e-5, layout + " " + config + " runs of " + run + ", query " + i + " dim " + d);
                }
            }
        }
    }

    /**
     * Softmax over all keys j <= i (as cached: rotated at keyPosition(j)) with the query rotated at
     * keyPosition(j) + distance(i, j).
     */
    private static double[] reference(AttentionConfig config, float[][] queries, float[][] rotatedKeys, float[][] values, int i) {
        double[] scores = new double[i + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j <= i; j++) {
            int keyPosition = config.keyPosition(j);
            float[] q = rotate(queries[i], keyPosition + config.distance(i, j));
            float[] k = rotatedKeys[j];
            double dot = 0;
            for (int d = 0; d < HEAD_SIZE; d++) dot += q[d] * k[d];
            scores[j] = dot / Math.sqrt(HEAD_SIZE);
            max = Math.max(max, scores[j]);
        }
        double sum = 0;
        double[] out = new double[HEAD_SIZE];
        for (int j = 0; j <= i; j++) {
            double p = Math.exp(scores[j] - max);
            sum += p;
            for (int d = 0; d < HEAD_SIZE; d++) out[d] += p * values[j][d];
        }
        for (int d = 0; d < HEAD_SIZE; d++) out[d] /= sum;
        return out;
    }

    private static float[] rotate(float[] x, int position) {
        float[] out = new float[HEAD_SIZE];
        for (int pair = 0; pair < HEAD_SIZE / 2; pair++) {
            double angle = position * Math.pow(BASE, -2.0 * pair / HEAD_SIZE);
            out[2 * pair] = (float) (x[2 * pair] * Math.cos(angle) - x[2 * pair + 1] * Math.sin(angle));
            out[2 * pair + 1] = (float) (x[2 * pair] * Math.sin(angle) + x[2 * pair + 1] * Math.cos(angle));
        }
        return out;
    }

    private static float[][] randomVectors(Random random, int n) {
        float[][] vectors = new float[n][HEAD_SIZE];
        for (float[] v : vectors) {
            for (int d = 0; d < HEAD_SIZE; d++) v[d] = (float) random.nextGaussian();
        }
        return vectors;
    }
}
