package dev.dossier.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.runtime.compute.MatMul;
import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;
import org.junit.jupiter.params.provider.EnumSource;

/**
 * The repacked Q4_0, Q8_0, Q3_K, Q4_K, Q5_K and Q6_K matrices against the file's own: the same values in file order, the same values
 * in its column order, row products within the 8-bit vector's rounding bound, and whole matrix
 * products (decode and prefill paths) that agree with the file-order tensor's. Column counts are
 * given in half groups (the group follows the CPU's vectors: 512 columns with AVX-512, 256 with
 * AVX2): a lone half group (1), a whole group (2) and a trailing half group (3, like TinyLlama's
 * 5632 with AVX-512). The build runs this class at both widths on any CPU ({@code
 * dossier.repacked.bits}, see model-runtime's pom.xml).
 */
class InterleavedTensorTest {
    private static final int ROWS = 21; // two whole panels of 8 and a partial one
    private static final int HALF_GROUP_COLUMNS = InterleavedTensor.HALF_GROUP * InterleavedTensor.BLOCK_SIZE;

    @ParameterizedTest
    @CsvSource({"Q4_0, 1", "Q4_0, 2", "Q4_0, 3", "Q8_0, 1", "Q8_0, 2", "Q8_0, 3", "Q4_K, 1", "Q4_K, 2", "Q4_K, 3", "Q6_K, 1", "Q6_K, 2", "Q6_K, 3",
            "Q5_K, 1", "Q5_K, 2", "Q5_K, 3", "Q3_K, 1", "Q3_K, 2", "Q3_K, 3"})
    void readsTheSameValuesInFileOrderAndInItsColumnOrder(GgmlType type, int halfGroups) {
        int cols = halfGroups * HALF_GROUP_COLUMNS;
        FloatTensor file = randomMatrix(type, ROWS, cols, new Random(cols));
        InterleavedTensor repacked = repack(file, ROWS, cols);
        assertEquals(type, repacked.type());
        float[] expected = new float[ROWS * cols];
        file.dequantize(0, expected, 0, expected.length);

        float[] inFileOrder = new float[expected.length];
        repacked.dequantize(0, inFileOrder, 0, inFileOrder.length);
        assertArrayEquals(expected, inFileOrder);
        assertEquals(expected[cols + 17], repacked.getFloat(cols + 17));

        int[] positions = repacked.columnPositions();
        boolean[] taken = new boolean[cols];
        for (int position : positions) {
            assertFalse(taken[position], "two columns at position " + position);
            taken[position] = true;
        }
        float[] rows = new float[8 * cols];
        repacked.dequantizeInColumnOrder(8L * cols, rows, 0, rows.length);
        for (int r = 0; r < 8; r++) {
            for (int c = 0; c < cols; c++) {
                assertEquals(expected[(8 + r) * cols + c], rows[r * cols + positions[c]], "row " + (8 + r) + " column " + c);
            }
        }
    }

    /**
     * Decoding multiplies rows in pairs from the two halves of a share (an odd share's last row
     * with itself): every row of the range gets exactly its own product, whatever its partner, and
     * no row outside the range is written.
     */
    @ParameterizedTest
    @CsvSource({"Q4_0, 0, 21", "Q4_0, 1, 20", "Q4_0, 3, 4", "Q8_0, 0, 21", "Q8_0, 1, 20", "Q8_0, 5, 6", "Q4_K, 0, 21", "Q4_K, 1, 20",
            "Q6_K, 0, 21", "Q6_K, 3, 4", "Q5_K, 0, 21", "Q5_K, 1, 20", "Q3_K, 0, 21", "Q3_K, 3, 4"})
    void rowsMultipliedInPairsGetExactlyTheirOwnProducts(GgmlType type, int from, int to) {
        int cols = 3 * HALF_GROUP_COLUMNS;
        Random random = new Random(11);
        InterleavedTensor repacked = repack(randomMatrix(type, ROWS, cols, random), ROWS, cols);
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = (float) random.nextGaussian();
        FloatTensor.RowOperand operand = repacked.rowOperand(x, cols);
        float[] out = new float[ROWS];
        Arrays.fill(out, Float.NaN);
        repacked.dotRows(operand, cols, out, from, to);
        for (int row = 0; row < ROWS; row++) {
            if (row < from || row >= to) {
                assertTrue(Float.isNaN(out[row]), "row " + row + " is outside the range");
            } else {
                // To rounding: the same kernel may run interpreted for one call and compiled for
                // the other, and the two sum a vector's lanes in different orders (1 ulp seen in CI).
                float expected = repacked.dot((long) row * cols, operand, cols);
                assertEquals(expected, out[row], 1e-5f * Math.max(1, Math.abs(expected)), "row " + row);
            }
        }
    }

