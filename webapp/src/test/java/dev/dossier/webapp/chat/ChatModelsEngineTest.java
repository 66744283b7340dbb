package dev.dossier.webapp.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.nio.file.Path;
import java.util.Optional;
import org.junit.jupiter.api.Test;

/** {@code dossier.engine} chooses what runs the local model; a bad value is a clear startup error. */
class ChatModelsEngineTest {
    private static ChatModels local(String engine) {
        ChatModels models = new ChatModels();
        models.provider = "local";
        models.modelPath = Optional.of(Path.of(System.getProperty("dossier.shared", "../../shared"), "models/stories260K.gguf").toString());
        models.engine = engine;
        models.attention = "dca";
        models.chunkSize = Optional.empty();
        models.localWindow = Optional.empty();
        models.context = Optional.of(1024);
        models.start(null);
        return models;
    }

    @Test
    void theJavaEngineServesTheModel() {
        ChatModels models = local("java");
        try {
            assertTrue(models.ready(), models.failure());
            assertEquals("java", models.local().orElseThrow().engine().name());
        } finally {
            models.stop();
        }
    }

    @Test
    void anUnknownEngineNamesTheSettingAndTheChoices() {
        ChatModels models = local("cuda");
        assertFalse(models.ready());
        assertEquals("dossier.engine (environment DOSSIER_ENGINE): unknown engine 'cuda': choose one of java, onnx", models.failure());
    }
}
