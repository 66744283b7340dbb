package dev.dossier.persistence.conversations;

import dev.dossier.persistence.Timestamps;
import dev.dossier.persistence.documents.DocumentSet;
import jakarta.persistence.CascadeType;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import jakarta.persistence.OneToMany;
import jakarta.persistence.OrderBy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** A conversation about one document set. */
@Entity
public class Conversation {

    @Id
    private UUID id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "set_id")
    private DocumentSet documentSet;

    private String title;
    private Instant createdAt;

    @OneToMany(mappedBy = "conversation", cascade = CascadeType.ALL, orphanRemoval = true)
    @OrderBy("sequence")
    private List<Message> messages = new ArrayList<>();

    protected Conversation() {
        // for Hibernate
    }

    Conversation(DocumentSet documentSet, String title) {
        if (title == null || title.isBlank()) {
            throw new IllegalArgumentException("a conversation needs a title");
        }
        this.id = UUID.randomUUID();
        this.documentSet = documentSet;
        this.title = title.strip();
        this.createdAt = Timestamps.now();
    }

    UUID id() {
        return id;
    }

    UUID setId() {
        return documentSet.id();
    }

    String title() {
        return title;
    }

    Instant createdAt() {
        return createdAt;
    }

    List<Message> messages() {
        return List.copyOf(messages);
    }
}
