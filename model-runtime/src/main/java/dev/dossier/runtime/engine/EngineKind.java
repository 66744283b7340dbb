package dev.dossier.runtime.engine;

import dev.dossier.runtime.attention.KvCache;
import dev.dossier.runtime.model.JavaSession;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.onnx.OnnxEngine;
import java.util.Arrays;
import java.util.Locale;
import java.util.function.Consumer;
import java.util.stream.Collectors;

/** The engines a user can choose with {@code --engine} or {@code dossier.engine}. */
public enum EngineKind {
    JAVA,
    ONNX;

    public String id() {
        return name().toLowerCase(Locale.ROOT);
    }

    /** Parses {@code java} or {@code onnx} (any case); anything else is refused with the choices. */
    public static EngineKind parse(String text) {
        for (EngineKind kind : values()) {
            if (kind.id().equalsIgnoreCase(text == null ? "" : text.trim())) {
                return kind;
            }
        }
        throw new IllegalArgumentException("unknown engine '" + text + "': choose one of "
                + Arrays.stream(values()).map(EngineKind::id).collect(Collectors.joining(", ")));
    }

    public Engine open(Llama model) {
        return open(model, message -> { });
    }

    /** @param progress hears what takes a while while the engine prepares (for onnx: writing and loading its graph) */
    public Engine open(Llama model, Consumer<String> progress) {
        return open(model, JavaSession.DEFAULT_KV_PRECISION, progress);
    }

    /**
     * @param kvPrecision how the java engine keeps keys and values; the onnx engine keeps F32 whatever is asked
     * @param progress    hears what takes a while while the engine prepares (for onnx: writing and loading its graph)
     */
    public Engine open(Llama model, KvCache.Precision kvPrecision, Consumer<String> progress) {
        return switch (this) {
            case JAVA -> new JavaEngine(model, kvPrecision);
            case ONNX -> new OnnxEngine(model, OnnxEngine.configuredDevice(), progress);
        };
    }
}
