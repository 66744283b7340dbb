package dev.dossier.runtime.tensor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.runtime.gguf.GgmlType;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import java.util.stream.Stream;
import org.junit.jupiter.params.provider.MethodSource;

/** The vectorized dot products against a plain sum over the dequantized values, for random data. */
class TensorDotTest {
    private static final int BLOCKS = 80;

    /** A tensor of BLOCKS blocks of random, finite data in {@code type}'s encoding. */
    static FloatTensor randomTensor(GgmlType type, Random random) {
        int values = BLOCKS * type.blockSize();
        byte[] bytes = new byte[BLOCKS * type.bytesPerBlock()];
        switch (type) {
            case F32, F16, BF16 -> {
                float[] floats = new float[values];
                for (int i = 0; i < values; i++) floats[i] = (float) random.nextGaussian();
                bytes = Quantizer.quantize(type, floats);
            }
            case Q8_0 -> {
                for (int b = 0; b < BLOCKS; b++) ReferenceBlocks.packQ8_0(bytes, b, random.nextFloat() * 0.02f, codes(random, 32, -128, 127));
            }
            case Q4_0 -> {
                for (int b = 0; b < BLOCKS; b++) ReferenceBlocks.packQ4_0(bytes, b, random.nextFloat() * 0.2f - 0.1f, codes(random, 32, 0, 15));
            }
            case Q4_K -> {
                for (int b = 0; b < BLOCKS; b++) {
                    ReferenceBlocks.packQ4_K(bytes, b, random.nextFloat() * 0.01f, random.nextFloat() * 0.01f,
                            codes(random, 8, 0, 63), codes(random, 8, 0, 63), codes(random, 256, 0, 15));
                }
            }
            case Q6_K -> {
                for (int b = 0; b < BLOCKS; b++) {
                    ReferenceBlocks.packQ6_K(bytes, b, random.nextFloat() * 0.001f, codes(random, 16, -128, 127), codes(random, 256, -32, 31));
                }
            }
            default -> { // every other type from its own quantizer, on values of a weight matrix's magnitude
                float[] floats = new float[values];
                for (int i = 0; i < values; i++) floats[i] = (float) random.nextGaussian() * 0.02f;
                bytes = Quantizer.quantize(type, floats);
            }
        }
        return ReferenceBlocks.tensor(type, bytes);
    }

    static Stream<GgmlType> computedTypes() {
        return Tensors.SUPPORTED.stream();
    }

    private static int[] codes(Random random, int n, int min, int max) {
        int[] codes = new int[n];
        for (int i = 0; i < n; i++) codes[i] = min + random.nextInt(max - min + 1);
        return codes;
    }

    @ParameterizedTest
    @MethodSource("computedTypes")
    void dotMatchesSumOfDequantizedProducts(GgmlType type) {
        Random random = new Random(type.ordinal());
        FloatTensor tensor = randomTensor(type, random);
        float[] that = new float[(int) tensor.size() + 11];
        for (int i = 0; i < that.length; i++) that[i] = (float) random.nextGaussian();
        int block = type.blockSize();
        for (int blocks : new int[] {1, 2, 7, 64}) {
            for (int offsetBlocks : new int[] {0, 1, 3, BLOCKS - blocks}) {
                for (int thatOffset : new int[] {0, 5}) {
                    check(tensor, (long) offsetBlocks * block, that, thatOffset, blocks * block);
                }
            }
        }
        // Off the block grid too (the contract allows it; rows never need it): partial blocks at both ends.
        check(tensor, 3, that, 2, 5 * block + 7);
        check(tensor, block + 1, that, 0, 1);
    }

    /** Rows of a matrix (whole blocks) times a vector prepared once, as decoding multiplies them. */
    @ParameterizedTest
    @MethodSource("computedTypes")
    void rowDotWithPreparedVectorMatchesSumOfDequantizedProducts(GgmlType type) {
        Random random = new Random(100 + type.ordinal());
        FloatTensor tensor = randomTensor(type, random);
        int block = type.blockSize();
        for (int cols : new int[] {block, 4 * block}) {
            float[] x = new float[cols];
            for (int i = 0; i < cols; i++) x[i] = (float) random.nextGaussian();
            FloatTensor.RowOperand prepared = tensor.rowOperand(x, cols);
            for (long row = 0; (row + 1) * cols <= tensor.size(); row += 3) {
                long offset = row * cols;
                check(tensor, offset, x, 0, cols, tensor.dot(offset, prepared, cols));
            }
        }
    }

    /** Decoding's product over a range of rows: each row's own dot product, and no row outside the range written. */
    @ParameterizedTest
    @MethodSource("computedTypes")
    void dotRowsWritesEachRowsDotProductInItsRange(GgmlType type) {
        Random random = new Random(200 + type.ordinal());
        FloatTensor tensor = randomTensor(type, random);
        int cols = 4 * type.blockSize();
        int rows = (int) (tensor.size() / cols);
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = (float) random.nextGaussian();
        FloatTensor.RowOperand prepared = tensor.rowOperand(x, cols);
        float[] out = new float[rows];
        java.util.Arrays.fill(out, Float.NaN);
        tensor.dotRows(prepared, cols, out, 1, rows - 1);
        assertTrue(Float.isNaN(out[0]) && Float.isNaN(out[rows - 1]), "rows outside the range are left alone");
        for (int row = 1; row < rows - 1; row++) {
            check(tensor, (long) row * cols, x, 0, cols, out[row]);
        }
    }

    private static void check(FloatTensor tensor, long offset, float[] that, int thatOffset, int n) {
        check(tensor, offset, that, thatOffset, n, tensor.dot(offset, that, thatOffset, n));
    }

    private static void check(FloatTensor tensor, long offset, float[] that, int thatOffset, int n, float actual) {
        double expected = 0;
        double magnitude = 0;
        for (int i = 0; i < n; i++) {
            double product = (double) tensor.getFloat(offset + i) * that[thatOffset + i];
            expected += product;
            magnitude += Math.abs(product);
        }
        // Relative to the sum of magnitudes: the result itself may cancel to near zero.
        double tolerance = 1e-5 * magnitude + 1e-30;
        assertTrue(Math.abs(actual - expected) <= tolerance,
                tensor.type() + " dot(" + offset + ", n=" + n + ", thatOffset=" + thatOffset + ") = " + actual + ", expected " + expected + " ± " + tolerance);
        if (n == 1) {
            assertEquals((float) expected, actual, 0f);
        }
    }
}
