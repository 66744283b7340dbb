package dev.dossier.runtime.attention;

/**
 * Causal attention of the query heads that share one KV head over its cached keys, with DCA or
 * plain RoPE positions.
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

    /** Per-thread working memory for {@link #attend}, for up to {@code heads} query heads at a time. */
    public static final class Scratch {
        final float[][] rotatedQueries;
        final float[] scores = new float[KEY_BLOCK];
        final SoftmaxState[] totals;
        final SoftmaxState[] partials;
        final AttentionPart[] parts = new AttentionPart[3];

        public Scratch(int headSize, int heads) {
            rotatedQueries = new float[heads][headSize];
            totals = new SoftmaxState[heads];
            partials = new SoftmaxState[heads];
            for (int h = 0; h < heads; h++) {
                totals[h] = new SoftmaxState(headSize);
                partials[h] = new SoftmaxState(headSize);
            }
        }
    }

    /**
     * Writes to {@code out[outOffset + h * headSize ..+headSize)} the attention output of query
     * {@code i}'s heads {@code h < heads} ({@code query[queryOffset + h * headSize ..+headSize)},
     * unrotated) over keys {@code 0..i}: heads that share one KV head of a {@link KvCache},
     * {@code keys} and {@code values} (in either layout). The heads of one token have the same
     * DCA parts, so each block of keys and values is read once for all of them while it is in
     * the core's cache, instead of once per head (grouped-query attention).
     */
    public void attend(float[] query, int queryOffset, int heads, int i, Keys keys, Values values,
                       float[] out, int outOffset, Scratch scratch) {
        for (int h = 0; h < heads; h++) {
            scratch.totals[h].reset();
        }
        int partCount = config.parts(i, scratch.parts);
        for (int p = 0; p < partCount; p++) {
            AttentionPart part = scratch.parts[p];
            for (int h = 0; h < heads; h++) {
                rope.rotate(query, queryOffset + h * headSize, scratch.rotatedQueries[h], 0, 1, part.queryPosition());
                scratch.partials[h].reset();
            }
            for (int blockStart = part.keyStart(); blockStart < part.keyEnd(); blockStart += KEY_BLOCK) {
                int n = Math.min(KEY_BLOCK, part.keyEnd() - blockStart);
                for (int h = 0; h < heads; h++) {
                    keys.scores(scratch.rotatedQueries[h], blockStart, n, scale, scratch.scores);
                    scratch.partials[h].addBlock(scratch.scores, n, values, blockStart);
                }
            }
            for (int h = 0; h < heads; h++) {
                scratch.totals[h].merge(scratch.partials[h]);
            }
        }
        for (int h = 0; h < heads; h++) {
            scratch.totals[h].writeOutput(out, outOffset + h * headSize);
        }
    }
}
