package dev.dossier.runtime.cli;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.attention.KvCache;
import dev.dossier.runtime.engine.EngineKind;
import dev.dossier.runtime.gguf.GgmlType;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.LlamaConfig;
import java.io.PrintWriter;
import java.util.Arrays;
import java.util.Map;
import java.util.concurrent.Callable;
import java.util.stream.Collectors;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

@Command(name = "info", mixinStandardHelpOptions = true,
        description = "Shows a model's architecture, sizes, tensor types and attention defaults.")
final class InfoCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        try (Llama llama = model.load(spec.commandLine().getErr())) {
            LlamaConfig config = llama.config();
            int trainingContext = config.contextLength();
            AttentionConfig dca = AttentionConfig.dcaDefaults(trainingContext);
            row(out, "model", llama.path());
            row(out, "architecture", llama.file().string("general.architecture"));
            row(out, "file size", Sizes.bytes(llama.file().fileSize()) + " (" + llama.file().fileSize() + " bytes)");
            row(out, "gguf version", llama.file().version());
            row(out, "embedding", config.dim());
            row(out, "layers", config.layers());
            row(out, "heads", config.heads());
            row(out, "kv heads", config.kvHeads());
            row(out, "head size", config.headSize());
            row(out, "feed-forward", config.hiddenDim());
            row(out, "vocabulary", config.vocabularySize());
            row(out, "tensor types", describe(llama.tensorTypes()));
            row(out, "training context", trainingContext + " tokens");
            row(out, "rope base", formatNumber(config.ropeBase()));
            row(out, "dca chunk size", dca.chunkSize() + " (CS, 3/4 of the training context)");
            row(out, "dca local window", dca.localWindow() + " (LS, 1/8 of the training context)");
            row(out, "dca chunk length", dca.chunkLength() + " (L = CS - LS)");
            row(out, "default context", AttentionOptions.defaultContext(dca, trainingContext) + " tokens with DCA, "
                    + AttentionOptions.defaultContext(AttentionConfig.rope(), trainingContext) + " with RoPE");
            int context = AttentionOptions.defaultContext(dca, trainingContext);
            row(out, "kv cache", kvCacheBytes(config, 1, KvCache.Precision.F16) + " per token in F16 (--kv-cache, default), "
                    + kvCacheBytes(config, 1, KvCache.Precision.F32) + " in F32; " + kvCacheBytes(config, context, KvCache.Precision.F16)
                    + " for " + context + " tokens in F16");
            row(out, "engines", Arrays.stream(EngineKind.values()).map(EngineKind::id).collect(Collectors.joining(", "))
                    + " (--engine; default java)");
        }
        return 0;
    }

    private static String kvCacheBytes(LlamaConfig config, int tokens, KvCache.Precision precision) {
        return Sizes.bytes(KvCache.bytesFor(config.layers(), config.kvHeads(), config.headSize(), tokens, precision));
    }

    private static void row(PrintWriter out, String label, Object value) {
        out.printf("%-17s %s%n", label, value);
    }

    /** {@code 10000} rather than {@code 10000.0}. */
    private static String formatNumber(float value) {
        return value == Math.rint(value) ? Long.toString((long) value) : Float.toString(value);
    }

    /** {@code "F32 x 37, Q8_0 x 12"}, most used first. */
    private static String describe(Map<GgmlType, Integer> counts) {
        return counts.entrySet().stream()
                .sorted(Map.Entry.<GgmlType, Integer>comparingByValue().reversed())
                .map(entry -> entry.getKey() + " x " + entry.getValue())
                .collect(Collectors.joining(", "));
    }
}
