package dev.dossier.runtime.compute;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.runtime.gguf.GgmlType;
import dev.dossier.runtime.tensor.FloatTensor;
import dev.dossier.runtime.tensor.InterleavedTensor;
import dev.dossier.runtime.tensor.Quantizer;
import dev.dossier.runtime.tensor.Tensors;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

/**
 * Every path of the weight product (one token; whole register tiles; 2-vector and 1-vector tiles
 * at a block's end; rows past the last whole panel; panels decoded in one group or in many; a
 * repacked matrix's own column order)
 * against a plain sum in doubles.
 */
class MatMulTest {
    @ParameterizedTest
    @CsvSource({"F32, 96, false", "F16, 96, false", "Q8_0, 96, false", "Q4_0, 96, false", "Q4_0, 4160, false", "F32, 4160, false", "F32, 40, false",
            "Q4_0, 1536, true", "Q8_0, 1024, true"})
    void productMatchesPlainSumsForEveryBlockShape(GgmlType type, int cols, boolean repacked) {
        Random random = new Random(type.ordinal());
        int rows = 3 * 8 * 6 + 5; // whole panels of either tile height, then a partial one
        float[] weights = new float[rows * cols];
        for (int i = 0; i < weights.length; i++) weights[i] = (float) random.nextGaussian();
        FloatTensor tensor = Tensors.of(type, MemorySegment.ofArray(Quantizer.quantize(type, weights)), weights.length);
        if (repacked) { // decodes its panels in its own column order
            tensor = InterleavedTensor.repack(tensor, rows, cols, Arena.ofAuto().allocate(InterleavedTensor.byteSize(type, rows, cols), 64));
        }
        double[] decoded = new double[rows * cols];
        for (int i = 0; i < decoded.length; i++) decoded[i] = tensor.getFloat(i);
        int l = MatMul.LANES;
        for (int tokens : new int[] {1, 2, l, l + 3, 2 * l, 3 * l + 1, 4 * l, 48, 50, 7 * l + 5}) {
            if (repacked && tokens == 1) {
                continue; // one token rounds the vector to 8 bits per block: InterleavedTensorTest's tolerance
            }
            float[] in = new float[tokens * cols];
            for (int i = 0; i < in.length; i++) in[i] = (float) random.nextGaussian();
            float[] out = new float[tokens * rows];
            MatMul.apply(tensor, rows, cols, in, out, tokens);
            for (int t = 0; t < tokens; t++) {
                for (int r = 0; r < rows; r++) {
                    double expected = 0;
                    double magnitude = 0;
                    for (int c = 0; c < cols; c++) {
                        double product = decoded[r * cols + c] * in[t * cols + c];
                        expected += product;
                        magnitude += Math.abs(product);
                    }
                    float actual = out[t * rows + r];
                    assertTrue(Math.abs(actual - expected) <= 1e-5 * magnitude,
                            type + (repacked ? " repacked" : "") + " cols=" + cols + " tokens=" + tokens + " out[" + t + "][" + r + "] = " + actual + ", expected " + expected);
                }
            }
        }
    }

    @Test
    void interleavePutsEachColumnsPanelRowsTogether() {
        for (int cols : new int[] {16, 40, 2048}) {
            float[] rows = new float[MatMul.PANEL * cols];
            for (int i = 0; i < rows.length; i++) rows[i] = i;
            float[] out = new float[rows.length + 3];
            MatMul.interleave(rows, cols, out, 3);
            for (int c = 0; c < cols; c++) {
                for (int r = 0; r < MatMul.PANEL; r++) {
                    assertEquals(rows[r * cols + c], out[3 + c * MatMul.PANEL + r], "cols=" + cols + " row " + r + " column " + c);
                }
            }
        }
    }

    @ParameterizedTest
    @CsvSource({"1, Q4_0", "2, Q4_0", "50, Q4_0", "1, F16", "50, F16"}) // an F16 matrix's columns need a transpose of their own
    void productsOfOneInputEqualTheirProductsApart(int tokens, GgmlType lastType) {
        Random random = new Random(tokens);
        int cols = 1024;
        int[] rows = {3 * 8 * 6 + 5, 24, 8 * 6 + 1};
        GgmlType[] types = {GgmlType.Q4_0, GgmlType.Q4_0, lastType};
        MatMul.Product[] products = new MatMul.Product[rows.length];
        for (int i = 0; i < rows.length; i++) {
            float[] weights = new float[rows[i] * cols];
            for (int j = 0; j < weights.length; j++) weights[j] = (float) random.nextGaussian();
            FloatTensor tensor = Tensors.of(types[i], MemorySegment.ofArray(Quantizer.quantize(types[i], weights)), weights.length);
            if (InterleavedTensor.fits(tensor, cols)) {
                tensor = InterleavedTensor.repack(tensor, rows[i], cols, Arena.ofAuto().allocate(InterleavedTensor.byteSize(types[i], rows[i], cols), 64));
            }
            products[i] = new MatMul.Product(tensor, rows[i], new float[tokens * rows[i]]);
        }
        float[] in = new float[tokens * cols];
        for (int i = 0; i < in.length; i++) in[i] = (float) random.nextGaussian();
        MatMul.apply(in, cols, tokens, products);
        for (MatMul.Product product : products) {
            float[] apart = new float[product.out().length];
            MatMul.apply(product.weights(), product.rows(), cols, in, apart, tokens);
            assertArrayEquals(apart, product.out(), product.weights().type() + " rows=" + product.rows() + " tokens=" + tokens);
        }
    }
}
