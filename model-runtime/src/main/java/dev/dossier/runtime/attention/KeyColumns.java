package dev.dossier.runtime.attention;

import dev.dossier.runtime.compute.Parallel;
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
    private static final boolean MANY_REGISTERS = F.vectorBitSize() >= 512;

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
     * Four queries x four groups (a key block of 64) at a time where the range holds whole groups:
     * each load of a key column feeds four queries and each broadcast of a query value four
     * groups, 16 multiply-adds per 8 loads, where one query at a time did one per two loads (the
     * tile of {@code MatMul}, for attention). Needs 32 vector registers (AVX-512).
     */
    @Override
    public void scores(float[][] q, int heads, int first, int n, float scale, float[][] scores) {
        int h = 0;
        if (MANY_REGISTERS && first % LANES == 0 && n == 4 * LANES && first + n <= count) {
            for (; h + 4 <= heads; h += 4) {
                fourQueries(q[h], q[h + 1], q[h + 2], q[h + 3], first / LANES * headSize * LANES, scale,
                        scores[h], scores[h + 1], scores[h + 2], scores[h + 3]);
            }
        }
        for (; h < heads; h++) {
            scores(q[h], first, n, scale, scores[h]);
        }
    }

    /**
     * The four groups from {@code columns[at]} times four queries. Its own method, with nothing
     * but vector code: inside a larger one the compiler ran out of inlining budget, and vectors
     * that leave compiled code become objects (prefill three times slower).
     */
    private void fourQueries(float[] q0, float[] q1, float[] q2, float[] q3, int at, float scale,
                             float[] s0, float[] s1, float[] s2, float[] s3) {
        int group = headSize * LANES;
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int d = 0, c = at; d < headSize; d++, c += LANES) {
            FloatVector k0 = FloatVector.fromArray(F, columns, c);
            FloatVector k1 = FloatVector.fromArray(F, columns, c + group);
            FloatVector k2 = FloatVector.fromArray(F, columns, c + 2 * group);
            FloatVector k3 = FloatVector.fromArray(F, columns, c + 3 * group);
            FloatVector w = FloatVector.broadcast(F, q0[d]);
            a00 = k0.fma(w, a00); a01 = k1.fma(w, a01); a02 = k2.fma(w, a02); a03 = k3.fma(w, a03);
            w = FloatVector.broadcast(F, q1[d]);
            a10 = k0.fma(w, a10); a11 = k1.fma(w, a11); a12 = k2.fma(w, a12); a13 = k3.fma(w, a13);
            w = FloatVector.broadcast(F, q2[d]);
            a20 = k0.fma(w, a20); a21 = k1.fma(w, a21); a22 = k2.fma(w, a22); a23 = k3.fma(w, a23);
            w = FloatVector.broadcast(F, q3[d]);
            a30 = k0.fma(w, a30); a31 = k1.fma(w, a31); a32 = k2.fma(w, a32); a33 = k3.fma(w, a33);
        }
        a00.mul(scale).intoArray(s0, 0); a01.mul(scale).intoArray(s0, LANES); a02.mul(scale).intoArray(s0, 2 * LANES); a03.mul(scale).intoArray(s0, 3 * LANES);
        a10.mul(scale).intoArray(s1, 0); a11.mul(scale).intoArray(s1, LANES); a12.mul(scale).intoArray(s1, 2 * LANES); a13.mul(scale).intoArray(s1, 3 * LANES);
        a20.mul(scale).intoArray(s2, 0); a21.mul(scale).intoArray(s2, LANES); a22.mul(scale).intoArray(s2, 2 * LANES); a23.mul(scale).intoArray(s2, 3 * LANES);
        a30.mul(scale).intoArray(s3, 0); a31.mul(scale).intoArray(s3, LANES); a32.mul(scale).intoArray(s3, 2 * LANES); a33.mul(scale).intoArray(s3, 3 * LANES);
    }
}
