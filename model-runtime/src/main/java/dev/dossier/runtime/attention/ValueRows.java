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

    /**
     * Four heads at a time when a head is four vectors (64 with AVX-512), through {@link
     * HeadVectors#fourByFour}: each load of a value row feeds four heads; the rest one head at a time.
     */
    @Override
    public void addWeighted(float[][] into, float[][] weights, int heads, int first, int n) {
        if (first + n > count) {
            throw new IndexOutOfBoundsException("values " + first + ".." + (first + n) + " of " + count + " copied");
        }
        int h = 0;
        if (HeadVectors.FOUR_BY_FOUR && headSize == 4 * HeadVectors.LANES) {
            for (; h + 4 <= heads; h += 4) {
                // Row i of the product is value row first + i; its four vectors lie side by side.
                HeadVectors.fourByFour(rows, first * headSize, headSize, HeadVectors.LANES, n, 1f,
                        weights[h], weights[h + 1], weights[h + 2], weights[h + 3], into[h], into[h + 1], into[h + 2], into[h + 3]);
            }
        }
        for (; h < heads; h++) {
            addWeighted(into[h], weights[h], first, n);
        }
    }
}
