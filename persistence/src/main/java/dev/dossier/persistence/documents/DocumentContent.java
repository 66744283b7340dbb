package dev.dossier.persistence.documents;

import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.MapsId;
import jakarta.persistence.OneToOne;
import java.util.UUID;
import org.hibernate.annotations.Immutable;

/**
 * A document's original bytes, in a table of their own (sharing the document's id) so that
 * loading a document never loads them; without bytecode enhancement a lazy basic column
 * would still be fetched.
 */
@Entity
@Immutable
public class DocumentContent {

    @Id
    private UUID documentId;

    @MapsId
    @OneToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "document_id")
    private Document document;

    private byte[] originalBytes;

    protected DocumentContent() {
        // for Hibernate
    }

    DocumentContent(Document document, byte[] originalBytes) {
        this.document = document;
        this.originalBytes = originalBytes;
    }
}
