package dev.dossier.runtime.compute;

import dev.dossier.runtime.tensor.FloatTensor;

/** Weight-matrix products. A weight matrix is a {@link FloatTensor} of {@code rows x cols}, row-major. */
public final class MatMul {
    private MatMul() {
    }

    /**
     * {@code out[t][r] = sum_c weights[r][c] * in[t][c]} for a block of {@code tokens} vectors laid
     * out one after another. Each weight row is loaded once and used for every token of the block.
     */
    public static void apply(FloatTensor weights, int rows, int cols, float[] in, float[] out, int tokens) {
        Parallel.forRange(rows, (long) cols * tokens, (from, to) -> {
            for (int r = from; r < to; r++) {
                long rowOffset = (long) r * cols;
                for (int t = 0; t < tokens; t++) {
                    out[t * rows + r] = weights.dot(rowOffset, in, t * cols, cols);
                }
            }
        });
    }
}
