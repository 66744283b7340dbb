package dev.dossier.runtime.compute;

import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.LlamaWeights;
import java.nio.file.Path;
import java.util.Random;

/**
 * A rough timing of the decoding products on a real (mapped) model, not a test: every layer's
 * feed-forward gate matrix times one vector through {@link MatMul#apply}, as decoding runs them.
 * The matrices together exceed the caches, as in decoding.
 * Run: java --add-modules=jdk.incubator.vector -cp target/dossier-runtime.jar:target/test-classes
 * dev.dossier.runtime.compute.DecodeBenchmark /tmp/tiny-q4.gguf [threads]
 */
public final class DecodeBenchmark {
    public static void main(String[] args) throws Exception {
        Parallel.setThreads(args.length > 1 ? Integer.parseInt(args[1]) : 1);
        try (Llama model = Llama.load(Path.of(args[0]))) {
            int rows = model.config().hiddenDim();
            int cols = model.config().dim();
            float[] x = new float[cols];
            Random random = new Random(1);
            for (int i = 0; i < cols; i++) x[i] = (float) random.nextGaussian();
            float[] out = new float[rows];
            LlamaWeights.Layer[] layers = model.weights().layers();
            for (int round = 0; round < 12; round++) {
                long start = System.nanoTime();
                for (LlamaWeights.Layer layer : layers) {
                    MatMul.apply(layer.gate(), rows, cols, x, out, 1);
                }
                long nanos = System.nanoTime() - start;
                double bytes = layers[0].gate().type().byteSize((long) rows * cols) * layers.length;
                System.out.printf("round %d: %.1f GB/s%n", round, bytes / nanos);
            }
        }
    }
}
