package dev.dossier.persistence.documents;

import dev.dossier.persistence.NotFoundException;
import dev.dossier.persistence.Timestamps;
import jakarta.persistence.CascadeType;
import jakarta.persistence.Entity;
import jakarta.persistence.EntityManager;
import jakarta.persistence.Id;
import jakarta.persistence.LockModeType;
import jakarta.persistence.OneToMany;
import jakarta.persistence.OrderBy;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** A named collection of documents, reviewed together. */
@Entity
public class DocumentSet {

    public static final int MAX_NAME_LENGTH = 200;

    @Id
    private UUID id;
    private String name;
    private long contentVersion;
    private Instant createdAt;
    private Instant updatedAt;

    // Never loaded by the repositories (they query); kept so the model says who owns documents.
    @OneToMany(mappedBy = "documentSet", cascade = CascadeType.ALL, orphanRemoval = true)
    @OrderBy("position")
    private List<Document> documents = new ArrayList<>();

    protected DocumentSet() {
        // for Hibernate
    }

    DocumentSet(String name) {
        this.id = UUID.randomUUID();
        this.name = validName(name);
        this.contentVersion = 1;
        this.createdAt = Timestamps.now();
        this.updatedAt = createdAt;
    }

    /**
     * The set, for repositories that work inside one; {@code PESSIMISTIC_WRITE} serialises
     * changes to the set's content.
     *
     * @throws NotFoundException if there is no such set
     */
    public static DocumentSet existing(EntityManager em, UUID setId, LockModeType lock) {
        DocumentSet set = em.find(DocumentSet.class, setId, lock);
        if (set == null) {
            throw new NotFoundException("document set", setId);
        }
        return set;
    }

    public UUID id() {
        return id;
    }

    long contentVersion() {
        return contentVersion;
    }

    void rename(String newName) {
        name = validName(newName);
        updatedAt = Timestamps.now();
    }

    /** Documents were added or removed: whatever was derived from the old content is stale. */
    void contentChanged() {
        contentVersion++;
        updatedAt = Timestamps.now();
    }

    private static String validName(String name) {
        if (name == null || name.isBlank()) {
            throw new IllegalArgumentException("a document set needs a name");
        }
        String stripped = name.strip();
        if (stripped.length() > MAX_NAME_LENGTH) {
            throw new IllegalArgumentException("a document set name has at most " + MAX_NAME_LENGTH
                    + " characters, not " + stripped.length());
        }
        return stripped;
    }
}
