package dev.dossier.runtime.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * The score and weighted-value kernels against sums in doubles, for several head sizes, both
 * cache precisions and every key count and start: the cache's rows decoded a block at a time
 * ({@link CacheRows}: 4 keys per query load, then one at a time), the regrouped
 * {@link KeyColumns} (whole and partial groups) and the value copy {@link ValueRows}.
 */
class HeadVectorsTest {
    private static final int MAX_KEYS = DualChunkAttention.KEY_BLOCK;
    private static final int SKIPPED = 19; // blocks that start past the first cached key, inside and at a group's edge

    @ParameterizedTest
    @CsvSource({"8, F32", "16, F32", "64, F32", "128, F32", "8, F16", "64, F16"})
    void scoresMatchDoubleSumsForEveryKeyCount(int headSize, KvCache.Precision precision) {
        Random random = new Random(headSize);
        float[] q = gaussian(random, headSize);
        KvCache cache = randomCache(random, headSize, precision);
        float[] cached = new float[(MAX_KEYS + SKIPPED) * headSize];
        cache.readKeys(0, 0, 0, MAX_KEYS + SKIPPED, cached, 0);
        float scale = 0.125f;
        KeyColumns columns = new KeyColumns(headSize);
        columns.fill(cache, 0, 0, MAX_KEYS + SKIPPED);
        for (Keys layout : new Keys[] {new CacheRows(headSize).of(cache, 0, 0), columns}) {
            for (int first = 0; first <= SKIPPED; first++) {
                for (int n = 0; n <= MAX_KEYS; n++) {
                    float[] scores = new float[MAX_KEYS + 1];
                    scores[n] = 42f;
                    layout.scores(q, first, n, scale, scores);
                    for (int k = 0; k < n; k++) {
                        double expected = 0;
                        for (int d = 0; d < headSize; d++) {
                            expected += (double) q[d] * cached[(first + k) * headSize + d];
                        }
                        assertEquals(expected * scale, scores[k], 1e-5 * Math.sqrt(headSize),
                                layout.getClass().getSimpleName() + ": key " + k + " of " + n + " from " + first);
                    }
                    assertEquals(42f, scores[n], "nothing written past the last key");
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"8, F32", "64, F32", "72, F32", "64, F16"})
    void weightedValuesMatchDoubleSums(int headSize, KvCache.Precision precision) {
        Random random = new Random(headSize + 1);
        KvCache cache = randomCache(random, headSize, precision);
        float[] cached = new float[(MAX_KEYS + SKIPPED) * headSize];
        cache.readValues(0, 0, 0, MAX_KEYS + SKIPPED, cached, 0);
        ValueRows copy = new ValueRows(headSize);
        copy.fill(cache, 0, 0, MAX_KEYS + SKIPPED);
        for (Values layout : new Values[] {new CacheRows(headSize).of(cache, 0, 0), copy}) {
            for (int first : new int[] {0, 1, SKIPPED}) {
                for (int n = 0; n <= MAX_KEYS; n++) {
                    float[] weights = gaussian(random, n);
                    float[] into = gaussian(random, headSize);
                    double[] expected = new double[headSize];
                    for (int d = 0; d < headSize; d++) {
                        expected[d] = into[d];
                        for (int k = 0; k < n; k++) {
                            expected[d] += (double) weights[k] * cached[(first + k) * headSize + d];
                        }
                    }
                    layout.addWeighted(into, weights, first, n);
                    for (int d = 0; d < headSize; d++) {
                        assertEquals(expected[d], into[d], 1e-4, layout.getClass().getSimpleName() + ": dim " + d + " of " + n + " from " + first);
                    }
                }
            }
        }
    }

    /** One layer, one KV head of {@code MAX_KEYS + SKIPPED} random keys and values. */
    private static KvCache randomCache(Random random, int headSize, KvCache.Precision precision) {
        KvCache cache = new KvCache(1, 1, headSize, MAX_KEYS + SKIPPED, precision);
        for (int p = 0; p < MAX_KEYS + SKIPPED; p++) {
            cache.store(0, 0, p, gaussian(random, headSize), 0, gaussian(random, headSize), 0);
        }
        return cache;
    }

    private static float[] gaussian(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
