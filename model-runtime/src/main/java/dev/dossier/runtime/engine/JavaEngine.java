package dev.dossier.runtime.engine;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.model.JavaSession;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.Session;

/** The pure-Java engine: runs on every machine, needs nothing beside the model. */
public final class JavaEngine implements Engine {
    private final Llama model;

    public JavaEngine(Llama model) {
        this.model = model;
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
    public Session newSession(AttentionConfig attention, int capacity) {
        return new JavaSession(model, attention, capacity);
    }

    /** Nothing to release: sessions hold their own memory. */
    @Override
    public void close() {
    }
}
