package dev.dossier.runtime.attention;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
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
        MemorySegment keyCache = Arena.ofAuto().allocate((long) n * HEAD_SIZE * Float.BYTES, 64);
        MemorySegment valueCache = Arena.ofAuto().allocate((long) n * HEAD_SIZE * Float.BYTES, 64);
        for (int j = 0; j < n * HEAD_SIZE; j++) {
            keyCache.setAtIndex(ValueLayout.JAVA_FLOAT, j, (float) random.nextGaussian());
            valueCache.setAtIndex(ValueLayout.JAVA_FLOAT, j, (float) random.nextGaussian());
        }
        Keys keys = new KeyRows(keyCache, HEAD_SIZE);
        for (int i : new int[] {0, 19, 20, 64, 129}) {
            float[] queries = new float[heads * HEAD_SIZE];
            for (int d = 0; d < queries.length; d++) queries[d] = (float) random.nextGaussian();
            float[] together = new float[heads * HEAD_SIZE];
            attention.attend(queries, 0, heads, i, keys, valueCache, together, 0, new DualChunkAttention.Scratch(HEAD_SIZE, heads));
            float[] alone = new float[heads * HEAD_SIZE];
            DualChunkAttention.Scratch one = new DualChunkAttention.Scratch(HEAD_SIZE, 1);
            for (int h = 0; h < heads; h++) {
                attention.attend(queries, h * HEAD_SIZE, 1, i, keys, valueCache, alone, h * HEAD_SIZE, one);
            }
            assertArrayEquals(alone, together, "query " + i);
        }
    }

    private static void check(AttentionConfig config, int n) {
        Random random = new Random(n);
        float[][] queries = randomVectors(random, n);
        float[][] keys = randomVectors(random, n);
        float[][] values = randomVectors(random, n);

        Rope rope = new Rope(HEAD_SIZE, HEAD_SIZE, BASE, config.maxRotationPosition(n) + 1);
        DualChunkAttention attention = new DualChunkAttention(config, rope, HEAD_SIZE);
        // Off-heap and native-order, like a KvCache head.
        MemorySegment keyCache = Arena.ofAuto().allocate((long) n * HEAD_SIZE * Float.BYTES, 64);
        MemorySegment valueCache = Arena.ofAuto().allocate((long) n * HEAD_SIZE * Float.BYTES, 64);
        for (int j = 0; j < n; j++) {
            float[] rotated = rotate(keys[j], config.keyPosition(j));
            long offset = (long) j * HEAD_SIZE * Float.BYTES;
            MemorySegment.copy(rotated, 0, keyCache, ValueLayout.JAVA_FLOAT, offset, HEAD_SIZE);
            MemorySegment.copy(values[j], 0, valueCache, ValueLayout.JAVA_FLOAT, offset, HEAD_SIZE);
        }
        KeyColumns columns = new KeyColumns(HEAD_SIZE);
        columns.fill(keyCache, n);
        DualChunkAttention.Scratch scratch = new DualChunkAttention.Scratch(HEAD_SIZE, 1);
        float[] out = new float[HEAD_SIZE];
        for (Keys layout : new Keys[] {new KeyRows(keyCache, HEAD_SIZE), columns}) {
            for (int i = 0; i < n; i++) {
                attention.attend(queries[i], 0, 1, i, layout, valueCache, out, 0, scratch);
                double[] expected = reference(config, queries, keys, values, i);
                for (int d = 0; d < HEAD_SIZE; d++) {
                    assertEquals(expected[d], out[d], 2e-5, layout.getClass().getSimpleName() + " " + config + " query " + i + " dim " + d);
                }
            }
        }
    }

    /** Softmax over all keys j <= i with the query rotated at keyPosition(j) + distance(i, j). */
    private static double[] reference(AttentionConfig config, float[][] queries, float[][] keys, float[][] values, int i) {
        double[] scores = new double[i + 1];
        double max = Double.NEGATIVE_INFINITY;
        for (int j = 0; j <= i; j++) {
            int keyPosition = config.keyPosition(j);
            float[] q = rotate(queries[i], keyPosition + config.distance(i, j));
            float[] k = rotate(keys[j], keyPosition);
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
