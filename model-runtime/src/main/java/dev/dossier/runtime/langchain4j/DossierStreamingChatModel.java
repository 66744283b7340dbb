package dev.dossier.runtime.langchain4j;

import dev.dossier.runtime.generate.GenerationResult;
import dev.dossier.runtime.generate.Generator;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import java.util.Objects;
import java.util.concurrent.Executor;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;

/**
 * A LangChain4j {@link StreamingChatModel} answering with a local Llama 2 model. Answers are
 * generated off the caller's thread and streamed as text pieces. Cancel through
 * {@code context.streamingHandle().cancel()} in {@code onPartialResponse(PartialResponse, PartialResponseContext)}
 * (from any thread): generation stops and the handler hears nothing more, neither partial
 * responses nor a complete response.
 */
public class DossierStreamingChatModel extends DossierBaseChatModel implements StreamingChatModel {
    private final Executor executor;

    protected DossierStreamingChatModel(Builder builder) {
        super(builder);
        this.executor = Objects.requireNonNullElseGet(builder.executor, DossierStreamingChatModel::daemonThreads);
    }

    public static Builder builder() {
        return new Builder();
    }

    /** Threads that never keep the JVM alive; idle ones end after a minute. */
    private static ExecutorService daemonThreads() {
        return Executors.newCachedThreadPool(Thread.ofPlatform().name("dossier-streaming-", 0).daemon().factory());
    }

    @Override
    public void doChat(ChatRequest request, StreamingChatResponseHandler handler) {
        Generation generation;
        try {
            generation = toGeneration(request);
        } catch (RuntimeException e) {
            handler.onError(e);
            return;
        }
        executor.execute(() -> stream(generation, handler));
    }

    private void stream(Generation generation, StreamingChatResponseHandler handler) {
        Cancellation cancellation = new Cancellation();
        PartialResponseContext context = new PartialResponseContext(cancellation);
        cancellation.start();
        try {
            GenerationResult result = model.generate(generation.prompt(), generation.parameters(), new Generator.Listener() {
                @Override
                public void onText(String text) {
                    if (!text.isEmpty() && !cancellation.isCancelled()) {
                        handler.onPartialResponse(new PartialResponse(text), context);
                    }
                }
            });
            if (!cancellation.isCancelled()) {
                handler.onCompleteResponse(toChatResponse(result));
            }
        } catch (RuntimeException | Error e) {
            if (!cancellation.isCancelled()) {
                handler.onError(e);
            }
        } finally {
            cancellation.finish();
        }
    }

    /**
     * Cancels by interrupting the generating thread, which ends generation as CANCELLED; only
     * while that thread works for this stream, so a pooled thread never carries the interrupt on.
     */
    private static final class Cancellation implements StreamingHandle {
        private Thread worker;
        private volatile boolean cancelled;

        synchronized void start() {
            worker = Thread.currentThread();
        }

        synchronized void finish() {
            worker = null;
            Thread.interrupted();
        }

        @Override
        public synchronized void cancel() {
            cancelled = true;
            if (worker != null) {
                worker.interrupt();
            }
        }

        @Override
        public boolean isCancelled() {
            return cancelled;
        }
    }

    public static class Builder extends DossierBaseChatModel.Builder<DossierStreamingChatModel, Builder> {
        private Executor executor;

        /** Where answers are generated; by default the model's own daemon threads. */
        public Builder executor(Executor executor) {
            this.executor = executor;
            return this;
        }

        @Override
        public DossierStreamingChatModel build() {
            return new DossierStreamingChatModel(this);
        }
    }
}
