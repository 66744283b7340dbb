package dev.dossier.runtime.compute;

import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.LlamaConfig;
import dev.dossier.runtime.model.LlamaWeights;
import java.lang.management.ManagementFactory;
import java.lang.management.ThreadMXBean;
import java.nio.file.Path;
import java.util.Random;

/**
 * A rough timing of the prefill products on a real (mapped) model, not a test: every matrix of
 * every layer times a block of tokens through {@link MatMul#apply}, on one thread. Speeds are
 * per second of this thread's CPU time, so other processes on a shared machine disturb them less
 * than wall-clock numbers.
 * Run: java --add-modules=jdk.incubator.vector -cp target/classes:target/test-classes:$(deps)
 * dev.dossier.runtime.compute.PrefillBenchmark /tmp/tiny-q4.gguf [tokens] [rounds]
 */
public final class PrefillBenchmark {
    public static void main(String[] args) throws Exception {
        int tokens = args.length > 1 ? Integer.parseInt(args[1]) : 64;
        int rounds = args.length > 2 ? Integer.parseInt(args[2]) : 10;
        Parallel.setThreads(1);
        ThreadMXBean threads = ManagementFactory.getThreadMXBean();
        try (Llama model = Llama.load(Path.of(args[0]))) {
            LlamaConfig c = model.config();
            int dim = c.dim();
            int hidden = c.hiddenDim();
            Random random = new Random(1);
            float[] x = new float[tokens * Math.max(dim, hidden)];
            for (int i = 0; i < x.length; i++) x[i] = (float) random.nextGaussian();
            float[] out = new float[tokens * Math.max(dim, hidden)];
            LlamaWeights.Layer[] layers = model.weights().layers();
            int used = layers.length;
            double macs = 0;
            for (int round = 0; round < rounds; round++) {
                long cpu = threads.getCurrentThreadCpuTime();
                long wall = System.nanoTime();
                macs = 0;
                for (int l = 0; l < used; l++) {
                    LlamaWeights.Layer layer = layers[l];
                    MatMul.apply(layer.query(), dim, dim, x, out, tokens);
                    MatMul.apply(layer.key(), c.kvDim(), dim, x, out, tokens);
                    MatMul.apply(layer.value(), c.kvDim(), dim, x, out, tokens);
                    MatMul.apply(layer.attentionOutput(), dim, dim, x, out, tokens);
                    MatMul.apply(layer.gate(), hidden, dim, x, out, tokens);
                    MatMul.apply(layer.up(), hidden, dim, x, out, tokens);
                    MatMul.apply(layer.down(), dim, hidden, x, out, tokens);
                    macs += (2.0 * dim * dim + 2.0 * c.kvDim() * dim + 3.0 * hidden * dim) * tokens;
                }
                cpu = threads.getCurrentThreadCpuTime() - cpu;
                wall = System.nanoTime() - wall;
                System.out.printf("round %d: %.1f GMAC/s per CPU second (%.1f per wall second)%n", round, macs / cpu, macs / wall);
            }
        }
    }
}
