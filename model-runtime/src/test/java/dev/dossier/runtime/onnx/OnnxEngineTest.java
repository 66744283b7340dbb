package dev.dossier.runtime.onnx;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import ai.djl.Device;
import dev.dossier.runtime.Fixtures;
import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.attention.KvCache;
import dev.dossier.runtime.engine.Engine;
import dev.dossier.runtime.engine.EngineComparison;
import dev.dossier.runtime.engine.EngineKind;
import dev.dossier.runtime.engine.JavaEngine;
import dev.dossier.runtime.generate.GenerationParameters;
import dev.dossier.runtime.generate.Generator;
import dev.dossier.runtime.gguf.GgmlType;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.RandomModel;
import dev.dossier.runtime.model.Session;
import dev.dossier.runtime.prefix.ModelFingerprint;
import dev.dossier.runtime.prefix.PrefixCacheFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.SplittableRandom;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The onnx engine computes what the Java engine computes (on ONNX Runtime's CPU provider here). */
class OnnxEngineTest {
    @TempDir
    Path temp;

    @Test
    void storiesLogitsAndGreedyTextMatchTheJavaEngineWithDcaAndRopeBelowAtAndBeyondTheChunk() throws Exception {
        try (Llama llama = Llama.load(Fixtures.stories260K());
             Engine java = new JavaEngine(llama, KvCache.Precision.F32); // as the onnx engine keeps it
             Engine onnx = EngineKind.ONNX.open(llama)) {
            AttentionConfig dca = AttentionConfig.dcaDefaults(llama.config().contextLength()); // L = 320
            List<EngineComparison.Case> cases = EngineComparison.standardCases(dca);
            int[] prompt = randomTokens(llama, 1000);
            for (EngineComparison.Case c : cases) {
                EngineComparison.Result result = EngineComparison.compare(java, onnx, c, prompt, 24);
                assertTrue(result.logitsAgree(), () -> c + ": logits differ by " + result.maxDifference() + " (scale " + result.scale() + ")");
                assertTrue(result.sameGreedyText(), () -> c + ": greedy text differs:\n" + result.referenceText() + "\n" + result.candidateText());
                assertTrue(result.scale() > 1, "a comparison of near-zero logits would prove nothing");
            }
            assertEquals(List.of(160, 320, 800, 160, 320, 800), cases.stream().map(EngineComparison.Case::tokens).toList());
        }
    }

    @Test
    void greedyGenerationFromBosReproducesTheGoldenText() throws Exception {
        try (Llama llama = Llama.load(Fixtures.stories260K()); Engine onnx = EngineKind.ONNX.open(llama)) {
            Session session = onnx.newSession(AttentionConfig.dcaDefaults(llama.config().contextLength()), 512);
            String text = Generator.generate(session, new int[] {llama.tokenizer().bos()},
                    GenerationParameters.GREEDY.withMaxTokens(256), Generator.Listener.NONE).text();
            assertEquals(Fixtures.goldenGreedy256(), text);
        }
    }

    /** The TinyLlama 1.1B shape (GQA 32/4, 22 layers), random Q4_0 weights; a short chunk keeps it quick. */
    @Test
    void tinyLlamaShapeMatchesWithDcaBelowAtAndBeyondTheChunkAndWithRope() throws Exception {
        assertEnginesAgree(RandomModel.Shape.TINY_LLAMA, GgmlType.Q4_0, new int[] {24, 48, 130});
    }

    /** Every weight encoding the graph handles: kept quantized (Q4_0, Q8_0) or widened to float (F16, F32). */
    @ParameterizedTest
    @EnumSource(value = GgmlType.class, names = {"Q4_0", "Q8_0", "F16", "F32", "BF16", "Q4_1", "Q5_0", "Q5_1", "IQ4_NL", "IQ4_XS",
            "Q2_K", "Q3_K", "Q4_K", "Q5_K", "Q6_K"})
    void eachWeightTypeMatches(GgmlType type) throws Exception {
        assertEnginesAgree(new RandomModel.Shape(256, 3, 8, 2, 512, 1000, 256), type, new int[] {40, 130});
    }

    /** Q8_0 as MatMulNBits' 8-bit blocks, as on CUDA (the CPU widens Q8_0 to float for speed). */
    @Test
    void q8BlocksKeptQuantizedMatchToo() throws Exception {
        assertEnginesAgree(new RandomModel.Shape(256, 3, 8, 2, 512, 1000, 256), GgmlType.Q8_0, new int[] {40, 130}, true);
    }

    private void assertEnginesAgree(RandomModel.Shape shape, GgmlType type, int[] lengths) throws Exception {
        assertEnginesAgree(shape, type, lengths, false);
    }

    /** DCA with CS 64 and LS 16 (L = 48) at each length, then plain RoPE at the longest. */
    private void assertEnginesAgree(RandomModel.Shape shape, GgmlType type, int[] lengths, boolean q8Quantized) throws Exception {
        Path file = temp.resolve("random-" + type + ".gguf");
        RandomModel.write(file, shape, type, 3);
        try (Llama llama = Llama.load(file, Llama.DecodeProducts.EXACT, message -> { }); // the weights as stored, as the graph reads them
             Engine java = new JavaEngine(llama, KvCache.Precision.F32);
             Engine onnx = new OnnxEngine(llama, Device.cpu(), q8Quantized, m -> { })) {
            AttentionConfig dca = AttentionConfig.dca(64, 16, llama.config().contextLength());
            int[] prompt = randomTokens(llama, 200);
            List<EngineComparison.Case> cases = new java.util.ArrayList<>();
            for (int length : lengths) {
                cases.add(new EngineComparison.Case(dca, length));
            }
            cases.add(new EngineComparison.Case(AttentionConfig.rope(), lengths[lengths.length - 1]));
            for (EngineComparison.Case c : cases) {
                EngineComparison.Result result = EngineComparison.compare(java, onnx, c, prompt, 4);
                assertTrue(result.passed(), () -> type + " " + c + ": max |diff| " + result.maxDifference() + " scale " + result.scale()
                        + ", greedy " + result.referenceText() + " / " + result.candidateText());
            }
        }
    }

    @Test
    void aPrefixCacheWrittenByOneEngineServesTheOther() throws Exception {
        try (Llama llama = Llama.load(Fixtures.stories260K());
             Engine java = EngineKind.JAVA.open(llama);
             Engine onnx = EngineKind.ONNX.open(llama)) {
            AttentionConfig attention = AttentionConfig.dcaDefaults(llama.config().contextLength());
            int[] prompt = randomTokens(llama, 700);
            Session writer = onnx.newSession(attention, 1024);
            writer.prefill(prompt, 0, prompt.length, false, (p, l, o) -> { }, Session.Progress.NONE);
            Path file = temp.resolve("prefix.kv");
            PrefixCacheFile.write(writer, prompt.length, file, ModelFingerprint.of(llama));

            Session reader = PrefixCacheFile.read(file, java, 1024);
            Session fresh = java.newSession(attention, 1024);
            fresh.prefill(prompt, 0, prompt.length, false, (p, l, o) -> { }, Session.Progress.NONE);
            assertEquals(KvCache.Precision.F32, writer.cache().precision());
            assertEquals(KvCache.Precision.F16, reader.cache().precision(), "the file's floats were rounded to the Java engine's halves");
            float[] fromOnnxCache = reader.next(prompt[5]);
            float[] computed = fresh.next(prompt[5]);
            // Each engine's keys differ from the other's in the last float bits, which can round to
            // neighbouring halves (2^-11 apart); the logits (up to about 20) move by a few thousandths.
            for (int i = 0; i < computed.length; i++) {
                assertEquals(computed[i], fromOnnxCache[i], 1e-2, "logit " + i);
            }
        }
    }

    @Test
    void aDeviceThatIsNotThereIsRefusedWithTheReason() throws Exception {
        try (Llama llama = Llama.load(Fixtures.stories260K())) {
            IllegalArgumentException unknown = assertThrows(IllegalArgumentException.class, () -> new OnnxEngine(llama, "tpu", m -> { }));
            assertTrue(unknown.getMessage().contains("auto, cpu or cuda"), unknown.getMessage());
            IllegalStateException noCuda = assertThrows(IllegalStateException.class, () -> new OnnxEngine(llama, "cuda", m -> { }));
            assertTrue(noCuda.getMessage().contains("no CUDA execution provider"), noCuda.getMessage());
        }
    }

    @Test
    void closingRemovesTheGraphFiles() throws Exception {
        try (Llama llama = Llama.load(Fixtures.stories260K())) {
            OnnxEngine onnx = new OnnxEngine(llama, "cpu", m -> { });
            onnx.newSession(AttentionConfig.rope(), 64).next(llama.tokenizer().bos());
            Path directory = onnx.directory();
            assertTrue(Files.exists(directory.resolve("weights.bin")));
            onnx.close();
            assertTrue(Files.notExists(directory), directory + " is left behind");
        }
    }

    private static int[] randomTokens(Llama llama, int length) {
        SplittableRandom random = new SplittableRandom(7);
        int vocabulary = llama.config().vocabularySize();
        int[] tokens = new int[length];
        tokens[0] = llama.tokenizer().bos();
        for (int i = 1; i < length; i++) {
            tokens[i] = 3 + random.nextInt(vocabulary - 3);
        }
        return tokens;
    }
}
