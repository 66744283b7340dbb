package dev.dossier.persistence.documents;

import java.time.Instant;
import java.util.UUID;

/**
 * A document set as callers see it.
 *
 * @param contentVersion goes up by one on every upload or removal of documents
 * @param totalTokens the sum of the documents' token counts
 */
public record DocumentSetView(
        UUID id,
        String name,
        long contentVersion,
        long documentCount,
        long totalTokens,
        Instant createdAt,
        Instant updatedAt) {
}
