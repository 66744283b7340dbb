package dev.dossier.runtime.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertInstanceOf;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.runtime.Fixtures;
import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.engine.EngineKind;
import dev.dossier.runtime.engine.LocalModel;
import dev.dossier.runtime.model.ContextOverflowException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.output.FinishReason;
import java.io.IOException;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DossierStreamingChatModelTest {
    private static LocalModel local;

    @BeforeAll
    static void load() throws IOException {
        local = LocalModel.load(Fixtures.stories260K(), EngineKind.JAVA, AttentionConfig.dcaDefaults(512), 1024);
    }

    @AfterAll
    static void close() {
        local.close();
    }

    private static DossierStreamingChatModel.Builder greedy() {
        return DossierStreamingChatModel.builder().localModel(local).temperature(0.0).repetitionPenalty(1.0).maxOutputTokens(60);
    }

    /** Records what a handler hears; {@code cancelAfter} partials, it cancels through the streaming handle. */
    private static final class Recorder implements StreamingChatResponseHandler {
        final List<String> partials = new CopyOnWriteArrayList<>();
        final List<Thread> threads = new CopyOnWriteArrayList<>();
        final CompletableFuture<ChatResponse> done = new CompletableFuture<>();
        final int cancelAfter;
        volatile boolean cancelled;

        Recorder(int cancelAfter) {
            this.cancelAfter = cancelAfter;
        }

        @Override
        public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
            partials.add(partial.text());
            threads.add(Thread.currentThread());
            if (partials.size() == cancelAfter) {
                context.streamingHandle().cancel();
                cancelled = context.streamingHandle().isCancelled();
                done.complete(null);
            }
        }

        @Override
        public void onCompleteResponse(ChatResponse response) {
            done.complete(response);
        }

        @Override
        public void onError(Throwable error) {
            done.completeExceptionally(error);
        }
    }

    @Test
    void partialResponsesAddUpToTheAnswerAndArriveOffTheCallersThread() throws Exception {
        Recorder recorder = new Recorder(-1);
        greedy().build().chat("Tell me a story.", recorder);
        ChatResponse response = recorder.done.get(30, TimeUnit.SECONDS);
        assertTrue(recorder.partials.size() > 1);
        assertEquals(response.aiMessage().text(), String.join("", recorder.partials));
        recorder.threads.forEach(thread -> assertNotEquals(Thread.currentThread(), thread));
        assertEquals(FinishReason.LENGTH, response.finishReason());
        assertEquals(60, response.tokenUsage().outputTokenCount());

        String blocking = DossierChatModel.builder().localModel(local)
                .temperature(0.0).repetitionPenalty(1.0).maxOutputTokens(60).build().chat("Tell me a story.");
        assertEquals(blocking, response.aiMessage().text());
    }

    @Test
    void cancellingStopsFurtherPartialResponses() throws Exception {
        Recorder recorder = new Recorder(3);
        greedy().maxOutputTokens(500).build().chat("Tell me a story.", recorder);
        assertNull(recorder.done.get(30, TimeUnit.SECONDS));
        assertTrue(recorder.cancelled);
        Thread.sleep(300);
        assertEquals(3, recorder.partials.size());

        // The model is free again, and the cancelled thread carries no interrupt into the next answer.
        Recorder next = new Recorder(-1);
        greedy().build().chat(ChatRequest.builder().messages(UserMessage.from("Hi"))
                .parameters(ChatRequestParameters.builder().maxOutputTokens(5).build()).build(), next);
        ChatResponse response = next.done.get(30, TimeUnit.SECONDS);
        assertEquals(FinishReason.LENGTH, response.finishReason());
    }

    @Test
    void aConversationTooLongForTheContextReachesOnError() throws Exception {
        Recorder recorder = new Recorder(-1);
        greedy().maxOutputTokens(5000).build().chat("Tell me a story.", recorder);
        Throwable error = recorder.done.handle((response, e) -> e).get(30, TimeUnit.SECONDS);
        assertNotNull(error);
        ContextOverflowException overflow = assertInstanceOf(ContextOverflowException.class, error);
        assertEquals(1024, overflow.tokensAvailable());
        assertTrue(overflow.getMessage().contains("1024"), overflow.getMessage());
        assertTrue(recorder.partials.isEmpty());
    }
}
