package dev.dossier.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dossier.runtime.compute.Parallel;
import dev.dossier.runtime.model.Llama;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class BenchCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();
    private static final int DEFAULT_THREADS = Parallel.threads();

    @TempDir
    Path dir;

    @AfterAll
    static void restoreThreads() {
        Parallel.setThreads(DEFAULT_THREADS);
    }

    private Path tinyModel(String type, String... options) {
        Path model = dir.resolve("tiny-" + type + String.join("", options) + ".gguf");
        java.util.List<String> args = new java.util.ArrayList<>(java.util.List.of("make-model", "--out", model.toString(), "--type", type,
                "--dim", "64", "--layers", "2", "--heads", "8", "--kv-heads", "2", "--ff", "96", "--vocab", "400", "--context", "64"));
        args.addAll(java.util.List.of(options));
        Cli.Result made = Cli.run(args.toArray(String[]::new));
        assertEquals(0, made.exitCode(), made.err());
        return model;
    }

    /**
     * Q4_K_M as llama-quantize mixes it for 8 layers: Q6_K for the output, and for the value and
     * down projections of the first layer, the last one and every third between (layers 0, 3, 6
     * and 7), Q4_K elsewhere. Rows of 256 values, so no matrix needs a fallback type.
     */
    @Test
    void makeModelMixesTypesAsLlamaQuantizeDoes() throws Exception {
        Path model = dir.resolve("tiny-Q4_K_M.gguf");
        Cli.Result made = Cli.run("make-model", "--out", model.toString(), "--type", "Q4_K_M", "--dim", "256", "--layers", "8",
                "--heads", "8", "--kv-heads", "2", "--ff", "512", "--vocab", "400", "--context", "64");
        assertEquals(0, made.exitCode(), made.err());
        try (Llama llama = Llama.load(model)) {
            assertEquals("Q6_K", llama.weights().output().type().toString());
            assertEquals("Q4_K", llama.weights().tokenEmbedding().type().toString());
            for (int layer = 0; layer < 8; layer++) {
                var weights = llama.weights().layers()[layer];
                String expected = java.util.Set.of(0, 3, 6, 7).contains(layer) ? "Q6_K" : "Q4_K";
                assertEquals(expected, weights.value().type().toString(), "value, layer " + layer);
                assertEquals(expected, weights.down().type().toString(), "down, layer " + layer);
                assertEquals("Q4_K", weights.query().type().toString());
                assertEquals("Q4_K", weights.gate().type().toString());
            }
            float[] logits = new dev.dossier.runtime.model.JavaSession(llama,
                    dev.dossier.runtime.attention.AttentionConfig.dcaDefaults(64), 8).next(1);
            for (float v : logits) {
                assertTrue(Float.isFinite(v), "logit " + v);
            }
        }
    }

    @Test
    void makeModelWritesALoadableModelOfTheShapeAndType() throws Exception {
        for (String type : new String[] {"Q4_0", "Q8_0", "F16", "F32"}) {
            Path model = tinyModel(type);
            try (Llama llama = Llama.load(model)) {
                assertEquals(64, llama.config().dim());
                assertEquals(2, llama.config().layers());
                assertEquals(2, llama.config().kvHeads());
                assertEquals(96, llama.config().hiddenDim());
                assertEquals(400, llama.config().vocabularySize());
                assertEquals(64, llama.config().contextLength());
                assertEquals(type, llama.weights().layers()[0].query().type().toString());
                int[] ids = llama.tokenizer().encode("hello, wörld", true);
                assertEquals(1, ids[0]);
                assertEquals("hello, wörld", llama.tokenizer().decode(java.util.Arrays.copyOfRange(ids, 1, ids.length)).strip());
                float[] logits = new dev.dossier.runtime.model.JavaSession(llama,
                        dev.dossier.runtime.attention.AttentionConfig.dcaDefaults(64), 8).next(1);
                for (float v : logits) {
                    assertTrue(Float.isFinite(v), "logit " + v);
                }
            }
        }
    }

    @Test
    void makeModelRejectsRowsThatAreNotWholeBlocks() {
        Cli.Result made = Cli.run("make-model", "--out", dir.resolve("bad.gguf").toString(), "--type", "Q4_0",
                "--dim", "48", "--heads", "4", "--kv-heads", "2", "--ff", "96", "--layers", "1", "--vocab", "300");
        assertEquals(2, made.exitCode(), made.err());
        assertTrue(made.err().startsWith("error: "), made.err());
    }

    @Test
    void benchJsonReportsSpeedsAndPeakMemory() throws Exception {
        Path model = tinyModel("Q8_0");
        Cli.Result result = Cli.run("bench", "--model", model.toString(), "--threads", "2", "--prompt-tokens", "100",
                "--gen-tokens", "8", "--repeat", "2", "--warmup", "2", "--json");
        assertEquals(0, result.exitCode(), result.err());
        assertEquals(1, result.out().lines().count(), "one line per engine: " + result.out());
        JsonNode json = JSON.readTree(result.lastOutLine());
        assertEquals("java", json.get("engine").asText());
        assertTrue(json.get("prefill_tokens_per_s").asDouble() > 0, json.toString());
        assertTrue(json.get("decode_tokens_per_s").asDouble() > 0, json.toString());
        assertTrue(json.get("peak_rss_mb").asDouble() > 0, json.toString());
        assertEquals("Q8_0", json.get("type").asText());
        assertEquals(2, json.get("threads").asInt());
        assertEquals(100, json.get("prompt_tokens").asInt());
        assertEquals(8, json.get("gen_tokens").asInt());
        assertEquals(2, json.get("runs").size(), "warm-up runs are not counted: " + json);
        assertEquals(2, json.get("warmup").asInt());
        assertTrue(result.err().contains("warm-up 2/2"), result.err());
        assertEquals("dca", json.get("attention").asText());
        assertEquals("f16", json.get("kv_cache").asText(), "the java engine's default");
        assertTrue(Files.size(model) > 0);
    }

    @Test
    void theDecodeProductsAreChosenAndReported() throws Exception {
        Path model = tinyModel("Q8_0");
        for (String products : new String[] {"fast", "exact"}) {
            Cli.Result result = Cli.run("bench", "--model", model.toString(), "--prompt-tokens", "8", "--gen-tokens", "2",
                    "--warmup", "0", "--products", products, "--json");
            assertEquals(0, result.exitCode(), result.err());
            assertEquals(products, JSON.readTree(result.lastOutLine()).get("products").asText());
        }
        Cli.Result wrong = Cli.run("bench", "--model", model.toString(), "--products", "fastest");
        assertEquals(2, wrong.exitCode(), wrong.err());
        assertTrue(wrong.err().contains("fastest"), wrong.err());
        Cli.Result notApplicable = Cli.run("compare-engines", "--model", model.toString(), "--products", "fast");
        assertEquals(2, notApplicable.exitCode(), notApplicable.err());
        assertTrue(notApplicable.err().contains("--products fast does not apply"), notApplicable.err());
    }

    @Test
    void theKvCachePrecisionIsChosenAndHalvesTakeHalfTheMemory() throws Exception {
        Path model = tinyModel("Q8_0");
        double[] cacheMb = new double[2];
        String[] precisions = {"f16", "f32"};
        for (int i = 0; i < 2; i++) {
            Cli.Result result = Cli.run("bench", "--model", model.toString(), "--prompt-tokens", "8", "--gen-tokens", "2",
                    "--context-fill", "40", "--kv-cache", precisions[i], "--json");
            assertEquals(0, result.exitCode(), result.err());
            JsonNode json = JSON.readTree(result.lastOutLine());
            assertEquals(precisions[i], json.get("kv_cache").asText());
            cacheMb[i] = json.get("kv_cache_mb_at_fill").asDouble();
        }
        // 2 layers x 2 KV heads x 40 tokens x 8 dimensions, keys and values
        assertEquals(2 * 2 * 2 * 40 * 8 * 2 / 1e6, cacheMb[0], 1e-12);
        assertEquals(2 * cacheMb[0], cacheMb[1], 1e-12);
        Cli.Result unknown = Cli.run("bench", "--model", model.toString(), "--kv-cache", "q4");
        assertEquals(2, unknown.exitCode());
        assertTrue(unknown.err().contains("choose f16 or f32"), unknown.err());
    }

    @Test
    void benchRejectsANegativeWarmup() {
        Cli.Result result = Cli.run("bench", "--model", Cli.model(), "--warmup", "-1");
        assertEquals(2, result.exitCode(), result.err());
        assertTrue(result.err().contains("--warmup"), result.err());
    }

    @Test
    void rooflineReportsTheMachineCeilingsForTheModel() throws Exception {
        Path model = tinyModel("Q4_0", "--pure");
        Cli.Result result = Cli.run("bench", "--model", model.toString(), "--threads", "2", "--prompt-tokens", "20",
                "--gen-tokens", "2", "--roofline", "--json");
        assertEquals(0, result.exitCode(), result.err());
        assertEquals(2, result.out().lines().count(), "the engine's line, then the roofline: " + result.out());
        JsonNode roofline = JSON.readTree(result.lastOutLine());
        assertEquals(2, roofline.get("threads").asInt());
        double gmac = roofline.get("fma_gmac_per_s").asDouble();
        double read = roofline.get("read_gb_per_s").asDouble();
        assertTrue(gmac > 0.1 && read > 0.1, roofline.toString());
        // 2 layers x (2 x 64 x 64 + 2 x 16 x 64 + 3 x 96 x 64) multiply-adds per token
        double macsPerToken = 2 * (2 * 64 * 64 + 2 * 16 * 64 + 3 * 96 * 64);
        assertEquals(gmac * 1e9 / macsPerToken, roofline.get("prefill_ceiling_tokens_per_s").asDouble(), 1e-6 * gmac * 1e9 / macsPerToken);
        // the same matrices in Q4_0 (18 bytes per 32 values) plus the 400 x 64 output matrix
        double bytesPerToken = (macsPerToken + 400 * 64) / 32 * 18;
        assertEquals(read * 1e9 / bytesPerToken, roofline.get("decode_ceiling_tokens_per_s").asDouble(), 1e-6 * read * 1e9 / bytesPerToken);
    }

    @Test
    void benchTableNamesEachValue() {
        Cli.Result result = Cli.run("bench", "--model", Cli.model(), "--threads", "1", "--prompt-tokens", "40",
                "--gen-tokens", "4", "--attention", "rope");
        assertEquals(0, result.exitCode(), result.err());
        for (String label : new String[] {"threads        1", "attention      rope", "prefill 40", "decode 4", "median", "peak RSS", "\njava "}) {
            assertTrue(result.out().contains(label), result.out());
        }
    }

    @Test
    void benchMedianOfEvenAndOddCounts() {
        assertEquals(2, BenchCommand.median(new double[] {3, 1, 2}));
        assertEquals(2.5, BenchCommand.median(new double[] {4, 1, 2, 3}));
    }
}
