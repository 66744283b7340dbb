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

    /** Per-thread working memory for {@link #attend}, for up to {@code heads} query heads of up to {@code tokens} tokens at a time. */
    public static final class Scratch {
        final SoftmaxState[] totals;
        final SoftmaxState[] partials;
        /** Each token's parts. */
        final AttentionPart[][] parts;
        // Per token, its heads': rotated queries, one key block's scores, the partials' weighted values.
        final float[][][] rotatedQueries;
        final float[][][] scores;
        final float[][][] weighted;

        public Scratch(int headSize, int heads, int tokens) {
            totals = new SoftmaxState[tokens * heads];
            partials = new SoftmaxState[tokens * heads];
            rotatedQueries = new float[tokens][heads][headSize];
            scores = new float[tokens][heads][KEY_BLOCK];
            weighted = new float[tokens][heads][];
            for (int q = 0; q < totals.length; q++) {
                totals[q] = new SoftmaxState(headSize);
                partials[q] = new SoftmaxState(headSize);
                weighted[q / heads][q % heads] = partials[q].weighted;
            }
            parts = new AttentionPart[tokens][3];
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
        attend(query, queryOffset, 0, 1, heads, i, keys, values, out, outOffset, scratch);
    }

    /**
     * {@link #attend(float[], int, int, int, Keys, Values, float[], int, Scratch)} for the
     * {@code tokens} consecutive queries {@code i, i + 1, ..}, token {@code j}'s heads and output
     * {@code j * tokenStride} further on. Tokens of one DCA chunk see parts that start at the same
     * keys (only the last part's end moves with the token), so each block of keys and values is
     * read once for all their heads: prefill reads the whole cache once per few tokens instead
     * of once per token. Runs of tokens are cut at chunk boundaries.
     */
    public void attend(float[] query, int queryOffset, int tokenStride, int tokens, int heads, int i, Keys keys, Values values,
                       float[] out, int outOffset, Scratch scratch) {
        for (int j = 0; j < tokens; ) {
            int run = tokens - j;
            if (config.dca()) {
                int length = config.chunkLength();
                run = Math.min(run, length - (i + j) % length);
            }
            attendRun(query, queryOffset + j * tokenStride, tokenStride, run, heads, i + j, keys, values,
                    out, outOffset + j * tokenStride, scratch);
            j += run;
        }
    }

    /** {@link #attend} for tokens of one chunk. */
    private void attendRun(float[] query, int queryOffset, int tokenStride, int tokens, int heads, int i, Keys keys, Values values,
                           float[] out, int outOffset, Scratch scratch) {
        int partCount = 0;
        for (int j = 0; j < tokens; j++) {
            partCount = config.parts(i + j, scratch.parts[j]);
            for (int h = 0; h < heads; h++) {
                scratch.totals[j * heads + h].reset();
            }
        }
        for (int p = 0; p < partCount; p++) {
            for (int j = 0; j < tokens; j++) {
                for (int h = 0; h < heads; h++) {
                    rope.rotate(query, queryOffset + j * tokenStride + h * headSize, scratch.rotatedQueries[j][h], 0, 1,
                            scratch.parts[j][p].queryPosition());
                    scratch.partials[j * heads + h].reset();
                }
            }
            int keyEnd = scratch.parts[tokens - 1][p].keyEnd();
            for (int blockStart = scratch.parts[0][p].keyStart(); blockStart < keyEnd; blockStart += KEY_BLOCK) {
                for (int j = 0; j < tokens; j++) {
                    int n = Math.min(KEY_BLOCK, scratch.parts[j][p].keyEnd() - blockStart);
                    if (n <= 0) {
                        continue;
                    }
                    keys.scores(scratch.rotatedQueries[j], heads, blockStart, n, scale, scratch.scores[j]);
                    for (int h = 0; h < heads; h++) {
                        scratch.partials[j * heads + h].weigh(scratch.scores[j][h], n);
                    }
                    values.addWeighted(scratch.weighted[j], scratch.scores[j], heads, blockStart, n);
                }
            }
            for (int q = 0; q < tokens * heads; q++) {
                scratch.totals[q].merge(scratch.partials[q]);
            }
        }
        for (int j = 0; j < tokens; j++) {
            for (int h = 0; h < heads; h++) {
                scratch.totals[j * heads + h].writeOutput(out, outOffset + j * tokenStride + h * headSize);
            }
        }
    }
}
