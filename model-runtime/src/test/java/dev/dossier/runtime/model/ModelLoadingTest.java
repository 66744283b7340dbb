package dev.dossier.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.runtime.Fixtures;
import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.gguf.GgmlType;
import dev.dossier.runtime.gguf.GgufFormatException;
import dev.dossier.runtime.gguf.GgufTensorInfo;
import java.nio.file.NoSuchFileException;
import java.nio.file.Path;
import java.util.function.Function;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** Loading real and deliberately broken model files. */
class ModelLoadingTest {
    @TempDir
    Path dir;

    @Test
    void readsTheStoriesModelShape() throws Exception {
        try (Llama model = Llama.load(Fixtures.stories260K())) {
            LlamaConfig config = model.config();
            assertEquals(64, config.dim());
            assertEquals(5, config.layers());
            assertEquals(8, config.heads());
            assertEquals(4, config.kvHeads());
            assertEquals(8, config.headSize());
            assertEquals(172, config.hiddenDim());
            assertEquals(512, config.vocabularySize());
            assertEquals(512, config.contextLength());
            assertTrue(model.weights().output() == model.weights().tokenEmbedding(), "output tied to the embedding");
        }
    }

    @Test
    void missingFileIsNamed() {
        assertThrows(NoSuchFileException.class, () -> Llama.load(dir.resolve("absent.gguf")));
    }

    @Test
    void unsupportedArchitectureIsNamed() throws Exception {
        Path file = variant((k, v) -> k.equals("general.architecture") ? "mamba" : v, same());
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> Llama.load(file));
        assertTrue(e.getMessage().contains("unsupported architecture 'mamba'"), e.getMessage());
    }

    @Test
    void missingMetadataIsNamed() throws Exception {
        Path file = variant((k, v) -> k.equals("llama.block_count") ? null : v, same());
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> Llama.load(file));
        assertTrue(e.getMessage().contains("'llama.block_count' is missing"), e.getMessage());
    }

    @Test
    void missingTensorIsNamed() throws Exception {
        Path file = variant((k, v) -> v, info -> info.name().equals("blk.3.ffn_up.weight") ? null : info.type());
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> Llama.load(file));
        assertTrue(e.getMessage().contains("'blk.3.ffn_up.weight' is missing"), e.getMessage());
    }

    @Test
    void wrongShapeIsNamed() throws Exception {
        Path file = variant((k, v) -> k.equals("llama.feed_forward_length") ? 171 : v, same());
        GgufFormatException e = assertThrows(GgufFormatException.class, () -> Llama.load(file));
        assertTrue(e.getMessage().contains("has shape"), e.getMessage());
    }

    /** The quantized kernels, end to end: the same model in Q8_0 and Q4_0 stays close to F32. */
    @Test
    void quantizedVariantsPredictLikeTheOriginal() throws Exception {
        float[] reference = lastLogits(Fixtures.stories260K());
        for (GgmlType type : new GgmlType[] {GgmlType.Q8_0, GgmlType.Q4_0, GgmlType.F16, GgmlType.BF16}) {
            Path file = variant((k, v) -> v, ModelRewriter.quantizeMatrices(type));
            float[] logits = lastLogits(file);
            double cosine = cosine(reference, logits);
            double minimum = type == GgmlType.Q4_0 ? 0.95 : 0.995;
            assertTrue(cosine > minimum, type + ": cosine similarity of logits " + cosine);
        }
    }

    private static float[] lastLogits(Path file) throws Exception {
        try (Llama model = Llama.load(file)) {
            int[] tokens = model.tokenizer().encode(Fixtures.goldenGreedy256(), true);
            Session session = new JavaSession(model, AttentionConfig.dcaDefaults(model.config().contextLength()), tokens.length);
            float[][] last = new float[1][];
            session.prefill(tokens, 0, tokens.length, false,
                    (p, l, o) -> last[0] = java.util.Arrays.copyOfRange(l, o, o + model.config().vocabularySize()), Session.Progress.NONE);
            return last[0];
        }
    }

    private static double cosine(float[] a, float[] b) {
        double dot = 0, na = 0, nb = 0;
        for (int i = 0; i < a.length; i++) {
            dot += a[i] * b[i];
            na += a[i] * a[i];
            nb += b[i] * b[i];
        }
        return dot / Math.sqrt(na * nb);
    }

    private static Function<GgufTensorInfo, GgmlType> same() {
        return GgufTensorInfo::type;
    }

    private Path variant(java.util.function.BiFunction<String, Object, Object> metadata, Function<GgufTensorInfo, GgmlType> types) throws Exception {
        Path file = java.nio.file.Files.createTempFile(dir, "variant", ".gguf");
        ModelRewriter.rewrite(Fixtures.stories260K(), file, metadata, types);
        return file;
    }
}
