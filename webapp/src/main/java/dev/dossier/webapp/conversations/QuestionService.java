package dev.dossier.webapp.conversations;

import dev.dossier.persistence.NotFoundException;
import dev.dossier.persistence.conversations.Citation;
import dev.dossier.persistence.conversations.ConversationWithMessages;
import dev.dossier.persistence.conversations.GenerationStats;
import dev.dossier.persistence.conversations.MessageView;
import dev.dossier.persistence.conversations.NewMessage;
import dev.dossier.persistence.conversations.Role;
import dev.dossier.persistence.documents.DocumentSetView;
import dev.dossier.persistence.documents.DocumentView;
import dev.dossier.runtime.generate.ChatFormat;
import dev.dossier.runtime.langchain4j.DossierChatResponseMetadata;
import dev.dossier.webapp.chat.AnswerStream;
import dev.dossier.webapp.chat.ChatModels;
import dev.dossier.webapp.documentsets.SetPrompt;
import dev.dossier.webapp.platform.Platform;
import dev.dossier.webapp.prefixcache.PrefixCacheService;
import dev.dossier.webapp.problems.ApiException;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import jakarta.ws.rs.core.Response;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * Answers a question with the WHOLE document set in the model's context: no retrieval. The set
 * is the system prompt, the conversation so far follows, then the question. The size is checked
 * against the model's capacity before any work starts; the answer streams through LangChain4j.
 */
@ApplicationScoped
public class QuestionService {

    @Inject
    Platform platform;

    @Inject
    ChatModels models;

    @Inject
    SetPrompt prompts;

    @Inject
    PrefixCacheService prefixCaches;

    @Inject
    @ConfigProperty(name = "dossier.answer.max-tokens", defaultValue = "512")
    int defaultMaxTokens;

    /** Hears the answer as it is written. */
    public interface Listener {
        void onText(String text) throws java.io.IOException;
    }

    /** A question ready to be answered: the request, and what is needed to store the answer. */
    public record Prepared(UUID setId, UUID conversationId, String question, ChatRequest request, List<DocumentView> documents, long startNanos) {
    }

    public Prepared prepare(UUID setId, UUID conversationId, ConversationJson.Question question) {
        long start = System.nanoTime();
        if (question == null || question.question() == null || question.question().isBlank()) {
            throw new ApiException(Response.Status.BAD_REQUEST, "a question needs a non-blank 'question'");
        }
        DocumentSetView set = platform.documentSets().find(setId).orElseThrow(() -> new NotFoundException("document set", setId));
        ConversationWithMessages conversation = platform.conversations().find(setId, conversationId)
                .orElseThrow(() -> new NotFoundException("conversation", conversationId));
        String system = prompts.systemPrompt(setId);
        List<ChatMessage> messages = new ArrayList<>();
        messages.add(SystemMessage.from(system));
        for (MessageView earlier : conversation.messages()) {
            messages.add(earlier.role() == Role.USER ? UserMessage.from(earlier.text()) : AiMessage.from(earlier.text()));
        }
        messages.add(UserMessage.from(question.question().strip()));

        int maxTokens = question.maxTokens() != null ? question.maxTokens() : defaultMaxTokens;
        models.requireFits(messages, maxTokens);
        models.local().ifPresent(local -> prefixCaches.warm(set, ChatFormat.llama2SystemPrefix(local.tokenizer(), system)));

        var parameters = ChatRequestParameters.builder().maxOutputTokens(maxTokens);
        if (question.temperature() != null) {
            parameters.temperature(question.temperature());
        }
        ChatRequest request = ChatRequest.builder().messages(messages).parameters(parameters.build()).build();
        return new Prepared(setId, conversationId, question.question().strip(), request, platform.documentSets().documents(setId), start);
    }

    /**
     * Streams the answer to {@code listener} and stores the question and answer. If the listener
     * fails (the client went away), the generation is cancelled and what was written is kept.
     */
    public ConversationJson.Exchange answer(Prepared prepared, Listener listener) throws InterruptedException {
        long start = prepared.startNanos();
        long firstText = -1;
        StringBuilder text = new StringBuilder();
        AnswerStream stream = new AnswerStream();
        models.streamingChatModel().chat(prepared.request(), stream);
        while (true) {
            switch (stream.next()) {
                case AnswerStream.Text piece -> {
                    if (firstText < 0) {
                        firstText = System.nanoTime() - start;
                    }
                    text.append(piece.text());
                    try {
                        listener.onText(piece.text());
                    } catch (java.io.IOException | RuntimeException clientGone) {
                        stream.cancel();
                        store(prepared, text.toString(), null, "cancelled", firstText, System.nanoTime() - start);
                        throw new ApiException(499, "Client Closed Request", "the client stopped reading the answer", Map.of());
                    }
                }
                case AnswerStream.Complete complete -> {
                    return store(prepared, complete.response().aiMessage().text(), complete.response(), null, firstText, System.nanoTime() - start);
                }
                case AnswerStream.Failed failed -> throw failed.error() instanceof RuntimeException runtime
                        ? runtime : new IllegalStateException(failed.error());
            }
        }
    }

    private ConversationJson.Exchange store(Prepared prepared, String answer, ChatResponse response, String finishReason,
                                            long firstTextNanos, long totalNanos) {
        Integer promptTokens = null;
        Integer completionTokens = null;
        Integer reused = null;
        if (response != null) {
            promptTokens = response.tokenUsage() == null ? null : response.tokenUsage().inputTokenCount();
            completionTokens = response.tokenUsage() == null ? null : response.tokenUsage().outputTokenCount();
            finishReason = response.finishReason() == null ? null : response.finishReason().name().toLowerCase();
            if (response.metadata() instanceof DossierChatResponseMetadata local) {
                reused = local.reusedPromptTokens();
            }
        }
        GenerationStats stats = new GenerationStats(promptTokens, completionTokens, reused, finishReason,
                firstTextNanos < 0 ? null : firstTextNanos / 1_000_000, totalNanos / 1_000_000);
        List<Citation> citations = Citations.findChecked(answer, prepared.documents(),
                id -> platform.documentSets().document(prepared.setId(), id));
        MessageView question = platform.conversations().appendMessage(prepared.conversationId(), NewMessage.user(prepared.question()));
        MessageView stored = platform.conversations().appendMessage(prepared.conversationId(),
                new NewMessage(Role.ASSISTANT, answer, stats, citations));
        return new ConversationJson.Exchange(ConversationJson.Message.of(question), ConversationJson.Message.of(stored));
    }
}