    @Test
    void theVectorIsQuantizedPerBlockAsLlamaCppDoesIt() {
        int cols = 1024; // a whole group even with AVX-512, so both halves of the first one are there
        InterleavedTensor repacked = repack(randomMatrix(GgmlType.Q8_0, 1, cols, new Random(3)), 1, cols);
        float[] x = new float[cols];
        // Block 0: largest 254, so the step is 2 and ties fall on odd values.
        float[] block = {254, -5, 5, 0.9f, -1, 3.1f, -254};
        System.arraycopy(block, 0, x, 0, block.length);
        x[32 + 31] = 0.5f; // block 1: its largest alone, code 127
        InterleavedTensor.QuantizedVector q = (InterleavedTensor.QuantizedVector) repacked.rowOperand(x, cols);
        int[] expected = {127, -3, 3, 0, -1, 2, -127}; // halves rounded away from zero, as llama.cpp's roundf
        for (int i = 0; i < expected.length; i++) {
            assertEquals(expected[i], q.codes[i * InterleavedTensor.GROUP], "block 0, value " + i);
        }
        assertEquals(2, q.scales[0]);
        assertEquals(127 - 3 + 3 - 1 + 2 - 127, q.sums[0]);
        assertEquals(127, q.codes[31 * InterleavedTensor.GROUP + 2], "block 1 sits in lane 2 of each chunk, after the second half's first block");
        x[InterleavedTensor.HALF_GROUP * 32] = -1; // the second half's first block: lane 1
        q = (InterleavedTensor.QuantizedVector) repacked.rowOperand(x, cols);
        assertEquals(-127, q.codes[1]);
        assertEquals(0.5f / 127, q.scales[1]);
        assertEquals(0, q.scales[2], "an all-zero block");
    }

    /**
     * The vector is rounded to 8 bits per block of 32 (step = the block's largest magnitude / 127),
     * so each product may move by at most sum(|w|) x step / 2 per block; nothing else may differ
     * beyond float rounding.
     */
    @ParameterizedTest
    @CsvSource({"Q4_0, 1", "Q4_0, 2", "Q4_0, 3", "Q8_0, 1", "Q8_0, 2", "Q8_0, 3", "Q4_K, 1", "Q4_K, 2", "Q4_K, 3", "Q6_K, 1", "Q6_K, 2", "Q6_K, 3",
            "Q5_K, 1", "Q5_K, 2", "Q5_K, 3", "Q3_K, 1", "Q3_K, 2", "Q3_K, 3"})
    void rowProductsStayWithinTheVectorsRoundingBound(GgmlType type, int halfGroups) {
        int cols = halfGroups * HALF_GROUP_COLUMNS;
        Random random = new Random(7 * cols);
        FloatTensor file = randomMatrix(type, ROWS, cols, random);
        InterleavedTensor repacked = repack(file, ROWS, cols);
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = (float) random.nextGaussian() * (i % 97 == 0 ? 8 : 1);
        FloatTensor.RowOperand operand = repacked.rowOperand(x, cols);
        float[] rows = new float[ROWS];
        repacked.dotRows(operand, cols, rows, 0, ROWS);
        for (int r = 0; r < ROWS; r++) {
            double exact = 0;
            double magnitude = 0;
            double bound = 0;
            for (int b = 0; b < cols / 32; b++) {
                double largest = 0;
                double weights = 0;
                for (int i = b * 32; i < b * 32 + 32; i++) {
                    double w = file.getFloat((long) r * cols + i);
                    exact += w * x[i];
                    magnitude += Math.abs(w * x[i]);
                    weights += Math.abs(w);
                    largest = Math.max(largest, Math.abs(x[i]));
                }
                bound += weights * largest / 127 / 2;
            }
            double allowed = bound + 1e-5 * magnitude;
            assertTrue(Math.abs(rows[r] - exact) <= allowed, "row " + r + ": " + rows[r] + ", exact " + exact + ", allowed " + allowed);
            assertEquals(rows[r], repacked.dot((long) r * cols, operand, cols), 0f, "dot and dotRows are one kernel");
        }
    }

    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q8_0", "Q4_K", "Q6_K", "Q5_K", "Q3_K"})
    void matrixProductsAgreeWithTheFileOrderTensor(GgmlType type) {
        int cols = 3 * HALF_GROUP_COLUMNS;
        Random random = new Random(3);
        FloatTensor file = randomMatrix(type, ROWS, cols, random);
        InterleavedTensor repacked = repack(file, ROWS, cols);
        for (int tokens : new int[] {2, 17, 48, 50}) {
            float[] in = new float[tokens * cols];
            for (int i = 0; i < in.length; i++) in[i] = (float) random.nextGaussian();
            float[] expected = new float[tokens * ROWS];
            float[] actual = new float[tokens * ROWS];
            MatMul.apply(file, ROWS, cols, in, expected, tokens);
            MatMul.apply(repacked, ROWS, cols, in, actual, tokens);
            for (int i = 0; i < expected.length; i++) {
                assertEquals(expected[i], actual[i], 1e-4 * (1 + Math.abs(expected[i])), "tokens=" + tokens + " output " + i);
            }
        }
        float[] in = new float[cols];
        for (int i = 0; i < cols; i++) in[i] = (float) random.nextGaussian();
        float[] expected = new float[ROWS];
        float[] actual = new float[ROWS];
        MatMul.apply(file, ROWS, cols, in, expected, 1);
        MatMul.apply(repacked, ROWS, cols, in, actual, 1);
        for (int r = 0; r < ROWS; r++) {
            assertEquals(expected[r], actual[r], 0.02 * (1 + Math.abs(expected[r])), "one token, row " + r);
        }
    }

