package dev.dossier.persistence.conversations;

import java.time.Instant;
import java.util.UUID;

/** A conversation without its messages. */
public record ConversationView(UUID id, UUID setId, String title, Instant createdAt) {

    static ConversationView of(Conversation conversation) {
        return new ConversationView(conversation.id(), conversation.setId(), conversation.title(),
                conversation.createdAt());
    }
}
