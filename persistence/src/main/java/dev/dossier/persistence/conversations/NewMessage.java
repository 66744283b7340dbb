package dev.dossier.persistence.conversations;

import java.util.List;

/**
 * A message to append to a conversation.
 *
 * @param stats {@code null} for messages that were not generated
 * @param citations empty when the message cites nothing
 */
public record NewMessage(Role role, String text, GenerationStats stats, List<Citation> citations) {

    public NewMessage {
        citations = citations == null ? List.of() : List.copyOf(citations);
    }

    public static NewMessage user(String text) {
        return new NewMessage(Role.USER, text, null, List.of());
    }
}
