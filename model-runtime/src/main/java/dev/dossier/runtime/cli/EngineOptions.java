package dev.dossier.runtime.cli;

import dev.dossier.runtime.attention.KvCache;
import dev.dossier.runtime.engine.Engine;
import dev.dossier.runtime.engine.EngineKind;
import dev.dossier.runtime.model.Llama;
import java.io.PrintWriter;
import java.util.List;
import java.util.function.Consumer;
import picocli.CommandLine.ITypeConverter;
import picocli.CommandLine.Option;
import picocli.CommandLine.TypeConversionException;

/** {@code --engine} and {@code --kv-cache}: what runs the model's forward pass, and how it keeps keys and values. */
final class EngineOptions {
    @Option(names = "--engine", paramLabel = "java|onnx", split = ",", defaultValue = "java", converter = KindConverter.class,
            description = "java: pure Java, every machine (default); onnx: ONNX Runtime. "
                    + "bench takes a comma list (java,onnx) and measures each in turn.")
    List<EngineKind> kinds;

    @Option(names = "--kv-cache", paramLabel = "f16|f32", defaultValue = "f16", converter = PrecisionConverter.class,
            description = "How the java engine keeps keys and values: f16 (default: half the memory, so twice the context) "
                    + "or f32 (every bit the model computed). The onnx engine always keeps f32.")
    KvCache.Precision kvCache;

    /** The one engine a command runs on; a list is only for bench. */
    EngineKind kind() {
        if (kinds.size() != 1) {
            throw new InputException("--engine takes one engine here, got " + kinds.size() + " (a list is for bench)");
        }
        return kinds.getFirst();
    }

    /** The chosen engine, opened on {@code model}; the caller closes it before the model. */
    Engine open(Llama model, PrintWriter err) {
        return open(kind(), model, err);
    }

    /** Engine {@code kind}, opened on {@code model} with these options. */
    Engine open(EngineKind kind, Llama model, PrintWriter err) {
        return kind.open(model, kvCache, progress(err));
    }

    /** An engine's preparation (for onnx: writing and loading its graph) as lines on stderr. */
    static Consumer<String> progress(PrintWriter err) {
        return message -> {
            err.println("engine: " + message);
            err.flush();
        };
    }

    /** The chosen engines in the order given, each once. */
    List<EngineKind> kinds() {
        return kinds.stream().distinct().toList();
    }

    static final class PrecisionConverter implements ITypeConverter<KvCache.Precision> {
        @Override
        public KvCache.Precision convert(String value) {
            for (KvCache.Precision precision : KvCache.Precision.values()) {
                if (precision.id().equalsIgnoreCase(value)) {
                    return precision;
                }
            }
            throw new TypeConversionException("unknown KV cache precision '" + value + "': choose f16 or f32");
        }
    }

    static final class KindConverter implements ITypeConverter<EngineKind> {
        @Override
        public EngineKind convert(String value) {
            try {
                return EngineKind.parse(value);
            } catch (IllegalArgumentException e) {
                throw new TypeConversionException(e.getMessage());
            }
        }
    }
}
