package dev.dossier.persistence.conversations;

import java.util.List;

/** A conversation with all its messages, in sequence. */
public record ConversationWithMessages(ConversationView conversation, List<MessageView> messages) {

    static ConversationWithMessages of(Conversation conversation) {
        return new ConversationWithMessages(ConversationView.of(conversation),
                conversation.messages().stream().map(MessageView::of).toList());
    }
}
