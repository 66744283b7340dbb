package dev.dossier.runtime.engine;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.attention.KvCache;
import dev.dossier.runtime.model.JavaSession;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.Session;

/**
 * The pure-Java engine: runs on every machine, needs nothing beside the model. Its sessions keep
 * the KV cache in {@link JavaSession#DEFAULT_KV_PRECISION} unless told otherwise.
 */
public final class JavaEngine implements Engine {
    private final Llama model;
    private final KvCache.Precision kvPrecision;

    public JavaEngine(Llama model) {
        this(model, JavaSession.DEFAULT_KV_PRECISION);
    }

    public JavaEngine(Llama model, KvCache.Precision kvPrecision) {
        this.model = model;
        this.kvPrecision = kvPrecision;
    }

    @Override
    public String name() {
        return "java";
    }

    @Override
    public Llama model() {
        return model;
    }

    @Override
    public KvCache.Precision kvPrecision() {
        return kvPrecision;
    }

    @Override
    public Session newSession(AttentionConfig attention, int capacity) {
        return new JavaSession(model, attention, capacity, JavaSession.DEFAULT_BLOCK, kvPrecision);
    }

    /** Nothing to release: sessions hold their own memory. */
    @Override
    public void close() {
    }
}
