package dev.dossier.persistence.conversations;

import dev.dossier.persistence.Timestamps;
import jakarta.persistence.Embedded;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.ManyToOne;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One message of a conversation; {@code sequence} orders them. */
@Entity
public class Message {

    @Id
    private UUID id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    private Conversation conversation;

    private int sequence;

    @Enumerated(EnumType.STRING)
    private Role role;

    private String text;

    @Embedded
    private GenerationStats stats;

    @JdbcTypeCode(SqlTypes.JSON)
    private List<Citation> citations;

    private Instant createdAt;

    protected Message() {
        // for Hibernate
    }

    Message(Conversation conversation, int sequence, NewMessage newMessage) {
        if (newMessage.role() == null) {
            throw new IllegalArgumentException("a message needs a role");
        }
        if (newMessage.text() == null) {
            throw new IllegalArgumentException("a message needs a text (it may be empty)");
        }
        this.id = UUID.randomUUID();
        this.conversation = conversation;
        this.sequence = sequence;
        this.role = newMessage.role();
        this.text = newMessage.text();
        this.stats = newMessage.stats();
        this.citations = newMessage.citations();
        this.createdAt = Timestamps.now();
    }

    UUID id() {
        return id;
    }

    UUID conversationId() {
        return conversation.id();
    }

    int sequence() {
        return sequence;
    }

    Role role() {
        return role;
    }

    String text() {
        return text;
    }

    GenerationStats stats() {
        return stats;
    }

    List<Citation> citations() {
        return List.copyOf(citations);
    }

    Instant createdAt() {
        return createdAt;
    }
}
