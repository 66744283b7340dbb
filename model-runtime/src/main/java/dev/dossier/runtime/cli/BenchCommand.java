package dev.dossier.runtime.cli;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.attention.KvCache;
import dev.dossier.runtime.compute.MachineLimits;
import dev.dossier.runtime.compute.Parallel;
import dev.dossier.runtime.engine.Engine;
import dev.dossier.runtime.engine.EngineKind;
import dev.dossier.runtime.generate.Sampler;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.LlamaConfig;
import dev.dossier.runtime.model.LlamaWeights;
import dev.dossier.runtime.model.Session;
import dev.dossier.runtime.onnx.CallTimings;
import dev.dossier.runtime.onnx.OnnxEngine;
import dev.dossier.runtime.tensor.FloatTensor;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.SplittableRandom;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "bench", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measures prefill and decode speed and peak memory on a model (any weights: see make-model).",
                "Each run prefills N random tokens (BOS first) into a fresh session, then decodes G tokens greedily.",
                "Speeds are the median over the runs. --engine java,onnx measures each engine in turn on the same prompt,",
                "one table row per engine. With --json each engine ends with one line {\"engine\", \"model\", \"type\", "
                        + "\"threads\", \"attention\", \"prompt_tokens\", \"gen_tokens\", \"repeat\", \"prefill_tokens_per_s\", "
                        + "\"decode_tokens_per_s\", \"peak_rss_mb\", \"runs\": [...]}."})
