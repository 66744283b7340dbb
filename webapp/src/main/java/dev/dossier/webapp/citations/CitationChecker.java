package dev.dossier.webapp.citations;

import dev.dossier.persistence.conversations.Citation;
import dev.dossier.persistence.documents.Anchor;
import dev.dossier.webapp.ingest.AnchorLabels;
import java.util.List;
import java.util.Optional;
import java.util.regex.Pattern;

/**
 * Checks a quoted span against a document's stored text: a whitespace-normalised match inside
 * the cited location is {@link Citation.Status#VERIFIED}; a match anywhere else in the document
 * is {@link Citation.Status#FOUND_ELSEWHERE}; no match (or no document) is
 * {@link Citation.Status#NOT_FOUND}. The match is located as a char range of the original text.
 */
public final class CitationChecker {

    /** Anchor markers of the prompt ({@code 12| }, {@code [p. 3]}, {@code [¶ 7]}) a model may copy into a quote. */
    private static final Pattern PROMPT_MARKERS = Pattern.compile("(?m)(^|(?<=\\s))\\d+\\| |\\[(p\\.|¶) \\d+\\]\\s*");

    /** What checking found: the status, and where the quote is ({@code start < 0} when nowhere). */
    public record Result(Citation.Status status, int start, int end, String foundAt) {
        static final Result NOT_FOUND = new Result(Citation.Status.NOT_FOUND, -1, -1, null);

        public Citation apply(Citation citation) {
            return new Citation(citation.documentId(), citation.path(), citation.anchorLabel(), citation.quote(), status,
                    start < 0 ? null : start, start < 0 ? null : end, foundAt);
        }
    }

    private CitationChecker() {
    }

    /**
     * @param quote the quoted words
     * @param label the location as cited, e.g. "p. 2" (may be null or unparseable: then the quote can at best be found elsewhere)
     * @param text the document's stored text
     * @param anchors the document's anchors into {@code text}
     */
    public static Result check(String quote, String label, String text, List<Anchor> anchors) {
        if (quote == null || text == null) {
            return Result.NOT_FOUND;
        }
        Normalised needle = Normalised.of(PROMPT_MARKERS.matcher(quote).replaceAll(" "));
        if (needle.text().isBlank()) {
            return Result.NOT_FOUND;
        }
        Normalised haystack = Normalised.of(text);
        Optional<int[]> cited = CitedLocation.parse(label).flatMap(location -> location.span(anchors).or(() ->
                anchors.stream().anyMatch(a -> a.kind() == location.kind()) ? Optional.empty() : location.lineSpan(text)));

        int firstMatch = -1;
        for (int at = haystack.text().indexOf(needle.text()); at >= 0; at = haystack.text().indexOf(needle.text(), at + 1)) {
            int start = haystack.original(at);
            int end = haystack.originalEnd(at + needle.text().length());
            if (cited.isPresent() && start < cited.get()[1] && cited.get()[0] < end) {
                return new Result(Citation.Status.VERIFIED, start, end, AnchorLabels.label(anchors, start, end)
                        .orElseGet(() -> lineLabel(text, start, end)));
            }
            if (firstMatch < 0) {
                firstMatch = at;
            }
        }
        if (firstMatch < 0) {
            return Result.NOT_FOUND;
        }
        int start = haystack.original(firstMatch);
        int end = haystack.originalEnd(firstMatch + needle.text().length());
        return new Result(Citation.Status.FOUND_ELSEWHERE, start, end, AnchorLabels.label(anchors, start, end)
                .orElseGet(() -> lineLabel(text, start, end)));
    }

    /** "line 4" or "lines 4-5" counted in a text without anchors. */
    private static String lineLabel(String text, int start, int end) {
        int first = 1 + (int) text.substring(0, start).chars().filter(c -> c == '\n').count();
        int last = first + (int) text.substring(start, Math.max(start, end - 1)).chars().filter(c -> c == '\n').count();
        return AnchorLabels.label(Anchor.Kind.LINE, first, last);
    }

    /**
     * Text with every run of whitespace made one space, typographic quotes, dashes and
     * ellipses made plain, and a map from each of its chars back to the original's offsets.
     */
    record Normalised(String text, int[] offsets, int[] ends) {
        static Normalised of(String original) {
            StringBuilder out = new StringBuilder(original.length());
            int[] offsets = new int[original.length() + 1];
            int[] ends = new int[original.length() + 1];
            boolean pendingSpace = false;
            int pendingAt = 0;
            for (int i = 0; i < original.length(); i++) {
                char c = original.charAt(i);
                if (Character.isWhitespace(c) || Character.isSpaceChar(c)) {
                    if (!pendingSpace) {
                        pendingSpace = true;
                        pendingAt = i;
                    }
                    continue;
                }
                if (pendingSpace && !out.isEmpty()) {
                    offsets[out.length()] = pendingAt;
                    ends[out.length()] = pendingAt + 1;
                    out.append(' ');
                }
                pendingSpace = false;
                offsets[out.length()] = i;
                ends[out.length()] = i + 1;
                out.append(plain(c));
            }
            int length = out.length();
            int trailing = original.length();
            offsets[length] = trailing;
            ends[length] = trailing;
            return new Normalised(out.toString(), offsets, ends);
        }

        /** The original offset of normalised char {@code at}. */
        int original(int at) {
            return offsets[at];
        }

        /** The original end offset (exclusive) of the normalised range ending at {@code end} (exclusive). */
        int originalEnd(int end) {
            return end == 0 ? 0 : ends[end - 1];
        }

        private static char plain(char c) {
            return switch (c) {
                case '“', '”', '„', '″' -> '"';
                case '‘', '’', '‚', '′' -> '\'';
                case '–', '—', '‐', '‑' -> '-';
                default -> c;
            };
        }
    }
}
