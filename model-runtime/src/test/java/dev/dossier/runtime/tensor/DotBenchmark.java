package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.util.Random;
import jdk.incubator.vector.FloatVector;

/**
 * A rough matrix-vector timing, not a test: 4096 rows of 4096 per type, best of several rounds.
 * Run: java --add-modules=jdk.incubator.vector -cp target/classes:target/test-classes dev.dossier.runtime.tensor.DotBenchmark
 */
public final class DotBenchmark {
    public static void main(String[] args) {
        int rows = 4096;
        int cols = 4096;
        System.out.println("float species: " + FloatTensor.F_SPECIES + " (preferred " + FloatVector.SPECIES_PREFERRED + ")");
        Random random = new Random(1);
        float[] x = new float[cols];
        for (int i = 0; i < cols; i++) x[i] = (float) random.nextGaussian();
        for (String name : args.length > 0 ? args : new String[] {"F32", "F16", "BF16", "Q8_0", "Q4_0", "Q4_K", "Q6_K"}) {
            GgmlType type = GgmlType.valueOf(name);
            FloatTensor matrix = randomMatrix(type, rows * cols, random);
            float sink = 0;
            long best = Long.MAX_VALUE;
            for (int round = 0; round < 30; round++) {
                long start = System.nanoTime();
                for (int r = 0; r < rows; r++) {
                    sink += matrix.dot((long) r * cols, x, 0, cols);
                }
                best = Math.min(best, System.nanoTime() - start);
            }
            double seconds = best / 1e9;
            double bytes = type.byteSize((long) rows * cols);
            System.out.printf("%-5s %7.2f ms  %6.2f GFLOP/s  %6.2f GB/s  (sink %s)%n",
                    type, seconds * 1e3, 2.0 * rows * cols / seconds / 1e9, bytes / seconds / 1e9, sink);
        }
    }

    private static FloatTensor randomMatrix(GgmlType type, int values, Random random) {
        byte[] bytes;
        if (Quantizer.SUPPORTED.contains(type)) {
            float[] floats = new float[values];
            for (int i = 0; i < values; i++) floats[i] = (float) random.nextGaussian() * 0.05f;
            bytes = Quantizer.quantize(type, floats);
        } else {
            // Random codes with small, finite scales.
            bytes = new byte[(int) type.byteSize(values)];
            random.nextBytes(bytes);
            for (int at = 0; at < bytes.length; at += type.bytesPerBlock()) {
                if (type == GgmlType.Q4_K) {
                    ReferenceBlocks.putF16(bytes, at, 0.001f);
                    ReferenceBlocks.putF16(bytes, at + 2, 0.001f);
                } else {
                    ReferenceBlocks.putF16(bytes, at + 208, 0.0001f);
                }
            }
        }
        return ReferenceBlocks.tensor(type, bytes);
    }
}
