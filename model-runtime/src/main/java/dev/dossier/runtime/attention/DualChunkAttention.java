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

    /** Per-thread working memory for {@link #attend}. */
    public static final class Scratch {
        final float[] rotatedQuery;
        final float[] scores = new float[KEY_BLOCK];
        final SoftmaxState total;
        final SoftmaxState part;
        final AttentionPart[] parts = new AttentionPart[3];

        public Scratch(int headSize) {
            rotatedQuery = new float[headSize];
            total = new SoftmaxState(headSize);
            part = new SoftmaxState(headSize);
        }
    }

    /**
     * Writes to {@code out[outOffset..+headSize)} the attention output of query {@code i}
     * ({@code query[queryOffset..+headSize)}, unrotated) over keys {@code 0..i}: one head of a
     * {@link KvCache}, {@code keys} (in either layout) and {@code values}.
     */
    public void attend(float[] query, int queryOffset, int i, Keys keys, MemorySegment values,
                       float[] out, int outOffset, Scratch scratch) {
        SoftmaxState total = scratch.total;
        total.reset();
        int partCount = config.parts(i, scratch.parts);
        for (int p = 0; p < partCount; p++) {
            AttentionPart part = scratch.parts[p];
            rope.rotate(query, queryOffset, scratch.rotatedQuery, 0, 1, part.queryPosition());
            SoftmaxState state = scratch.part;
            state.reset();
            accumulate(scratch.rotatedQuery, part.keyStart(), part.keyEnd(), keys, values, scratch.scores, state);
            total.merge(state);
        }
        total.writeOutput(out, outOffset);
    }

    private void accumulate(float[] q, int from, int to, Keys keys, MemorySegment values, float[] scores, SoftmaxState state) {
        long headBytes = (long) headSize * Float.BYTES;
        for (int blockStart = from; blockStart < to; blockStart += KEY_BLOCK) {
            int n = Math.min(KEY_BLOCK, to - blockStart);
            keys.scores(q, blockStart, n, scale, scores);
            state.addBlock(scores, n, values, blockStart * headBytes);
        }
    }
}
