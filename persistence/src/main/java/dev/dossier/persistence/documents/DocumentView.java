package dev.dossier.persistence.documents;

import java.time.Instant;
import java.util.UUID;

/** A document's metadata, without its text or bytes. */
public record DocumentView(
        UUID id,
        UUID setId,
        int position,
        String path,
        String mediaType,
        long sizeBytes,
        String sha256,
        int tokenCount,
        Instant createdAt) {

    /** The same columns, selected straight from the table so that listing never reads text. */
    static final String SELECT = """
            select new dev.dossier.persistence.documents.DocumentView(
                d.id, d.documentSet.id, d.position, d.path, d.mediaType, d.sizeBytes, d.sha256,
                d.tokenCount, d.createdAt)
            from Document d
            """;

    static DocumentView of(Document document) {
        return new DocumentView(document.id(), document.setId(), document.position(), document.path(),
                document.mediaType(), document.sizeBytes(), document.sha256(), document.tokenCount(),
                document.createdAt());
    }
}
