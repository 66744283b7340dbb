package dev.dossier.persistence.conversations;

import java.util.Objects;
import java.util.UUID;

/**
 * A place in the documents that an answer cites.
 *
 * @param anchorLabel how the answer named the place, e.g. "p. 3" or "lines 10-14"
 * @param quote the quoted text
 * @param status what checking the quote against the document found
 * @param start where the quote was found in the document's text (a char offset), or {@code null}
 * @param end the end of the quote found (exclusive), or {@code null}
 * @param foundAt the label of the place the quote was found (differs from {@code anchorLabel}
 *     when the status is {@link Status#FOUND_ELSEWHERE}), or {@code null}
 */
public record Citation(UUID documentId, String path, String anchorLabel, String quote, Status status,
                       Integer start, Integer end, String foundAt) {

    /** A citation not located in the text (yet). */
    public Citation(UUID documentId, String path, String anchorLabel, String quote, Status status) {
        this(documentId, path, anchorLabel, quote, status, null, null, null);
    }

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
