package dev.dossier.runtime.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

/** Invariant 2: the log-sum-exp merge of parts equals one softmax over the concatenated scores. */
class SoftmaxStateTest {

    @Test
    void mergingPartsEqualsOneSoftmaxOverAllScores() {
        Random random = new Random(7);
        int headSize = 5;
        for (int trial = 0; trial < 200; trial++) {
            int n = 1 + random.nextInt(300);
            float[] scores = new float[n];
            float[] values = new float[n * headSize];
            for (int k = 0; k < n; k++) {
                scores[k] = (float) (random.nextGaussian() * (trial % 3 == 0 ? 30 : 3));
            }
            for (int i = 0; i < values.length; i++) {
                values[i] = (float) random.nextGaussian();
            }
            KvCache cache = new KvCache(1, 1, headSize, n, KvCache.Precision.F32);
            for (int k = 0; k < n; k++) {
                cache.store(0, 0, k, values, k * headSize, values, k * headSize);
            }
            ValueRows valueRows = new ValueRows(headSize);
            valueRows.fill(cache, 0, 0, n);
            // Reference: one softmax in double precision over all scores.
            double max = Double.NEGATIVE_INFINITY;
            for (float s : scores) max = Math.max(max, s);
            double sum = 0;
            double[] expected = new double[headSize];
            for (int k = 0; k < n; k++) {
                double p = Math.exp(scores[k] - max);
                sum += p;
                for (int d = 0; d < headSize; d++) expected[d] += p * values[k * headSize + d];
            }
            // Three parts at random split points (any may be empty), each in blocks of random size.
            int a = random.nextInt(n + 1);
            int b = a + random.nextInt(n - a + 1);
            SoftmaxState total = new SoftmaxState(headSize);
            for (int[] range : new int[][] {{0, a}, {a, b}, {b, n}}) {
                SoftmaxState part = new SoftmaxState(headSize);
                int block = 1 + random.nextInt(70);
                for (int from = range[0]; from < range[1]; from += block) {
                    int count = Math.min(block, range[1] - from);
                    float[] weights = java.util.Arrays.copyOfRange(scores, from, from + count);
                    part.weigh(weights, count);
                    valueRows.addWeighted(part.weighted, weights, from, count);
                }
                total.merge(part);
            }
            float[] out = new float[headSize];
            total.writeOutput(out, 0);
            for (int d = 0; d < headSize; d++) {
                assertEquals(expected[d] / sum, out[d], 1e-5, "trial " + trial + " dim " + d);
            }
            assertEquals(max + Math.log(sum), total.logSumExp(), 1e-4 * Math.max(1, Math.abs(max)));
        }
    }
}
