package dev.dossier.persistence.conversations;

import java.util.Objects;
import java.util.UUID;

/**
 * A place in the documents that an answer cites.
 *
 * @param anchorLabel how the answer named the place, e.g. "p. 3" or "lines 10-14"
 * @param quote the quoted text
 * @param status what checking the quote against the document found
 */
public record Citation(UUID documentId, String path, String anchorLabel, String quote, Status status) {

    public enum Status {
        /** The quote is at the cited place. */
        VERIFIED,
        /** The quote is in the documents, but not at the cited place. */
        FOUND_ELSEWHERE,
        NOT_FOUND,
        UNCHECKED
    }

    public Citation {
        Objects.requireNonNull(status, "status");
    }
}
