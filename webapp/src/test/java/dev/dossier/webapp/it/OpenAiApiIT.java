package dev.dossier.webapp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.data.message.UserMessage;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/** The OpenAI-compatible API, used by LangChain4j's own OpenAI client as a real client. */
class OpenAiApiIT {
    private static final String BASE_URL = Api.BASE + "/v1";

    @Test
    void listsTheModel() {
        var models = Api.get("/v1/models").json();
        assertEquals("stories260K", models.get("data").get(0).get("id").asText());
    }

    @Test
    void answersThroughLangChain4jsOpenAiClient() {
        OpenAiChatModel model = OpenAiChatModel.builder().baseUrl(BASE_URL).apiKey("unused").modelName("stories260K")
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
        OpenAiStreamingChatModel model = OpenAiStreamingChatModel.builder().baseUrl(BASE_URL).apiKey("unused")
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
