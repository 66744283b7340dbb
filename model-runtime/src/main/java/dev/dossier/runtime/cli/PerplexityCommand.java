package dev.dossier.runtime.cli;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.engine.Engine;
import dev.dossier.runtime.generate.Perplexity;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.Session;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "perplexity", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Measures perplexity on the first N tokens of a text file (BOS first), read as ONE window.",
                "Past the training context plain RoPE degrades sharply while DCA holds: compare --attention dca and rope.",
                "With --json the last line is {\"perplexity\", \"tokens\", \"attention\", \"chunk_size\", \"local_window\", "
                        + "\"seconds\", \"tokens_per_second\"}; chunk_size and local_window are null for rope."})
final class PerplexityCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Option(names = {"-f", "--file"}, required = true, paramLabel = "FILE", description = "UTF-8 text to evaluate.")
    Path file;

    @Option(names = "--tokens", required = true, paramLabel = "N", description = "Window length in tokens (at least 2).")
    int tokens;

    @Mixin
    AttentionOptions attention;

    @Mixin
    EngineOptions engines;

    @Option(names = "--json", description = "End with one JSON object of the results.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (tokens < 2) {
            throw new InputException("--tokens must be at least 2, got " + tokens);
        }
        String text = TextFiles.read(file);
        try (Llama llama = model.load(err); Engine engine = engines.open(llama, err)) {
            AttentionConfig attentionConfig = attention.resolve(llama.config().contextLength());
            int[] all = llama.tokenizer().encode(text, true);
            if (all.length < tokens) {
                throw new InputException(file + " has " + all.length + " tokens (BOS included), fewer than --tokens " + tokens);
            }
            int[] window = Arrays.copyOf(all, tokens);
            Session session = engine.newSession(attentionConfig, tokens);
            Perplexity.Result result;
            try (ProgressLine progress = new ProgressLine(err)) {
                result = Perplexity.evaluate(session, window, (done, total) -> progress.tokens("evaluating", done, total));
            }
            print(out, result, attentionConfig);
        }
        return 0;
    }

    private void print(PrintWriter out, Perplexity.Result result, AttentionConfig attentionConfig) {
        double seconds = result.nanos() / 1e9;
        double tokensPerSecond = seconds > 0 ? result.tokens() / seconds : 0;
        if (json) {
            Map<String, Object> fields = new LinkedHashMap<>();
            fields.put("perplexity", result.perplexity());
            fields.put("tokens", result.tokens());
            fields.put("attention", attentionConfig.dca() ? "dca" : "rope");
            fields.put("chunk_size", attentionConfig.dca() ? attentionConfig.chunkSize() : null);
            fields.put("local_window", attentionConfig.dca() ? attentionConfig.localWindow() : null);
            fields.put("seconds", seconds);
            fields.put("tokens_per_second", tokensPerSecond);
            Json.printLine(out, fields);
            return;
        }
        out.printf(Locale.ROOT, "perplexity    %.4f%n", result.perplexity());
        out.printf("tokens        %d%n", result.tokens());
        out.printf("attention     %s%n", attentionConfig.dca() ? "dca" : "rope");
        if (attentionConfig.dca()) {
            out.printf("chunk size    %d%n", attentionConfig.chunkSize());
            out.printf("local window  %d%n", attentionConfig.localWindow());
        }
        out.printf(Locale.ROOT, "time          %.2f s%n", seconds);
        out.printf("speed         %s%n", Sizes.rate(tokensPerSecond));
    }
}
