package dev.dossier.runtime.engine;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.Session;

/** The pure-Java engine (temporary: being replaced on the engine branch). */
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
        return new Session(model, attention, capacity);
    }

    @Override
    public void close() {
    }
}
