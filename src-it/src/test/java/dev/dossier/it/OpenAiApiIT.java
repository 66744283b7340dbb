package dev.dossier.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import java.net.URL;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** The server's health and its OpenAI-compatible API, used through LangChain4j's own OpenAI client. */
@ExtendWith(EngineCondition.class)
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class OpenAiApiIT {

    @Deployment(testable = false)
    static WebArchive dossier() {
        return Deployments.dossier();
    }

    @ArquillianResource
    URL url;

    private Api api;

    @BeforeEach
    void client() {
        api = new Api(url);
    }

    @Test
    void isReadyOnTheSelectedEngine() {
        Api.Reply health = api.get("/health");
        assertEquals(200, health.status(), health.body());
        JsonNode model = Api.elements(health.json().get("checks")).filter(c -> c.get("name").asText().equals("model")).findFirst().orElseThrow();
        assertEquals("UP", model.get("status").asText());
        assertEquals("stories260K", model.get("data").get("model").asText());
        assertEquals(8192, model.get("data").get("capacity_tokens").asInt(), "the test server's dossier.context");
        // The pure-Java engine is the only one the server has so far and does not name itself; the
        // accelerated one (dossier.engine=onnx) must say that it is the one answering.
        String engine = model.get("data").path("engine").asText("java");
        assertEquals(EngineCondition.selected(), engine, "the engine serving the model: " + model);
        // The Java engine keeps keys and values as halves; the onnx graph reads floats.
        assertEquals(engine.equals("onnx") ? "f32" : "f16", model.get("data").path("kv_cache").asText(), model.toString());
    }

    @Test
    void listsTheModel() {
        JsonNode models = api.get("/v1/models").json();
        assertEquals("stories260K", models.get("data").get(0).get("id").asText());
    }

    @Test
    void answersThroughLangChain4jsOpenAiClient() {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(api.base() + "/v1").apiKey("unused").modelName("stories260K")
                .temperature(0.0).maxTokens(10).build();
        ChatResponse response = model.chat(ChatRequest.builder().messages(UserMessage.from("Tell me a story about a cat.")).build());
        assertFalse(response.aiMessage().text().isBlank());
        assertEquals(10, response.tokenUsage().outputTokenCount());
        assertEquals(FinishReason.LENGTH, response.finishReason());
        // Greedy decoding: the same question gives the same answer.
        assertEquals(response.aiMessage().text(),
                model.chat(ChatRequest.builder().messages(UserMessage.from("Tell me a story about a cat.")).build()).aiMessage().text());
    }

    @Test
    void streamsThroughLangChain4jsOpenAiClient() throws Exception {
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(api.base() + "/v1").apiKey("unused")
                .modelName("stories260K").temperature(0.0).maxTokens(10).build();
        StringBuilder partials = new StringBuilder();
        CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        model.chat("Tell me a story about a cat.", new StreamingChatResponseHandler() {
            @Override
            public void onPartialResponse(String text) {
                partials.append(text);
            }

            @Override
            public void onCompleteResponse(ChatResponse response) {
                done.complete(response);
            }

            @Override
            public void onError(Throwable error) {
                done.completeExceptionally(error);
            }
        });
        ChatResponse response = done.get(2, TimeUnit.MINUTES);
        assertEquals(response.aiMessage().text(), partials.toString());
        assertTrue(partials.length() > 0);
        assertEquals(FinishReason.LENGTH, response.finishReason());
    }
}