    @Test
    void onlyQ4_0Q8_0AndQ3_KToQ6_KRowsOfWholeHalfGroupsAreRepacked() {
        assertTrue(InterleavedTensor.fits(randomMatrix(GgmlType.Q8_0, 1, 512, new Random(1)), 512));
        assertTrue(InterleavedTensor.fits(randomMatrix(GgmlType.Q3_K, 1, 512, new Random(1)), 512));
        assertTrue(InterleavedTensor.fits(randomMatrix(GgmlType.Q4_K, 1, 512, new Random(1)), 512));
        assertTrue(InterleavedTensor.fits(randomMatrix(GgmlType.Q5_K, 1, 512, new Random(1)), 512));
        assertTrue(InterleavedTensor.fits(randomMatrix(GgmlType.Q6_K, 1, 512, new Random(1)), 512));
        assertFalse(InterleavedTensor.fits(randomMatrix(GgmlType.Q2_K, 1, 512, new Random(1)), 512));
        assertFalse(InterleavedTensor.fits(randomMatrix(GgmlType.Q4_0, 1, 544, new Random(1)), 544));
        assertFalse(InterleavedTensor.fits(randomMatrix(GgmlType.F16, 1, 512, new Random(1)), 512));
        FloatTensor file = randomMatrix(GgmlType.Q4_0, 2, 544, new Random(1));
        assertThrows(IllegalArgumentException.class, () -> InterleavedTensor.repack(file, 2, 544, Arena.ofAuto().allocate(2 * 544)));
    }

    @Test
    void aRepackedMatrixTakesTheFilesBytesPerWholeGroup() {
        assertEquals(GgmlType.Q4_0.byteSize(4 * 1024), InterleavedTensor.byteSize(GgmlType.Q4_0, 4, 1024));
        assertEquals(GgmlType.Q8_0.byteSize(4 * 1024), InterleavedTensor.byteSize(GgmlType.Q8_0, 4, 1024));
        assertEquals(GgmlType.Q8_0.byteSize(4 * 4 * HALF_GROUP_COLUMNS), InterleavedTensor.byteSize(GgmlType.Q8_0, 4, 3 * HALF_GROUP_COLUMNS),
                "a half group is padded");
        // K-quants keep their integer scales beside each super-block's halves: Q4_K's and Q5_K's 6-bit scales
        // and mins take a byte each (144 -> 148 and 176 -> 180 bytes per 256 values); Q6_K's bytes stay the
        // file's, and so do Q3_K's, its 6-bit scales split into a plane of low nibbles and one of top bits.
        assertEquals(4 * (16 * 148), InterleavedTensor.byteSize(GgmlType.Q4_K, 4, 16 * 256));
        assertEquals(4 * (16 * 180), InterleavedTensor.byteSize(GgmlType.Q5_K, 4, 16 * 256));
        assertEquals(GgmlType.Q6_K.byteSize(4 * 16 * 256), InterleavedTensor.byteSize(GgmlType.Q6_K, 4, 16 * 256));
        assertEquals(GgmlType.Q3_K.byteSize(4 * 16 * 256), InterleavedTensor.byteSize(GgmlType.Q3_K, 4, 16 * 256));
    }

    private static FloatTensor randomMatrix(GgmlType type, int rows, int cols, Random random) {
        float[] weights = new float[rows * cols];
        for (int i = 0; i < weights.length; i++) weights[i] = (float) random.nextGaussian() * 0.05f;
        byte[] bytes = Quantizer.quantize(type, weights);
        return Tensors.of(type, MemorySegment.ofArray(bytes), weights.length);
    }

    private static InterleavedTensor repack(FloatTensor file, int rows, int cols) {
        return InterleavedTensor.repack(file, rows, cols, Arena.ofAuto().allocate(InterleavedTensor.byteSize(file.type(), rows, cols), 64));
    }
}
