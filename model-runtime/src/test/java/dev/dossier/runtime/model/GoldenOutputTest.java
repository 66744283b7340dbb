package dev.dossier.runtime.model;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dossier.runtime.Fixtures;
import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.engine.Engine;
import dev.dossier.runtime.engine.EngineKind;
import org.junit.jupiter.api.Test;

class GoldenOutputTest {

    @Test
    void greedyDecodingFromBosReproducesTheGoldenText() throws Exception {
        try (Llama model = Llama.load(Fixtures.stories260K()); Engine engine = EngineKind.JAVA.open(model)) {
            Session session = engine.newSession(AttentionConfig.dcaDefaults(model.config().contextLength()), 512);
            int[] tokens = new int[257];
            tokens[0] = model.tokenizer().bos();
            float[] logits = session.next(tokens[0]);
            for (int i = 1; i <= 256; i++) {
                tokens[i] = argmax(logits);
                if (i < 256) {
                    logits = session.next(tokens[i]);
                }
            }
            assertEquals(Fixtures.goldenGreedy256(), model.tokenizer().decode(tokens));
        }
    }

    static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
