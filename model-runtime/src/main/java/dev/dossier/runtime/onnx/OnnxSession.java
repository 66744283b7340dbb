package dev.dossier.runtime.onnx;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.attention.KvCache;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.Session;

/** A session whose forward pass is an {@link OnnxDecoder} call per block. */
final class OnnxSession extends Session {
    /** Tokens per call: the graph holds a [heads, block, cached] score matrix per DCA part. */
    static final int BLOCK = 64;

    private final OnnxDecoder decoder;

    OnnxSession(Llama model, AttentionConfig attention, int capacity, OnnxDecoder decoder) {
        super(model, attention, capacity, BLOCK, KvCache.Precision.F32);
        this.decoder = decoder;
    }

    @Override
    protected void forwardBlock(int[] tokens, int offset, int n, int logitsFrom, LogitsSink sink) {
        decoder.forward(tokens, offset, n, position(), logitsFrom, cache(), sink);
    }
}
