package dev.dossier.runtime.compute;

import dev.dossier.runtime.tensor.FloatTensor;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Weight-matrix products. A weight matrix is a {@link FloatTensor} of {@code rows x cols}, row-major. */
public final class MatMul {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    /** Weight rows decoded together; each is then used for every token of the block. */
    static final int ROW_TILE = 4;
    /** Tokens per micro-kernel step: ROW_TILE x TOKEN_TILE accumulators stay in registers. */
    static final int TOKEN_TILE = 2;

    /** Decoded weight rows, one buffer per worker thread, reused across calls. */
    private static final ThreadLocal<float[]> DECODED = ThreadLocal.withInitial(() -> new float[0]);

    private MatMul() {
    }

    /**
     * {@code out[t][r] = sum_c weights[r][c] * in[t][c]} for a block of {@code tokens} vectors laid
     * out one after another. One token (decoding) is memory-bound: each row is streamed once
     * through the tensor's own dot product. Several tokens (prefill) are compute-bound: rows are
     * decoded to floats {@link #ROW_TILE} at a time and multiplied with every token, so the
     * decoding cost is paid once per block instead of once per token.
     */
    public static void apply(FloatTensor weights, int rows, int cols, float[] in, float[] out, int tokens) {
        if (tokens == 1) {
            Parallel.forRange(rows, cols, (from, to) -> {
                for (int r = from; r < to; r++) {
                    out[r] = weights.dot((long) r * cols, in, 0, cols);
                }
            });
            return;
        }
        int tiles = (rows + ROW_TILE - 1) / ROW_TILE;
        Parallel.forRange(tiles, (long) ROW_TILE * cols * tokens, (from, to) -> {
            float[] decoded = decodedBuffer(ROW_TILE * cols);
            for (int tile = from; tile < to; tile++) {
                int row = tile * ROW_TILE;
                int n = Math.min(ROW_TILE, rows - row);
                weights.dequantize((long) row * cols, decoded, 0, n * cols);
                if (n == ROW_TILE) {
                    multiplyTile(decoded, cols, in, tokens, out, rows, row);
                } else {
                    multiplyRows(decoded, n, cols, in, tokens, out, rows, row);
                }
            }
        });
    }

    private static float[] decodedBuffer(int size) {
        float[] buffer = DECODED.get();
        if (buffer.length < size) {
            buffer = new float[size];
            DECODED.set(buffer);
        }
        return buffer;
    }

    /** Four decoded rows times every token, two tokens per step (8 accumulators in registers). */
    private static void multiplyTile(float[] w, int cols, float[] in, int tokens, float[] out, int rows, int row) {
        int bound = F.loopBound(cols);
        int w1 = cols;
        int w2 = 2 * cols;
        int w3 = 3 * cols;
        int t = 0;
        for (; t + TOKEN_TILE <= tokens; t += TOKEN_TILE) {
            int x0 = t * cols;
            int x1 = x0 + cols;
            FloatVector a00 = FloatVector.zero(F), a10 = FloatVector.zero(F), a20 = FloatVector.zero(F), a30 = FloatVector.zero(F);
            FloatVector a01 = FloatVector.zero(F), a11 = FloatVector.zero(F), a21 = FloatVector.zero(F), a31 = FloatVector.zero(F);
            int c = 0;
            for (; c < bound; c += F.length()) {
                FloatVector v0 = FloatVector.fromArray(F, in, x0 + c);
                FloatVector v1 = FloatVector.fromArray(F, in, x1 + c);
                FloatVector r0 = FloatVector.fromArray(F, w, c);
                a00 = r0.fma(v0, a00);
                a01 = r0.fma(v1, a01);
                FloatVector r1 = FloatVector.fromArray(F, w, w1 + c);
                a10 = r1.fma(v0, a10);
                a11 = r1.fma(v1, a11);
                FloatVector r2 = FloatVector.fromArray(F, w, w2 + c);
                a20 = r2.fma(v0, a20);
                a21 = r2.fma(v1, a21);
                FloatVector r3 = FloatVector.fromArray(F, w, w3 + c);
                a30 = r3.fma(v0, a30);
                a31 = r3.fma(v1, a31);
            }
            int o0 = t * rows + row;
            int o1 = o0 + rows;
            out[o0] = tail(a00.reduceLanes(VectorOperators.ADD), w, 0, in, x0, c, cols);
            out[o0 + 1] = tail(a10.reduceLanes(VectorOperators.ADD), w, w1, in, x0, c, cols);
            out[o0 + 2] = tail(a20.reduceLanes(VectorOperators.ADD), w, w2, in, x0, c, cols);
            out[o0 + 3] = tail(a30.reduceLanes(VectorOperators.ADD), w, w3, in, x0, c, cols);
            out[o1] = tail(a01.reduceLanes(VectorOperators.ADD), w, 0, in, x1, c, cols);
            out[o1 + 1] = tail(a11.reduceLanes(VectorOperators.ADD), w, w1, in, x1, c, cols);
            out[o1 + 2] = tail(a21.reduceLanes(VectorOperators.ADD), w, w2, in, x1, c, cols);
            out[o1 + 3] = tail(a31.reduceLanes(VectorOperators.ADD), w, w3, in, x1, c, cols);
        }
        if (t < tokens) {
            multiplyRows(w, ROW_TILE, cols, in, tokens, out, rows, row, t);
        }
    }

    private static void multiplyRows(float[] w, int n, int cols, float[] in, int tokens, float[] out, int rows, int row) {
        multiplyRows(w, n, cols, in, tokens, out, rows, row, 0);
    }

    /** The general case: {@code n} decoded rows times tokens {@code firstToken..tokens-1}, one dot at a time. */
    private static void multiplyRows(float[] w, int n, int cols, float[] in, int tokens, float[] out, int rows, int row, int firstToken) {
        for (int t = firstToken; t < tokens; t++) {
            for (int i = 0; i < n; i++) {
                out[t * rows + row + i] = VectorOps.dot(w, i * cols, in, t * cols, cols);
            }
        }
    }

    /** Adds the columns past the last whole vector to {@code sum}, in the order the tensors' own dot products do. */
    private static float tail(float sum, float[] w, int wOffset, float[] in, int xOffset, int from, int cols) {
        for (int c = from; c < cols; c++) {
            sum += w[wOffset + c] * in[xOffset + c];
        }
        return sum;
    }
}
