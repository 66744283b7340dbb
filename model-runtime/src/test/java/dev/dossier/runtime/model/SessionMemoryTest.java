package dev.dossier.runtime.model;

import static org.junit.jupiter.api.Assertions.assertNull;

import dev.dossier.runtime.Fixtures;
import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.attention.KvCache;
import dev.dossier.runtime.generate.Sampler;
import java.lang.ref.WeakReference;
import org.junit.jupiter.api.Test;

/** A session's memory goes with the session. */
class SessionMemoryTest {
    /**
     * The KV cache is off-heap memory freed when the collector finds it unreachable; decoding's
     * per-thread buffers once kept a reference to it after the session was gone (a bench of three
     * 4096-token runs held three caches, 280 MB).
     */
    @Test
    void aDroppedSessionsKvCacheCanBeCollectedAfterDecoding() throws Exception {
        try (Llama model = Llama.load(Fixtures.stories260K())) {
            WeakReference<KvCache> cache = decodeAndDrop(model);
            for (int i = 0; i < 20 && cache.get() != null; i++) {
                System.gc();
                Thread.sleep(10);
            }
            assertNull(cache.get(), "the session's KV cache is still reachable after the session was dropped");
        }
    }

    private static WeakReference<KvCache> decodeAndDrop(Llama model) {
        JavaSession session = new JavaSession(model, AttentionConfig.dcaDefaults(model.config().contextLength()), 16);
        int token = 1;
        for (int i = 0; i < 4; i++) {
            float[] logits = session.next(token);
            token = Sampler.argmax(logits);
        }
        return new WeakReference<>(session.cache());
    }
}
