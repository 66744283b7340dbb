package dev.dossier.runtime.cli;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.compute.Parallel;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.Session;
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
                "Speeds are the median over the runs. With --json the last line is {\"model\", \"type\", \"threads\", "
                        + "\"attention\", \"prompt_tokens\", \"gen_tokens\", \"repeat\", \"prefill_tokens_per_s\", "
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

    @Option(names = "--seed", defaultValue = "1", description = "Seed of the random prompt (default: ${DEFAULT-VALUE}).")
    long seed;

    @Option(names = "--attention", paramLabel = "dca|rope", defaultValue = "dca",
            description = "dca (default) or rope, with the model's default DCA settings.")
    AttentionOptions.Kind attention;

    @Option(names = "--json", description = "End with one JSON object of the results.")
    boolean json;

    record Run(double prefillTokensPerSecond, double decodeTokensPerSecond) {}

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (promptTokens < 1 || genTokens < 0 || repeat < 1) {
            throw new InputException("--prompt-tokens and --repeat must be at least 1, --gen-tokens at least 0");
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
            List<Run> runs = new ArrayList<>();
            for (int r = 0; r < repeat; r++) {
                try (ProgressLine progress = new ProgressLine(err)) {
                    int run = r + 1;
                    runs.add(runOnce(llama, attentionConfig, prompt,
                            (done, total) -> progress.tokens("run " + run + "/" + repeat + ": prefill", done, total)));
                }
            }
            print(out, llama, attentionConfig, runs);
        }
        return 0;
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

    private Run runOnce(Llama llama, AttentionConfig attentionConfig, int[] prompt, Session.Progress progress) {
        Session session = new Session(llama, attentionConfig, prompt.length + genTokens);
        float[][] last = new float[1][];
        long start = System.nanoTime();
        session.prefill(prompt, 0, prompt.length, false,
                (position, logits, offset) -> last[0] = Arrays.copyOfRange(logits, offset, offset + llama.config().vocabularySize()),
                progress);
        long prefillNanos = System.nanoTime() - start;
        float[] logits = last[0];
        start = System.nanoTime();
        for (int g = 0; g < genTokens; g++) {
            logits = session.next(argmax(logits));
        }
        long decodeNanos = System.nanoTime() - start;
        return new Run(prompt.length / (prefillNanos / 1e9), genTokens == 0 ? 0 : genTokens / (decodeNanos / 1e9));
    }

    private static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }

    private void print(PrintWriter out, Llama llama, AttentionConfig attentionConfig, List<Run> runs) throws IOException {
        double prefill = median(runs.stream().mapToDouble(Run::prefillTokensPerSecond).toArray());
        double decode = median(runs.stream().mapToDouble(Run::decodeTokensPerSecond).toArray());
        double peakRssMb = peakRssBytes() / 1e6;
        String type = mainType(llama);
        long fileSize = Files.size(llama.path());
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("model", llama.path().toString());
            fields.put("type", type);
            fields.put("threads", Parallel.threads());
            fields.put("attention", attentionConfig.dca() ? "dca" : "rope");
            fields.put("prompt_tokens", promptTokens);
            fields.put("gen_tokens", genTokens);
            fields.put("repeat", repeat);
            fields.put("prefill_tokens_per_s", prefill);
            fields.put("decode_tokens_per_s", decode);
            fields.put("peak_rss_mb", peakRssMb);
            fields.put("model_file_mb", fileSize / 1e6);
            fields.put("runs", runs.stream().map(r -> List.of(r.prefillTokensPerSecond(), r.decodeTokensPerSecond())).toList());
            Json.printLine(out, fields);
            return;
        }
        out.printf("model          %s (%s, %s)%n", llama.path(), type, Sizes.bytes(fileSize));
        out.printf("threads        %d%n", Parallel.threads());
        out.printf("attention      %s%n", attentionConfig.dca() ? "dca" : "rope");
        out.printf("%-5s %-22s %-22s%n", "run", "prefill " + promptTokens + " (tok/s)", "decode " + genTokens + " (tok/s)");
        for (int r = 0; r < runs.size(); r++) {
            out.printf(Locale.ROOT, "%-5d %-22.2f %-22.2f%n", r + 1, runs.get(r).prefillTokensPerSecond(), runs.get(r).decodeTokensPerSecond());
        }
        out.printf(Locale.ROOT, "%-5s %-22.2f %-22.2f%n", "median", prefill, decode);
        out.printf(Locale.ROOT, "peak RSS       %.0f MB%n", peakRssMb);
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

    /** VmHWM of /proc/self/status: the most resident memory the process has had; 0 where there is no /proc. */
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
}
