package dev.dossier.webapp.conversations;

import dev.dossier.persistence.conversations.Citation;
import dev.dossier.persistence.conversations.ConversationView;
import dev.dossier.persistence.conversations.GenerationStats;
import dev.dossier.persistence.conversations.MessageView;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The JSON shapes of the conversation API. */
public final class ConversationJson {
    private ConversationJson() {
    }

    public record TitleRequest(String title) {
    }

    /** A question; the optional fields override the model's defaults for this answer only. */
    public record Question(String question, Integer maxTokens, Double temperature) {
    }

    public record Message(UUID id, int sequence, String role, String text, GenerationStats stats, List<Citation> citations, Instant createdAt) {
        static Message of(MessageView view) {
            return new Message(view.id(), view.sequence(), view.role().name().toLowerCase(), view.text(), view.stats(), view.citations(), view.createdAt());
        }
    }

    public record Conversation(UUID id, UUID documentSetId, String title, Instant createdAt, List<Message> messages) {
        static Conversation of(ConversationView view, List<MessageView> messages) {
            return new Conversation(view.id(), view.setId(), view.title(), view.createdAt(), messages.stream().map(Message::of).toList());
        }
    }

    public record Exchange(Message question, Message answer) {
    }
}
