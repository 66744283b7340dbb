package dev.dossier.webapp.prompt;

import dev.dossier.persistence.documents.Anchor;
import java.util.List;

/**
 * Renders a whole document set as the system prompt the model reads: instructions, then every
 * document in the set's stable order with a header and anchor markers ({@code [p. 3]},
 * {@code 12| }, {@code [¶ 7]}) it can cite. The same set always renders to the same text, so its
 * tokens, and therefore its prefix cache, are reused by every question.
 */
public final class DocumentPrompt {

    /** One document as the prompt needs it. */
    public record Source(String path, String mediaType, String text, List<Anchor> anchors) {
    }

    public static final String INSTRUCTIONS = """
            You are Dossier, a careful reviewer. The complete document set is below; answer from it alone. \
            Cite each passage you rely on as [file, location] followed by the exact quoted words, \
            for example [contract.pdf, p. 2] "either party may terminate". \
            If the documents do not answer the question, say so.""";

    private DocumentPrompt() {
    }

    public static String render(List<Source> documents) {
        StringBuilder prompt = new StringBuilder(INSTRUCTIONS).append("\n\n");
        int number = 1;
        for (Source document : documents) {
            prompt.append("<document ").append(number).append(": ").append(document.path())
                    .append(" (").append(document.mediaType()).append(")>\n");
            appendWithAnchors(prompt, document);
            if (prompt.charAt(prompt.length() - 1) != '\n') {
                prompt.append('\n');
            }
            prompt.append("</document ").append(number).append(">\n\n");
            number++;
        }
        return prompt.toString();
    }

    /** The anchors partition the text, so marker + span for each anchor reproduces it all. */
    private static void appendWithAnchors(StringBuilder prompt, Source document) {
        String text = document.text();
        if (document.anchors().isEmpty()) {
            prompt.append(text);
            return;
        }
        int written = 0;
        for (Anchor anchor : document.anchors()) {
            if (anchor.start() > written) {
                prompt.append(text, written, anchor.start());
            }
            prompt.append(marker(anchor)).append(text, anchor.start(), anchor.end());
            written = anchor.end();
        }
        prompt.append(text, written, text.length());
    }

    static String marker(Anchor anchor) {
        return switch (anchor.kind()) {
            case PAGE -> "[p. " + anchor.number() + "]\n";
            case PARAGRAPH -> "[¶ " + anchor.number() + "] ";
            case LINE -> anchor.number() + "| ";
        };
    }
}
