package dev.dossier.runtime.cli;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.attention.KvCache;
import dev.dossier.runtime.engine.Engine;
import dev.dossier.runtime.engine.EngineComparison;
import dev.dossier.runtime.engine.EngineKind;
import dev.dossier.runtime.engine.JavaEngine;
import dev.dossier.runtime.model.Llama;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "compare-engines", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Checks that an engine computes the same logits and greedy text as the Java engine,",
                "with DCA and with plain RoPE, at prompt lengths below, at and beyond the DCA chunk length L = CS - LS.",
                "Exit status 0 when every case agrees (max |logit difference| <= 1e-3 x max(1, max |logit|)), 1 otherwise.",
                "The Java engine keeps its KV cache in F32 here, as the other engines do, and multiplies the weights as stored",
                "(no 8-bit rounding of the vector while decoding), so only the engines' arithmetic differs.",
                "With --json, one JSON object per case."})
final class CompareEnginesCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Option(names = "--engine", defaultValue = "onnx", paramLabel = "ENGINE",
            description = "The engine to check against the Java engine (default: onnx).")
    String engine;

    @Option(names = "--chunk-size", paramLabel = "CS", description = "DCA chunk size (default: 3/4 of the training context).")
    Integer chunkSize;

    @Option(names = "--local-window", paramLabel = "LS", description = "DCA local window (default: 1/8 of the training context).")
    Integer localWindow;

    @Option(names = {"-f", "--prompt-file"}, paramLabel = "FILE",
            description = "Text for the prompt (default: random token ids, enough for any model).")
    Path promptFile;

    @Option(names = "--greedy-tokens", defaultValue = "32", paramLabel = "N", description = "Tokens of greedy text to compare (default: 32).")
    int greedyTokens;

    @Option(names = "--json", description = "One JSON object per case.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        EngineKind candidateKind = EngineKind.parse(engine);
        if (model.products != Llama.DecodeProducts.EXACT && spec.commandLine().getParseResult().hasMatchedOption("--products")) {
            throw new InputException("compare-engines always multiplies the weights as stored; --products " + model.products.id() + " does not apply");
        }
        try (Llama llama = model.load(err, Llama.DecodeProducts.EXACT);
             Engine reference = new JavaEngine(llama, KvCache.Precision.F32);
             Engine candidate = candidateKind.open(llama, EngineOptions.progress(err))) {
            AttentionConfig dca = AttentionConfig.dcaOrDefaults(chunkSize, localWindow, llama.config().contextLength());
            List<EngineComparison.Case> cases = EngineComparison.standardCases(dca);
            int longest = cases.stream().mapToInt(EngineComparison.Case::tokens).max().orElseThrow();
            int[] prompt = prompt(llama, longest);
            boolean allPassed = true;
            if (!json) {
                out.printf("%-40s %7s %12s %10s %7s%n", "attention", "tokens", "max |diff|", "max |logit|", "greedy");
            }
            for (EngineComparison.Case c : cases) {
                EngineComparison.Result result = EngineComparison.compare(reference, candidate, c, prompt, greedyTokens);
                allPassed &= result.passed();
                if (json) {
                    Map<String, Object> row = new LinkedHashMap<>();
                    row.put("engine", candidate.name());
                    row.put("attention", c.attention().toString());
                    row.put("tokens", c.tokens());
                    row.put("max_logit_difference", result.maxDifference());
                    row.put("max_logit", result.scale());
                    row.put("same_greedy_text", result.sameGreedyText());
                    row.put("passed", result.passed());
                    Json.printLine(out, row);
                } else {
                    out.printf(Locale.ROOT, "%-40s %7d %12.3g %10.3g %7s%n", c.attention(), c.tokens(),
                            result.maxDifference(), result.scale(), result.sameGreedyText() ? "same" : "DIFFERS");
                }
                out.flush();
            }
            if (!json) {
                out.println(allPassed ? candidate.name() + " agrees with java in every case" : candidate.name() + " DISAGREES with java");
            }
            return allPassed ? 0 : 1;
        }
    }

    private int[] prompt(Llama llama, int length) throws Exception {
        if (promptFile != null) {
            int[] tokens = llama.tokenizer().encode(TextFiles.read(promptFile), true);
            if (tokens.length < length) {
                throw new InputException(promptFile + " has " + tokens.length + " tokens; these cases need " + length);
            }
            return tokens;
        }
        return BenchCommand.randomPrompt(llama, length, 42);
    }
}
