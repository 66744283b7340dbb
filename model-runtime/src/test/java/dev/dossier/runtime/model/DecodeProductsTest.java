package dev.dossier.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.attention.KvCache;
import dev.dossier.runtime.gguf.GgmlType;
import dev.dossier.runtime.tensor.FloatTensor;
import dev.dossier.runtime.tensor.InterleavedTensor;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.Random;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.MethodSource;

/**
 * A random model of each tensor type, loaded both ways: {@link Llama.DecodeProducts#FAST} (matrices with rows of
 * 512 or more values repacked where this CPU gains by it, {@link InterleavedTensor#pays}) and {@link
 * Llama.DecodeProducts#EXACT}. Prefill multiplies the same floats in another order, so its logits
 * agree to float rounding; decoding rounds the vector to 8 bits, so its logits move, but by no
 * more than a few percent of their scale.
 */
class DecodeProductsTest {
    private static final RandomModel.Shape SHAPE = new RandomModel.Shape(512, 2, 8, 2, 1536, 1000, 256);

    @TempDir
    Path temp;

    static java.util.stream.Stream<GgmlType> computedTypes() {
        return dev.dossier.runtime.tensor.Tensors.SUPPORTED.stream();
    }

    @ParameterizedTest
    @MethodSource("computedTypes")
    void fastDecodingStaysCloseToExactAndPrefillIsUnchanged(GgmlType type) throws Exception {
        Path file = model(type);
        int[] prompt = new Random(5).ints(40, 3, SHAPE.vocabularySize()).toArray();
        int[] next = new Random(6).ints(8, 3, SHAPE.vocabularySize()).toArray();
        try (Llama fast = Llama.load(file, Llama.DecodeProducts.FAST, message -> { });
             Llama exact = Llama.load(file, Llama.DecodeProducts.EXACT, message -> { })) {
            FloatTensor fileDown = exact.weights().layers()[1].down();
            assertEquals(type, fileDown.type());
            assertFalse(fileDown instanceof InterleavedTensor, "EXACT keeps the file's layout");
            boolean repacked = InterleavedTensor.pays(fileDown, SHAPE.hiddenDim());
            if (repacked) {
                assertInstanceOf(InterleavedTensor.class, fast.weights().layers()[1].down());
                assertInstanceOf(InterleavedTensor.class, fast.weights().output());
            }
            assertFalse(fast.weights().tokenEmbedding() instanceof InterleavedTensor, "the embedding is read row by row, in file order");

            Session fastSession = new JavaSession(fast, AttentionConfig.rope(), 64, JavaSession.DEFAULT_BLOCK, KvCache.Precision.F32);
            Session exactSession = new JavaSession(exact, AttentionConfig.rope(), 64, JavaSession.DEFAULT_BLOCK, KvCache.Precision.F32);
            float[] fastPrefill = lastLogits(fastSession, prompt);
            float[] exactPrefill = lastLogits(exactSession, prompt);
            double scale = largest(exactPrefill);
            assertTrue(scale > 1, "near-zero logits would prove nothing");
            assertTrue(largestDifference(fastPrefill, exactPrefill) <= 1e-4 * scale, "prefill reads the same weights in another order");

            double decodeDifference = 0;
            for (int token : next) {
                float[] fastLogits = fastSession.next(token);
                float[] exactLogits = exactSession.next(token);
                decodeDifference = Math.max(decodeDifference, largestDifference(fastLogits, exactLogits) / largest(exactLogits));
            }
            assertTrue(decodeDifference <= 0.05, "decoding moved logits by " + decodeDifference + " of their scale");
            if (repacked) {
                assertTrue(decodeDifference > 1e-5, "the repacked kernel rounds the vector to 8 bits, so decoding cannot be bit for bit");
            } else {
                // Not bit for bit: a reduction compiled and the same one still interpreted may add in another order.
                assertTrue(decodeDifference <= 1e-5, "nothing is repacked on this CPU, yet decoding moved logits by " + decodeDifference);
            }
        }
    }

    /**
     * Perplexity as decoding computes it, token by token through the decode kernels (the 8-bit
     * vector where a matrix is repacked): within 0.5% of the perplexity of the weights as stored.
     * The text is the exact model's own greedy continuation of a random prompt, so the model
     * predicts it far better than uniformly, as a trained model predicts real text.
     */
    @ParameterizedTest
    @MethodSource("computedTypes")
    void perplexityThroughDecodingIsWithinHalfAPercentOfExact(GgmlType type) throws Exception {
        Path file = model(type);
        try (Llama fast = Llama.load(file, Llama.DecodeProducts.FAST, message -> { });
             Llama exact = Llama.load(file, Llama.DecodeProducts.EXACT, message -> { })) {
            int[] text = greedyText(exact, new Random(7).ints(8, 3, SHAPE.vocabularySize()).toArray(), 40);
            double fastPerplexity = decodedPerplexity(fast, text);
            double exactPerplexity = decodedPerplexity(exact, text);
            assertTrue(exactPerplexity < 0.5 * SHAPE.vocabularySize(), "a model that guesses uniformly would prove nothing: " + exactPerplexity);
            assertEquals(exactPerplexity, fastPerplexity, 0.005 * exactPerplexity, type + " perplexity, fast vs exact");
        }
    }

    private static int[] greedyText(Llama llama, int[] prompt, int length) {
        Session session = new JavaSession(llama, AttentionConfig.rope(), 64, JavaSession.DEFAULT_BLOCK, KvCache.Precision.F32);
        int[] text = Arrays.copyOf(prompt, prompt.length + length);
        for (int i = 0; i < text.length - 1; i++) {
            float[] logits = session.next(text[i]);
            if (i + 1 >= prompt.length) {
                int best = 0;
                for (int t = 1; t < logits.length; t++) {
                    if (logits[t] > logits[best]) best = t;
                }
                text[i + 1] = best;
            }
        }
        return text;
    }

    private static double decodedPerplexity(Llama llama, int[] text) {
        Session session = new JavaSession(llama, AttentionConfig.rope(), 64, JavaSession.DEFAULT_BLOCK, KvCache.Precision.F32);
        double negativeLogLikelihood = 0;
        for (int i = 0; i < text.length - 1; i++) {
            float[] logits = session.next(text[i]);
            negativeLogLikelihood += dev.dossier.runtime.compute.VectorOps.logSumExp(logits, logits.length) - logits[text[i + 1]];
        }
        return Math.exp(negativeLogLikelihood / (text.length - 1));
    }

    /** The random model of {@code type}, written once per test. */
    private Path model(GgmlType type) throws java.io.IOException {
        Path file = temp.resolve("random-" + type + ".gguf");
        RandomModel.write(file, SHAPE, type, 11);
        return file;
    }

    private static float[] lastLogits(Session session, int[] prompt) {
        float[][] last = new float[1][];
        // Every position's logits, so the classifier too multiplies a block of tokens (one token would take the decode kernel).
        session.prefill(prompt, 0, prompt.length, true, (position, logits, offset) -> {
            last[0] = Arrays.copyOfRange(logits, offset, offset + SHAPE.vocabularySize());
        }, Session.Progress.NONE);
        return last[0];
    }

    private static double largest(float[] values) {
        double largest = 0;
        for (float v : values) largest = Math.max(largest, Math.abs(v));
        return largest;
    }

    private static double largestDifference(float[] a, float[] b) {
        double largest = 0;
        for (int i = 0; i < a.length; i++) largest = Math.max(largest, Math.abs(a[i] - b[i]));
        return largest;
    }
}
