package dev.dossier.persistence.conversations;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A stored message.
 *
 * @param sequence 0 for the first message of the conversation, then 1, 2, ...
 * @param stats {@code null} when the message was not generated
 */
public record MessageView(
        UUID id,
        UUID conversationId,
        int sequence,
        Role role,
        String text,
        GenerationStats stats,
        List<Citation> citations,
        Instant createdAt) {

    static MessageView of(Message message) {
        return new MessageView(message.id(), message.conversationId(), message.sequence(), message.role(),
                message.text(), message.stats(), message.citations(), message.createdAt());
    }
}
