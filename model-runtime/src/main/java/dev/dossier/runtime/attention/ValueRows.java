package dev.dossier.runtime.attention;

import dev.dossier.runtime.compute.Parallel;

/**
 * A float copy of one KV head's cached values, for prefill: every query of a block (block size
 * x query heads per KV head) reads every value, so decoding them once per block, in parallel,
 * is far cheaper than once per query.
 */
public final class ValueRows implements Values {
    /** Values decoded per piece of the parallel fill. */
    private static final int FILL_STEP = 256;

    private final int headSize;
    private float[] rows = new float[0];
    /** How many values the last {@link #fill} copied. */
    private int count;

    public ValueRows(int headSize) {
        this.headSize = headSize;
    }

    /** Decodes the first {@code count} values of head {@code kvHead} of {@code layer}. */
    public void fill(KvCache cache, int layer, int kvHead, int count) {
        if (rows.length < count * headSize) {
            rows = new float[Math.max(count * headSize, rows.length * 3 / 2)];
        }
        this.count = count;
        float[] target = rows;
        int steps = (count + FILL_STEP - 1) / FILL_STEP;
        Parallel.forRange(steps, (long) FILL_STEP * headSize, (from, to) -> {
            for (int s = from; s < to; s++) {
                int first = s * FILL_STEP;
                cache.readValues(layer, kvHead, first, Math.min(FILL_STEP, count - first), target, first * headSize);
            }
        });
    }

    @Override
    public void addWeighted(float[] into, float[] weights, int first, int n) {
        if (first + n > count) {
            throw new IndexOutOfBoundsException("values " + first + ".." + (first + n) + " of " + count + " copied");
        }
        HeadVectors.addWeighted(into, weights, n, rows, first * headSize, headSize);
    }
}
