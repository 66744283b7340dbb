package dev.dossier.webapp.citations;

import dev.dossier.persistence.documents.Anchor;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * A location as a model writes it ("p. 2", "pp. 2-3", "page 4", "line 12", "lines 10-14",
 * "L10-L14", "¶ 3", "¶¶ 3-4", "para. 3"), resolved against a document's anchors to a span of its text.
 *
 * @param kind the kind of anchor named
 * @param first the first number named
 * @param last the last number named (equal to {@code first} for a single place)
 */
public record CitedLocation(Anchor.Kind kind, int first, int last) {

    private static final Pattern LOCATION = Pattern.compile(
            "(?<word>pp?\\.?|pages?|pgs?\\.?|lines?|ll?\\.?|¶¶?|paras?\\.?|paragraphs?|§)\\s*"
                    + "(?<first>\\d+)(?:\\s*(?:-|–|—|to|:)\\s*(?:l|line|p\\.?|¶)?\\s*(?<last>\\d+))?",
            Pattern.CASE_INSENSITIVE);

    /** The location a label names, or empty when it names none this checker knows. */
    public static Optional<CitedLocation> parse(String label) {
        if (label == null) {
            return Optional.empty();
        }
        Matcher matcher = LOCATION.matcher(label.strip());
        if (!matcher.find()) {
            return Optional.empty();
        }
        String word = matcher.group("word").toLowerCase(Locale.ROOT);
        Anchor.Kind kind = word.startsWith("l") ? Anchor.Kind.LINE
                : word.startsWith("p") && !word.startsWith("para") ? Anchor.Kind.PAGE
                : Anchor.Kind.PARAGRAPH;
        int first = Integer.parseInt(matcher.group("first"));
        int last = matcher.group("last") == null ? first : Integer.parseInt(matcher.group("last"));
        return Optional.of(new CitedLocation(kind, Math.min(first, last), Math.max(first, last)));
    }

    /**
     * The characters {@code [start, end)} of the anchors of this kind numbered {@code first} to
     * {@code last}; empty when the document has none of them.
     */
    public Optional<int[]> span(List<Anchor> anchors) {
        int start = Integer.MAX_VALUE;
        int end = -1;
        for (Anchor anchor : anchors) {
            if (anchor.kind() == kind && anchor.number() >= first && anchor.number() <= last) {
                start = Math.min(start, anchor.start());
                end = Math.max(end, anchor.end());
            }
        }
        return end < 0 ? Optional.empty() : Optional.of(new int[] {start, end});
    }

    /** For a text without line anchors (plain text, Markdown): lines {@code first} to {@code last} counted in the text. */
    public Optional<int[]> lineSpan(String text) {
        if (kind != Anchor.Kind.LINE) {
            return Optional.empty();
        }
        int line = 1;
        int start = -1;
        for (int i = 0; i <= text.length(); i++) {
            if (line == first && start < 0) {
                start = i;
            }
            if (i == text.length() || text.charAt(i) == '\n') {
                if (line == last) {
                    return start < 0 ? Optional.empty() : Optional.of(new int[] {start, Math.min(text.length(), i + 1)});
                }
                line++;
            }
        }
        return Optional.empty();
    }
}
