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
        if (number < 1) {
            throw new IllegalArgumentException("anchor numbers are 1-based, got " + number);
        }
        if (start < 0 || end <= start) {
            throw new IllegalArgumentException("anchor span must be non-empty, got [" + start + ", " + end + ")");
        }
    }

    /** Whether this anchor shares at least one character with {@code [from, to)}. */
    public boolean overlaps(int from, int to) {
        return start < to && from < end;
    }
}
