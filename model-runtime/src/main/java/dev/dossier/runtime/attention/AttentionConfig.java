package dev.dossier.runtime.attention;

/**
 * How queries and keys are positioned: plain RoPE, or Dual Chunk Attention (DCA) with a chunk
 * size {@code CS} and a local window {@code LS} (see shared/design/dca.md). Under DCA every
 * query/key distance stays below {@code CS <= c}, the training context, so a model can read far
 * past {@code c} without retraining.
 *
 * @param dca         true for DCA, false for plain RoPE
 * @param chunkSize   CS; ignored for plain RoPE
 * @param localWindow LS; ignored for plain RoPE
 */
public record AttentionConfig(boolean dca, int chunkSize, int localWindow) {

    public AttentionConfig {
        if (dca && !(0 < localWindow && localWindow < chunkSize)) {
            throw new IllegalArgumentException("DCA needs 0 < local window < chunk size, got local window "
                    + localWindow + " and chunk size " + chunkSize);
        }
    }

    /** DCA with the paper's defaults for training context {@code c}: CS = 3c/4, LS = c/8. */
    public static AttentionConfig dcaDefaults(int trainingContext) {
        return new AttentionConfig(true, trainingContext * 3 / 4, trainingContext / 8);
    }

    /** DCA with a chosen chunk size and local window; either one left null takes its default (as in {@link #dcaDefaults}). */
    public static AttentionConfig dcaOrDefaults(Integer chunkSize, Integer localWindow, int trainingContext) {
        AttentionConfig defaults = dcaDefaults(trainingContext);
        return dca(chunkSize != null ? chunkSize : defaults.chunkSize(),
                localWindow != null ? localWindow : defaults.localWindow(), trainingContext);
    }

    public static AttentionConfig dca(int chunkSize, int localWindow, int trainingContext) {
        if (chunkSize > trainingContext) {
            throw new IllegalArgumentException("DCA chunk size " + chunkSize + " exceeds the training context " + trainingContext);
        }
        return new AttentionConfig(true, chunkSize, localWindow);
    }

    public static AttentionConfig rope() {
        return new AttentionConfig(false, 0, 0);
    }

    /** L = CS - LS: the length of one chunk; chunk m holds positions [mL, (m+1)L). */
    public int chunkLength() {
        return chunkSize - localWindow;
    }

    /** The position a key at absolute position {@code j} is rotated at (once, before caching). */
    public int keyPosition(int j) {
        return dca ? j % chunkLength() : j;
    }

    /** The largest rotation position any query or key can use for sequences up to {@code length}. */
    public int maxRotationPosition(int length) {
        return dca ? Math.min(chunkSize, Math.max(length - 1, 0)) : Math.max(length - 1, 0);
    }

    /**
     * The parts query {@code i} attends to, in order inter, successive, intra (by key position).
     * Each part is a key range with the position the query is rotated at for it.
     */
    public int parts(int i, AttentionPart[] out) {
        if (!dca) {
            out[0] = new AttentionPart(0, i + 1, i);
            return 1;
        }
        int length = chunkLength();
        int chunk = i / length;
        int chunkStart = chunk * length;
        int count = 0;
        if (chunk >= 2) {
            out[count++] = new AttentionPart(0, chunkStart - length, Math.min(2 * length - 1, chunkSize));
        }
        if (chunk >= 1) {
            out[count++] = new AttentionPart(chunkStart - length, chunkStart, Math.min(length + i % length, chunkSize));
        }
        out[count++] = new AttentionPart(chunkStart, i + 1, i % length);
        return count;
    }

    /** The RoPE distance query {@code i} sees to key {@code j <= i}: what the worked examples tabulate. */
    public int distance(int i, int j) {
        AttentionPart[] parts = new AttentionPart[3];
        int n = parts(i, parts);
        for (int p = 0; p < n; p++) {
            if (j >= parts[p].keyStart() && j < parts[p].keyEnd()) {
                return parts[p].queryPosition() - keyPosition(j);
            }
        }
        throw new IllegalArgumentException("key " + j + " is not visible from query " + i);
    }

    @Override
    public String toString() {
        return dca ? "dca(chunk_size=" + chunkSize + ", local_window=" + localWindow + ")" : "rope";
    }
}
