package dev.dossier.runtime.attention;

import dev.dossier.runtime.compute.Parallel;
import java.util.Arrays;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A copy of one KV head's cached keys regrouped for scoring a block of queries: groups of
 * {@link #LANES} keys, each stored dimension by dimension ({@code columns[(group * headSize + d)
 * * LANES + lane]}), so one vector load holds dimension d of a whole group. A group's scores are
 * then {@code headSize} multiply-adds of those loads with the query's values, with no horizontal
 * sum per key, which is most of the work of scoring a head of 64 against the cache's rows
 * (see BENCHMARKS.md). Prefill rebuilds it once per block and layer, and every query of the block
 * that reads this head (block size x query heads per KV head) reuses it.
 */
public final class KeyColumns implements Keys {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();

    private final int headSize;
    private float[] columns = new float[0];
    /** How many keys the last {@link #fill} copied. */
    private int count;

    /** Needs {@code headSize} divisible by 4 (the kernel runs four chains of multiply-adds); see {@link #fits}. */
    public KeyColumns(int headSize) {
        if (!fits(headSize)) {
            throw new IllegalArgumentException("head size must be divisible by 4, got " + headSize);
        }
        this.headSize = headSize;
    }

    public static boolean fits(int headSize) {
        return headSize % 4 == 0;
    }

    /** Copies the first {@code count} keys of head {@code kvHead} of {@code layer}, in parallel. */
    public void fill(KvCache cache, int layer, int kvHead, int count) {
        int groups = (count + LANES - 1) / LANES;
        int size = groups * headSize * LANES;
        if (columns.length < size) {
            columns = new float[Math.max(size, columns.length * 3 / 2)];
        }
        this.count = count;
        float[] target = columns;
        Parallel.forRange(groups, (long) LANES * headSize, (from, to) -> {
            float[] group = new float[LANES * headSize];
            for (int g = from; g < to; g++) {
                int keysInGroup = Math.min(LANES, count - g * LANES);
                cache.readKeys(layer, kvHead, g * LANES, keysInGroup, group, 0);
                for (int lane = 0; lane < keysInGroup; lane++) {
                    int at = g * headSize * LANES + lane;
                    for (int d = 0; d < headSize; d++, at += LANES) {
                        target[at] = group[lane * headSize + d];
                    }
                }
            }
        });
    }

    @Override
    public void scores(float[] q, int first, int n, float scale, float[] scores) {
        if (first + n > count) {
            throw new IndexOutOfBoundsException("keys " + first + ".." + (first + n) + " of " + count + " copied");
        }
        for (int g = first / LANES; g * LANES < first + n; g++) {
            FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0;
            int at = g * headSize * LANES;
            for (int d = 0; d < headSize; d += 4, at += 4 * LANES) {
                a0 = FloatVector.fromArray(F, columns, at).fma(FloatVector.broadcast(F, q[d]), a0);
                a1 = FloatVector.fromArray(F, columns, at + LANES).fma(FloatVector.broadcast(F, q[d + 1]), a1);
                a2 = FloatVector.fromArray(F, columns, at + 2 * LANES).fma(FloatVector.broadcast(F, q[d + 2]), a2);
                a3 = FloatVector.fromArray(F, columns, at + 3 * LANES).fma(FloatVector.broadcast(F, q[d + 3]), a3);
            }
            // The group's keys from `first` on, up to `first + n`, land at scores[key - first].
            int offset = g * LANES - first;
            a0.add(a1).add(a2.add(a3)).mul(scale).intoArray(scores, offset, F.indexInRange(offset, n));
        }
    }

    /**
     * Four queries x four groups (a key block of 64) at a time where the range holds whole groups,
     * through {@link HeadVectors#fourByFour}; the rest one query at a time.
     */
    @Override
    public void scores(float[][] q, int heads, int first, int n, float scale, float[][] scores) {
        int h = 0;
        if (HeadVectors.FOUR_BY_FOUR && LANES == HeadVectors.LANES && first % LANES == 0 && n == 4 * LANES && first + n <= count) {
            int at = first / LANES * headSize * LANES;
            for (; h + 4 <= heads; h += 4) {
                for (int j = h; j < h + 4; j++) {
                    Arrays.fill(scores[j], 0, n, 0f);
                }
                // Row i of the product is dimension i of the four groups; group g is headSize x LANES further on.
                HeadVectors.fourByFour(columns, at, LANES, headSize * LANES, headSize, scale,
                        q[h], q[h + 1], q[h + 2], q[h + 3], scores[h], scores[h + 1], scores[h + 2], scores[h + 3]);
            }
        }
        for (; h < heads; h++) {
            scores(q[h], first, n, scale, scores[h]);
        }
    }
}
