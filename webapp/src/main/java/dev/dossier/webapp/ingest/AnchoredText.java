package dev.dossier.webapp.ingest;

import dev.dossier.persistence.documents.Anchor;

import java.util.ArrayList;
import java.util.List;

/** Extracted text and the anchors that partition it; what each format's extractor produces. */
record AnchoredText(String text, List<Anchor> anchors) {

    AnchoredText {
        anchors = List.copyOf(anchors);
    }

    /** Normalises CRLF and lone CR to LF, so that offsets do not depend on the uploader's platform. */
    static String normaliseLineEndings(String text) {
        return text.replace("\r\n", "\n").replace('\r', '\n');
    }

    /** One LINE anchor per line of already normalised text; each line owns its terminating {@code \n}. */
    static AnchoredText lines(String text) {
        List<Anchor> anchors = new ArrayList<>();
        int lineStart = 0;
        while (lineStart < text.length()) {
            int newline = text.indexOf('\n', lineStart);
            int lineEnd = newline < 0 ? text.length() : newline + 1;
            anchors.add(new Anchor(Anchor.Kind.LINE, anchors.size() + 1, lineStart, lineEnd));
            lineStart = lineEnd;
        }
        return new AnchoredText(text, anchors);
    }

    /** Assembles text from consecutive chunks (pages, paragraphs), one anchor per chunk. */
    static final class Builder {
        private final Anchor.Kind kind;
        private final StringBuilder text = new StringBuilder();
        private final List<Anchor> anchors = new ArrayList<>();

        Builder(Anchor.Kind kind) {
            this.kind = kind;
        }

        Builder append(int number, String chunk) {
            int start = text.length();
            text.append(chunk);
            anchors.add(new Anchor(kind, number, start, text.length()));
            return this;
        }

        boolean isEmpty() {
            return anchors.isEmpty();
        }

        AnchoredText build() {
            return new AnchoredText(text.toString(), anchors);
        }
    }
}
