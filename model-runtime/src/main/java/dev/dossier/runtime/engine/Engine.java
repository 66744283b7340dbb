package dev.dossier.runtime.engine;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.attention.KvCache;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.Session;

/**
 * What runs a {@link Llama}'s forward pass: the pure-Java engine or ONNX Runtime. Everything
 * above it (generation, prefix caches, the LangChain4j adapter, the webapp) talks to the
 * {@link Session}s it makes and never to the engine's internals.
 */
public interface Engine extends AutoCloseable {
    /** The name it is chosen by: {@code java} or {@code onnx}. */
    String name();

    Llama model();

    /** Where the forward pass runs, for health checks and logs: {@code cpu} or, for example, {@code gpu(0)}. */
    default String device() {
        return "cpu";
    }

    /** How its sessions keep keys and values. */
    KvCache.Precision kvPrecision();

    /** A new, empty session holding up to {@code capacity} tokens. */
    Session newSession(AttentionConfig attention, int capacity);

    /** Releases what the engine holds beside the model (the model stays open: its owner closes it). */
    @Override
    void close();
}
