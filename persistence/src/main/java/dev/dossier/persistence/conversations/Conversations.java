package dev.dossier.persistence.conversations;

import dev.dossier.persistence.Database;
import dev.dossier.persistence.NotFoundException;
import dev.dossier.persistence.documents.DocumentSet;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Conversations and their messages. Each method is one transaction; lookups return
 * {@link Optional}, operations on a set or conversation that does not exist throw
 * {@link NotFoundException}.
 */
public final class Conversations {

    private final Database database;

    public Conversations(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    /** @throws IllegalArgumentException if the title is blank */
    public ConversationView create(UUID setId, String title) {
        return database.transaction(em -> {
            Conversation conversation = new Conversation(DocumentSet.existing(em, setId, LockModeType.NONE), title);
            em.persist(conversation);
            return ConversationView.of(conversation);
        });
    }

    /** The set's conversations, newest first. */
    public List<ConversationView> list(UUID setId) {
        return database.transaction(em -> {
            DocumentSet.existing(em, setId, LockModeType.NONE);
            return em.createQuery("""
                            select c from Conversation c
                            where c.documentSet.id = :setId
                            order by c.createdAt desc
                            """, Conversation.class)
                    .setParameter("setId", setId)
                    .getResultStream()
                    .map(ConversationView::of)
                    .toList();
        });
    }

    public Optional<ConversationWithMessages> find(UUID setId, UUID conversationId) {
        return database.transaction(em -> em.createQuery("""
                        select c from Conversation c left join fetch c.messages
                        where c.id = :conversationId and c.documentSet.id = :setId
                        """, Conversation.class)
                .setParameter("conversationId", conversationId)
                .setParameter("setId", setId)
                .getResultStream()
                .findFirst()
                .map(ConversationWithMessages::of));
    }

    /**
     * Appends a message after the conversation's last one.
     *
     * @throws IllegalArgumentException if the message has no role or no text
     */
    public MessageView appendMessage(UUID conversationId, NewMessage newMessage) {
        Objects.requireNonNull(newMessage, "newMessage");
        return database.transaction(em -> {
            // Locked so that two messages appended at once get different sequence numbers.
            Conversation conversation = em.find(Conversation.class, conversationId, LockModeType.PESSIMISTIC_WRITE);
            if (conversation == null) {
                throw new NotFoundException("conversation", conversationId);
            }
            int sequence = em.createQuery(
                            "select coalesce(max(m.sequence) + 1, 0) from Message m where m.conversation = :conversation",
                            Integer.class)
                    .setParameter("conversation", conversation)
                    .getSingleResult();
            Message message = new Message(conversation, sequence, newMessage);
            em.persist(message);
            return MessageView.of(message);
        });
    }

    /** Deletes the conversation and its messages. */
    public void delete(UUID setId, UUID conversationId) {
        database.inTransaction(em -> {
            int deleted = em.createQuery("delete from Conversation c where c.id = :conversationId and c.documentSet.id = :setId")
                    .setParameter("conversationId", conversationId)
                    .setParameter("setId", setId)
                    .executeUpdate();
            if (deleted == 0) {
                throw new NotFoundException("conversation", conversationId);
            }
        });
    }
}
