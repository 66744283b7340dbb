package dev.dossier.runtime.onnx;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.engine.Engine;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.Session;

/** Runs the model through ONNX Runtime (via DJL). Work in progress: not usable yet. */
public final class OnnxEngine implements Engine {
    private final Llama model;

    public OnnxEngine(Llama model) {
        this.model = model;
    }

    @Override
    public String name() {
        return "onnx";
    }

    @Override
    public Llama model() {
        return model;
    }

    @Override
    public Session newSession(AttentionConfig attention, int capacity) {
        throw new UnsupportedOperationException("the onnx engine is not built yet");
    }

    @Override
    public void close() {
    }
}
