package dev.dossier.webapp.ingest;

import java.util.Objects;

/**
 * A citable span of a document's extracted text: a page, a line or a paragraph.
 * Offsets are char indexes into {@link ExtractedDocument#text()}, {@code end} exclusive.
 * A document's anchors partition its text: they are in order, never empty, and every
 * character belongs to exactly one of them.
 *
 * <p>The persistence module has a twin of this record; the webapp maps between them so
 * that ingestion stays free of persistence concerns.
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
