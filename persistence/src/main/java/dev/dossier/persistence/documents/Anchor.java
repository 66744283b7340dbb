package dev.dossier.persistence.documents;

import java.util.Objects;

/**
 * A citable place in a document's text: page, line or paragraph {@code number}, spanning the
 * characters {@code [start, end)} of the text.
 */
public record Anchor(Kind kind, int number, int start, int end) {

    public enum Kind { PAGE, LINE, PARAGRAPH }

    public Anchor {
        Objects.requireNonNull(kind, "kind");
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("anchor span [" + start + ", " + end + ") is not a valid range");
        }
    }
}