final class BenchCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Option(names = "--threads", paramLabel = "T", description = "Worker threads (default: the cores, or -Ddossier.threads).")
    Integer threads;

    @Option(names = "--prompt-tokens", paramLabel = "N", defaultValue = "512", description = "Prompt length (default: ${DEFAULT-VALUE}).")
    int promptTokens;

    @Option(names = "--gen-tokens", paramLabel = "G", defaultValue = "64", description = "Tokens decoded after the prompt (default: ${DEFAULT-VALUE}).")
    int genTokens;

    @Option(names = "--repeat", paramLabel = "R", defaultValue = "1", description = "Runs; speeds are their medians (default: ${DEFAULT-VALUE}).")
    int repeat;

    @Option(names = "--warmup", paramLabel = "W", defaultValue = "1",
            description = "Uncounted runs before the measured ones (a prompt of at most " + WARMUP_PROMPT + " tokens, at most "
                    + WARMUP_GEN + " decoded), so the JIT compiler has compiled the kernels, as a long-running server has; "
                    + "like llama-bench's warm-up run (default: ${DEFAULT-VALUE}).")
    int warmup;

    /**
     * Enough tokens for every prefill kernel of the Java engine to run (11 vectors of 16 tokens:
     * three 3-vector tiles and a 2-vector one); with 64 the 3-vector tile was first compiled
     * during the first counted run, which came out a tenth slower (BENCHMARKS.md, session 13).
     */
    static final int WARMUP_PROMPT = 176;
    static final int WARMUP_GEN = 16;

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random prompt (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--attention", paramLabel = "dca|rope", defaultValue = "dca",
            description = "dca (default) or rope, with the model's default DCA settings.")
    AttentionOptions.Kind attention;

    @Mixin
    EngineOptions engines;

    @Option(names = "--context-fill", paramLabel = "K", defaultValue = "0",
            description = "Also decode G tokens after K cached tokens whose keys and values are synthetic (written straight "
                    + "into the cache, not prefilled): decoding speed at a long context, and for onnx where each call's time goes.")
    int contextFill;

    @Option(names = "--json", description = "One JSON object of the results per engine, one per line.")
    boolean json;

    @Option(names = "--roofline", description = "Also measure this machine's float multiply-add peak and memory read rate "
            + "(after the runs, a few seconds) and the speeds they allow: prefill if every product ran at the peak, "
            + "decoding if reading the weights once per token were the only cost.")
    boolean roofline;

    /** One run's speeds; {@code lastToken} is the greedy choice after its last decoded token. */
    record Run(double prefillTokensPerSecond, double decodeTokensPerSecond, double filledDecodeTokensPerSecond, int lastToken) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (promptTokens < 1 || genTokens < 0 || repeat < 1 || warmup < 0) {
            throw new InputException("--prompt-tokens and --repeat must be at least 1, --gen-tokens and --warmup at least 0");
        }
        if (threads != null) {
            if (threads < 1) {
                throw new InputException("--threads must be at least 1, got " + threads);
            }
            Parallel.setThreads(threads);
        }
        try (Llama llama = model.load(err)) {
            int trainingContext = llama.config().contextLength();
            AttentionConfig attentionConfig = attention == AttentionOptions.Kind.ROPE
                    ? AttentionConfig.rope() : AttentionConfig.dcaDefaults(trainingContext);
            int[] prompt = randomPrompt(llama, promptTokens, seed);
            if (!json) {
                printTableHead(out, llama, attentionConfig);
            }
            List<EngineKind> kinds = engines.kinds();
            for (int e = 0; e < kinds.size(); e++) {
                if (e > 0) {
                    resetPeakRss(); // so each engine's peak is its own
                }
                List<Run> runs = new ArrayList<>();
                try (Engine engine = engines.open(kinds.get(e), llama, err)) {
                    int[] warmupPrompt = Arrays.copyOf(prompt, Math.min(prompt.length, WARMUP_PROMPT));
                    for (int w = 0; w < warmup; w++) {
                        try (ProgressLine progress = new ProgressLine(err)) {
                            progress.show(engine.name() + " warm-up " + (w + 1) + "/" + warmup);
                            timeRun(engine, attentionConfig, warmupPrompt, Math.min(genTokens, WARMUP_GEN), Session.Progress.NONE);
                        }
                    }
                    for (int r = 0; r < repeat; r++) {
                        // The last run's session is garbage now, but its KV cache (off-heap, freed when the
                        // collector finds its arena unreachable) would still count in this run's peak memory:
                        // 93 MB per run at 4096 tokens. A server reuses its warm sessions instead.
                        System.gc();
                        try (ProgressLine progress = new ProgressLine(err)) {
                            String label = engine.name() + " run " + (r + 1) + "/" + repeat + ": prefill";
                            runs.add(runOnce(engine, attentionConfig, prompt, (done, total) -> progress.tokens(label, done, total)));
                        }
                    }
                    printEngine(out, llama, engine, attentionConfig, runs);
                }
            }
            if (roofline) {
                printRoofline(out, llama.weights(), MachineLimits.measure());
            }
        }
        return 0;
    }

    /** The machine's ceilings for this model: one table line, or with --json one object. */
    private void printRoofline(PrintWriter out, LlamaWeights weights, MachineLimits limits) {
        double macsPerToken = 0;
        double bytesPerToken = weights.output().type().byteSize(weights.output().size());
        for (LlamaWeights.Layer layer : weights.layers()) {
            for (FloatTensor matrix : List.of(layer.query(), layer.key(), layer.value(), layer.attentionOutput(),
                    layer.gate(), layer.up(), layer.down())) {
                macsPerToken += matrix.size();
                bytesPerToken += matrix.type().byteSize(matrix.size());
            }
        }
        double prefillCeiling = limits.prefillCeiling(macsPerToken);
        double decodeCeiling = limits.decodeCeiling(bytesPerToken);
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("roofline", true);
            fields.put("threads", limits.threads());
            fields.put("vector_bits", limits.vectorBits());
            fields.put("fma_gmac_per_s", limits.gmacPerSecond());
            fields.put("read_gb_per_s", limits.readGbPerSecond());
            fields.put("prefill_ceiling_tokens_per_s", prefillCeiling);
            fields.put("decode_ceiling_tokens_per_s", decodeCeiling);
            Json.printLine(out, fields);
        } else {
            out.printf(Locale.ROOT, "roofline       %d threads, %d-bit vectors: float FMA peak %.1f GMAC/s, memory read %.1f GB/s%n",
                    limits.threads(), limits.vectorBits(), limits.gmacPerSecond(), limits.readGbPerSecond());
            out.printf(Locale.ROOT, "ceilings       prefill %.1f tok/s (%.2f GMAC per token at the FMA peak), decode %.1f tok/s (%.0f MB of weights per token)%n",
                    prefillCeiling, macsPerToken / 1e9, decodeCeiling, bytesPerToken / 1e6);
        }
        out.flush();
    }

    /** BOS (if the model adds one), then random tokens that are not control tokens. */
    static int[] randomPrompt(Llama llama, int length, long seed) {
        SplittableRandom random = new SplittableRandom(seed);
        int vocabulary = llama.config().vocabularySize();
        int[] tokens = new int[length];
        int i = 0;
        if (llama.tokenizer().addsBos()) {
            tokens[i++] = llama.tokenizer().bos();
        }
        while (i < length) {
            int token = random.nextInt(vocabulary);
            if (!llama.tokenizer().isControl(token)) {
                tokens[i++] = token;
            }
        }
        return tokens;
    }

    private Run runOnce(Engine engine, AttentionConfig attentionConfig, int[] prompt, Session.Progress progress) {
        Run run = timeRun(engine, attentionConfig, prompt, genTokens, progress);
        return contextFill == 0 ? run : new Run(run.prefillTokensPerSecond(), run.decodeTokensPerSecond(),
                decodeAfterFill(engine, attentionConfig, prompt, run.lastToken()), run.lastToken());
    }

    /** Prefills {@code prompt} into a fresh session and decodes {@code genTokens} greedily after it. */
    private static Run timeRun(Engine engine, AttentionConfig attentionConfig, int[] prompt, int genTokens, Session.Progress progress) {
        Llama llama = engine.model();
        Session session = engine.newSession(attentionConfig, prompt.length + genTokens);
        float[][] last = new float[1][];
        long start = System.nanoTime();
        session.prefill(prompt, 0, prompt.length, false,
                (position, logits, offset) -> last[0] = Arrays.copyOfRange(logits, offset, offset + llama.config().vocabularySize()),
                progress);
        long prefillNanos = System.nanoTime() - start;
        float[] logits = last[0];
        start = System.nanoTime();
        for (int g = 0; g < genTokens; g++) {
            logits = session.next(Sampler.argmax(logits));
        }
        long decodeNanos = System.nanoTime() - start;
        return new Run(prompt.length / (prefillNanos / 1e9), genTokens == 0 ? 0 : genTokens / (decodeNanos / 1e9), 0, Sampler.argmax(logits));
    }

    /** Decodes after {@code contextFill} synthetic cached tokens; returns tokens per second. */
    private double decodeAfterFill(Engine engine, AttentionConfig attentionConfig, int[] prompt, int first) {
        Session session = engine.newSession(attentionConfig, contextFill + genTokens + 1);
        KvCache cache = session.cache();
        SplittableRandom random = new SplittableRandom(seed);
        float[] key = new float[cache.headSize()];
        float[] value = new float[cache.headSize()];
        for (int l = 0; l < cache.layers(); l++) {
            for (int h = 0; h < cache.kvHeads(); h++) {
                for (int p = 0; p < contextFill; p++) {
                    for (int d = 0; d < key.length; d++) {
                        key[d] = (float) random.nextGaussian() * 0.5f;
                        value[d] = (float) random.nextGaussian() * 0.5f;
                    }
                    cache.store(l, h, p, key, 0, value, 0);
                }
            }
        }
        int[] tokens = new int[contextFill];
        for (int i = 0; i < contextFill; i++) {
            tokens[i] = prompt[i % prompt.length];
        }
        session.restore(tokens);
        if (engine instanceof OnnxEngine onnx) {
            onnx.takeCallTimings();
        }
        int token = first;
        long start = System.nanoTime();
        for (int g = 0; g < Math.max(1, genTokens); g++) {
            token = Sampler.argmax(session.next(token));
        }
        double seconds = (System.nanoTime() - start) / 1e9;
        if (engine instanceof OnnxEngine onnx) {
            lastCallTimings = onnx.takeCallTimings();
        }
        return Math.max(1, genTokens) / seconds;
    }

    private CallTimings.Snapshot lastCallTimings;

    private void printTableHead(PrintWriter out, Llama llama, AttentionConfig attentionConfig) throws IOException {
        out.printf("model          %s (%s, %s)%n", llama.path(), mainType(llama), Sizes.bytes(Files.size(llama.path())));
        out.printf("threads        %d%n", Parallel.threads());
        out.printf("attention      %s%n", attentionConfig.dca() ? "dca" : "rope");
        out.printf("runs           %d (speeds are the median), after %d uncounted warm-up run(s)%n", repeat, warmup);
        out.printf("%-8s %-22s %-22s %s%s%n", "engine", "prefill " + promptTokens + " (tok/s)", "decode " + genTokens + " (tok/s)",
                contextFill > 0 ? String.format("%-22s ", "decode @" + contextFill + " (tok/s)") : "", "peak RSS");
        out.flush();
    }

    /** One table row, or with --json one line, for an engine's runs. */
    private void printEngine(PrintWriter out, Llama llama, Engine engine, AttentionConfig attentionConfig, List<Run> runs) throws IOException {
        double prefill = median(runs.stream().mapToDouble(Run::prefillTokensPerSecond).toArray());
        double decode = median(runs.stream().mapToDouble(Run::decodeTokensPerSecond).toArray());
        double filledDecode = median(runs.stream().mapToDouble(Run::filledDecodeTokensPerSecond).toArray());
        double peakRssMb = peakRssBytes() / 1e6;
        LlamaConfig config = llama.config();
        double filledCacheMb = KvCache.bytesFor(config.layers(), config.kvHeads(), config.headSize(), contextFill, engine.kvPrecision()) / 1e6;
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("engine", engine.name());
            fields.put("model", llama.path().toString());
            fields.put("type", mainType(llama));
            fields.put("threads", Parallel.threads());
            fields.put("kv_cache", engine.kvPrecision().id());
            fields.put("products", model.products.id());
            fields.put("attention", attentionConfig.dca() ? "dca" : "rope");
            fields.put("prompt_tokens", promptTokens);
            fields.put("gen_tokens", genTokens);
            fields.put("repeat", repeat);
            fields.put("warmup", warmup);
            fields.put("prefill_tokens_per_s", prefill);
            fields.put("decode_tokens_per_s", decode);
            fields.put("peak_rss_mb", peakRssMb);
            if (contextFill > 0) {
                fields.put("context_fill", contextFill);
                fields.put("filled_decode_tokens_per_s", filledDecode);
                fields.put("kv_cache_mb_at_fill", filledCacheMb);
                if (lastCallTimings != null) {
                    fields.put("onnx_input_ms_per_call", lastCallTimings.inputMs());
                    fields.put("onnx_run_ms_per_call", lastCallTimings.runMs());
                    fields.put("onnx_output_ms_per_call", lastCallTimings.outputMs());
                }
            }
            fields.put("model_file_mb", Files.size(llama.path()) / 1e6);
            fields.put("runs", runs.stream().map(r -> List.of(r.prefillTokensPerSecond(), r.decodeTokensPerSecond())).toList());
            Json.printLine(out, fields);
        } else {
            out.printf(Locale.ROOT, "%-8s %-22.2f %-22.2f %s%.0f MB%n", engine.name(), prefill, decode,
                    contextFill > 0 ? String.format(Locale.ROOT, "%-22.2f ", filledDecode) : "", peakRssMb);
            if (contextFill > 0 && lastCallTimings != null) {
                out.printf(Locale.ROOT, "         onnx decode call at %d cached tokens (%.0f MB of keys and values): inputs %.3f ms, run %.2f ms, outputs %.3f ms%n",
                        contextFill, filledCacheMb, lastCallTimings.inputMs(), lastCallTimings.runMs(), lastCallTimings.outputMs());
            }
        }
        out.flush(); // a later engine may fail: this one's result is out already
    }

    static double median(double[] values) {
        double[] sorted = values.clone();
        Arrays.sort(sorted);
        int n = sorted.length;
        return n % 2 == 1 ? sorted[n / 2] : (sorted[n / 2 - 1] + sorted[n / 2]) / 2;
    }

    /** The type most weight matrices use. */
    private static String mainType(Llama llama) {
        return llama.tensorTypes().entrySet().stream()
                .max(Map.Entry.comparingByValue())
                .map(e -> e.getKey().toString())
                .orElse("?");
    }

    /** VmHWM of /proc/self/status: the most resident memory the process has had (since the last reset); 0 where there is no /proc. */
    static long peakRssBytes() throws IOException {
        Path status = Path.of("/proc/self/status");
        if (!Files.isReadable(status)) {
            return 0;
        }
        for (String line : Files.readAllLines(status)) {
            if (line.startsWith("VmHWM:")) {
                String[] parts = line.substring("VmHWM:".length()).trim().split("\\s+");
                return Long.parseLong(parts[0]) * 1024;
            }
        }
        return 0;
    }

    /** Resets VmHWM to the current resident memory (Linux 4.0+); elsewhere the peak stays the process's. */
    private static void resetPeakRss() {
        try {
            Files.writeString(Path.of("/proc/self/clear_refs"), "5");
        } catch (IOException | UnsupportedOperationException | SecurityException e) {
            // No reset: later engines report the process's peak so far.
        }
    }
}
