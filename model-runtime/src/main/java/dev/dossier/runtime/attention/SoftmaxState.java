package dev.dossier.runtime.attention;

/**
 * The running state of an online (flash-style) softmax over some keys, for one query head:
 * the largest score seen, the sum of {@code exp(score - max)}, and the value vectors weighted
 * the same way. Two states over disjoint key sets merge by log-sum-exp into the state over
 * their union, which is how the DCA parts are combined without one n x n score matrix.
 */
public final class SoftmaxState {
    float max;
    float sum;
    final float[] weighted;

    public SoftmaxState(int headSize) {
        this.weighted = new float[headSize];
        reset();
    }

    public void reset() {
        max = Float.NEGATIVE_INFINITY;
        sum = 0;
        java.util.Arrays.fill(weighted, 0);
    }

    /**
     * Takes a block of keys' scores ({@code scores[0..n)}) into the state: turns them into their
     * values' weights in place (all exps of the block in one vector pass) and into the running max
     * and sum. The caller then adds the block's values with those weights into {@link #weighted}
     * ({@link Values#addWeighted}).
     */
    void weigh(float[] scores, int n) {
        float blockMax = HeadVectors.max(scores, n);
        if (blockMax > max) {
            rescale(max == Float.NEGATIVE_INFINITY ? 0 : (float) Math.exp(max - blockMax));
            max = blockMax;
        }
        sum += HeadVectors.expShifted(scores, n, max);
    }

    private void rescale(float factor) {
        sum *= factor;
        for (int d = 0; d < weighted.length; d++) {
            weighted[d] *= factor;
        }
    }

    /** Folds {@code other} (over a disjoint set of keys) into this state: the log-sum-exp merge. */
    public void merge(SoftmaxState other) {
        if (other.sum == 0) {
            return;
        }
        if (sum == 0) {
            max = other.max;
            sum = other.sum;
            System.arraycopy(other.weighted, 0, weighted, 0, weighted.length);
            return;
        }
        float newMax = Math.max(max, other.max);
        float mine = (float) Math.exp(max - newMax);
        float theirs = (float) Math.exp(other.max - newMax);
        sum = sum * mine + other.sum * theirs;
        for (int d = 0; d < weighted.length; d++) {
            weighted[d] = weighted[d] * mine + other.weighted[d] * theirs;
        }
        max = newMax;
    }

    /** The log of the softmax denominator: {@code max + ln(sum)}. */
    public double logSumExp() {
        return max + Math.log(sum);
    }

    /** Writes the attention output, {@code weighted / sum}. */
    public void writeOutput(float[] out, int offset) {
        float inverse = 1f / sum;
        for (int d = 0; d < weighted.length; d++) {
            out[offset + d] = weighted[d] * inverse;
        }
    }
}
