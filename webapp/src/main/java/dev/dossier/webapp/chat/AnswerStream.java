package dev.dossier.webapp.chat;

import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.chat.response.PartialResponse;
import dev.langchain4j.model.chat.response.PartialResponseContext;
import dev.langchain4j.model.chat.response.StreamingChatResponseHandler;
import dev.langchain4j.model.chat.response.StreamingHandle;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * Hands a LangChain4j streaming answer to the request thread: the model's thread puts events
 * in a queue, the request thread takes them and writes them to the client. If the client goes
 * away, {@link #cancel()} stops the generation.
 */
public final class AnswerStream implements StreamingChatResponseHandler {

    public sealed interface Event permits Text, Complete, Failed {
    }

    public record Text(String text) implements Event {
    }

    public record Complete(ChatResponse response) implements Event {
    }

    public record Failed(Throwable error) implements Event {
    }

    private final BlockingQueue<Event> events = new LinkedBlockingQueue<>();
    private volatile StreamingHandle handle;
    private volatile boolean cancelled;

    @Override
    public void onPartialResponse(PartialResponse partial, PartialResponseContext context) {
        handle = context.streamingHandle();
        if (cancelled) {
            handle.cancel();
            return;
        }
        events.add(new Text(partial.text()));
    }

    @Override
    public void onCompleteResponse(ChatResponse response) {
        events.add(new Complete(response));
    }

    @Override
    public void onError(Throwable error) {
        events.add(new Failed(error));
    }

    /** The next event, waiting for it. */
    public Event next() throws InterruptedException {
        return events.take();
    }

    public void cancel() {
        cancelled = true;
        StreamingHandle current = handle;
        if (current != null) {
            current.cancel();
        }
    }
}
