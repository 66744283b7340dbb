package dev.dossier.runtime.attention;

import java.lang.foreign.MemorySegment;

/**
 * Causal attention of one query head over the cached keys, with DCA or plain RoPE positions.
 * Each part (inter, successive, intra) is computed flash-style into its own
 * {@link SoftmaxState} and the parts are merged by log-sum-exp, so memory is linear in the
 * sequence length. Queries arrive unrotated; keys in the cache are already rotated.
 */
public final class DualChunkAttention {
    static final int KEY_BLOCK = 64;

    private final AttentionConfig config;
    private final Rope rope;
    private final int headSize;
    private final float scale;

    public DualChunkAttention(AttentionConfig config, Rope rope, int headSize) {
        this.config = config;
        this.rope = rope;
        this.headSize = headSize;
        this.scale = (float) (1.0 / Math.sqrt(headSize));
    }

    public AttentionConfig config() {
        return config;
    }

    public Rope rope() {
        return rope;
    }

    /** Per-thread working memory for {@link #attend}, for up to {@code group} query heads. */
    public static final class Scratch {
        final float[] rotatedQueries;
        final float[] scores = new float[KEY_BLOCK];
        final SoftmaxState[] totals;
        final SoftmaxState[] partStates;
        final AttentionPart[] parts = new AttentionPart[3];

        public Scratch(int headSize) {
            this(headSize, 1);
        }

        public Scratch(int headSize, int group) {
            rotatedQueries = new float[group * headSize];
            totals = new SoftmaxState[group];
            partStates = new SoftmaxState[group];
            for (int q = 0; q < group; q++) {
                totals[q] = new SoftmaxState(headSize);
                partStates[q] = new SoftmaxState(headSize);
            }
        }
    }

    /**
     * Writes to {@code out[outOffset..+headSize)} the attention output of query {@code i}
     * ({@code query[queryOffset..+headSize)}, unrotated) over keys {@code 0..i}.
     */
    public void attend(float[] query, int queryOffset, int i, MemorySegment keys, MemorySegment values,
                       float[] out, int outOffset, Scratch scratch) {
        attend(query, queryOffset, 1, i, keys, values, out, outOffset, scratch);
    }

    /**
     * The same for the {@code group} consecutive query heads that share one KV head (grouped-query
     * attention): each block of keys and values is loaded once and used by every head of the group
     * while it is in the cache, instead of once per head.
     */
    public void attend(float[] query, int queryOffset, int group, int i, MemorySegment keys, MemorySegment values,
                       float[] out, int outOffset, Scratch scratch) {
        for (int q = 0; q < group; q++) {
            scratch.totals[q].reset();
        }
        int partCount = config.parts(i, scratch.parts);
        for (int p = 0; p < partCount; p++) {
            AttentionPart part = scratch.parts[p];
            rope.rotate(query, queryOffset, scratch.rotatedQueries, 0, group, part.queryPosition());
            for (int q = 0; q < group; q++) {
                scratch.partStates[q].reset();
            }
            accumulate(scratch.rotatedQueries, group, part.keyStart(), part.keyEnd(), keys, values, scratch.scores, scratch.partStates);
            for (int q = 0; q < group; q++) {
                scratch.totals[q].merge(scratch.partStates[q]);
            }
        }
        for (int q = 0; q < group; q++) {
            scratch.totals[q].writeOutput(out, outOffset + q * headSize);
        }
    }

    private void accumulate(float[] queries, int group, int from, int to, MemorySegment keys, MemorySegment values,
                            float[] scores, SoftmaxState[] states) {
        long headBytes = (long) headSize * Float.BYTES;
        for (int blockStart = from; blockStart < to; blockStart += KEY_BLOCK) {
            int n = Math.min(KEY_BLOCK, to - blockStart);
            for (int q = 0; q < group; q++) {
                for (int k = 0; k < n; k++) {
                    scores[k] = HeadVectors.dot(queries, q * headSize, keys, (blockStart + k) * headBytes, headSize) * scale;
                }
                states[q].addBlock(scores, n, values, blockStart * headBytes);
            }
        }
    }
}
