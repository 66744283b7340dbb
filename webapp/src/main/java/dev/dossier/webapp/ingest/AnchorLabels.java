package dev.dossier.webapp.ingest;

import dev.dossier.persistence.documents.Anchor;

import java.util.List;
import java.util.Optional;

/**
 * Human labels for spans of a document, for prompts and citations:
 * "p. 3", "pp. 3-4", "line 12", "lines 10-14", "¶ 7", "¶¶ 7-9".
 */
public final class AnchorLabels {

    private AnchorLabels() {
    }

    /**
     * The anchors that share a character with {@code [start, end)}, in order. An empty range
     * ({@code start == end}) stands for the position {@code start} and yields the anchor holding it.
     */
    public static List<Anchor> anchorsFor(List<Anchor> anchors, int start, int end) {
        if (start < 0 || end < start) {
            throw new IllegalArgumentException("not a range: [" + start + ", " + end + ")");
        }
        int coveredEnd = Math.max(end, start + 1);
        return anchors.stream().filter(anchor -> anchor.overlaps(start, coveredEnd)).toList();
    }

    /** The label of the anchors covering {@code [start, end)}; empty when the range lies outside the text. */
    public static Optional<String> label(List<Anchor> anchors, int start, int end) {
        List<Anchor> covering = anchorsFor(anchors, start, end);
        if (covering.isEmpty()) {
            return Optional.empty();
        }
        Anchor first = covering.getFirst();
        return Optional.of(label(first.kind(), first.number(), covering.getLast().number()));
    }

    /** The label for anchors numbered {@code first} to {@code last} (inclusive) of one kind. */
    public static String label(Anchor.Kind kind, int first, int last) {
        boolean single = first == last;
        String prefix = switch (kind) {
            case PAGE -> single ? "p." : "pp.";
            case LINE -> single ? "line" : "lines";
            case PARAGRAPH -> single ? "¶" : "¶¶";
        };
        return single ? prefix + " " + first : prefix + " " + first + "-" + last;
    }
}
