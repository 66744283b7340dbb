package dev.dossier.webapp.chat;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
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

    /** The LangChain4j model above the engine is the same: the same greedy answer from either engine. */
    @Test
    void theOnnxEngineServesTheSameAnswers() {
        ChatModels java = local("java");
        ChatModels onnx = local("onnx");
        try {
            assertTrue(onnx.ready(), onnx.failure());
            assertEquals("onnx", onnx.local().orElseThrow().engine().name());
            ChatRequest question = ChatRequest.builder().messages(UserMessage.from("Tell me a story about a cat."))
                    .parameters(ChatRequestParameters.builder().temperature(0.0).maxOutputTokens(24).build()).build();
            ChatResponse fromJava = java.chatModel().chat(question);
            ChatResponse fromOnnx = onnx.chatModel().chat(question);
            assertFalse(fromOnnx.aiMessage().text().isBlank());
            assertEquals(fromJava.aiMessage().text(), fromOnnx.aiMessage().text());
            assertEquals(fromJava.tokenUsage(), fromOnnx.tokenUsage());
        } finally {
            java.stop();
            onnx.stop();
        }
    }

    @Test
    void anUnknownEngineNamesTheSettingAndTheChoices() {
        ChatModels models = local("cuda");
        assertFalse(models.ready());
        assertEquals("dossier.engine (environment DOSSIER_ENGINE): unknown engine 'cuda': choose one of java, onnx", models.failure());
    }
}
