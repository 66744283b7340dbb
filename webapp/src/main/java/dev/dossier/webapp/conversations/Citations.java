package dev.dossier.webapp.conversations;

import dev.dossier.persistence.conversations.Citation;
import dev.dossier.persistence.documents.DocumentView;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the citations in an answer: {@code [file, location] "quoted words"}, the form the
 * system prompt asks for. They are stored unchecked; verification against the text comes later.
 */
public final class Citations {
    private static final Pattern CITATION = Pattern.compile("\\[([^\\[\\],\\n]+),\\s*([^\\]\\n]+)\\]\\s*[\"“]([^\"”\\n]+)[\"”]");

    private Citations() {
    }

    public static List<Citation> find(String answer, List<DocumentView> documents) {
        List<Citation> citations = new ArrayList<>();
        Matcher matcher = CITATION.matcher(answer);
        while (matcher.find()) {
            String path = matcher.group(1).strip();
            Optional<DocumentView> document = documents.stream().filter(d -> d.path().equals(path)).findFirst();
            citations.add(new Citation(document.map(DocumentView::id).orElse(null), path, matcher.group(2).strip(),
                    matcher.group(3), Citation.Status.UNCHECKED));
        }
        return citations;
    }
}
