package dev.dossier.webapp.conversations;

import dev.dossier.persistence.conversations.Citation;
import dev.dossier.persistence.documents.DocumentView;
import dev.dossier.persistence.documents.DocumentWithText;
import dev.dossier.webapp.citations.CitationChecker;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Finds the citations in an answer, {@code [file, location] "quoted words"} (the form the system
 * prompt asks for), and checks each quote against the stored text of the document it names.
 */
public final class Citations {
    private static final Pattern CITATION = Pattern.compile("\\[([^\\[\\],\\n]+),\\s*([^\\]\\n]+)\\]\\s*[\"“]([^\"”\\n]+)[\"”]");

    private Citations() {
    }

    /** The citations of an answer, unchecked, with the document each names when it is in the set. */
    public static List<Citation> find(String answer, List<DocumentView> documents) {
        List<Citation> citations = new ArrayList<>();
        Matcher matcher = CITATION.matcher(answer);
        while (matcher.find()) {
            String path = matcher.group(1).strip();
            Optional<DocumentView> document = resolve(path, documents);
            citations.add(new Citation(document.map(DocumentView::id).orElse(null), path, matcher.group(2).strip(),
                    matcher.group(3), Citation.Status.UNCHECKED));
        }
        return citations;
    }

    /** The citations of an answer, each checked against its document's text (loaded once per document). */
    public static List<Citation> findChecked(String answer, List<DocumentView> documents,
                                             Function<UUID, Optional<DocumentWithText>> texts) {
        return check(find(answer, documents), texts);
    }

    /** Checks citations: a citation of no known document is not found. */
    public static List<Citation> check(List<Citation> citations, Function<UUID, Optional<DocumentWithText>> texts) {
        Map<UUID, Optional<DocumentWithText>> loaded = new HashMap<>();
        List<Citation> checked = new ArrayList<>(citations.size());
        for (Citation citation : citations) {
            Optional<DocumentWithText> document = citation.documentId() == null ? Optional.empty()
                    : loaded.computeIfAbsent(citation.documentId(), texts);
            checked.add(document
                    .map(d -> CitationChecker.check(citation.quote(), citation.anchorLabel(), d.text(), d.anchors()).apply(citation))
                    .orElseGet(() -> new Citation(citation.documentId(), citation.path(), citation.anchorLabel(), citation.quote(),
                            Citation.Status.NOT_FOUND)));
        }
        return checked;
    }

    /**
     * The document a model named: its exact path, else the same path ignoring case, else the one
     * document whose file name it is (models often drop the folders of a codebase's paths).
     */
    public static Optional<DocumentView> resolve(String path, List<DocumentView> documents) {
        if (path == null || path.isBlank()) {
            return Optional.empty();
        }
        String wanted = path.strip().replaceFirst("^\\./", "");
        Optional<DocumentView> exact = documents.stream().filter(d -> d.path().equals(wanted)).findFirst();
        if (exact.isPresent()) {
            return exact;
        }
        String lower = wanted.toLowerCase(Locale.ROOT);
        Optional<DocumentView> ignoringCase = documents.stream().filter(d -> d.path().toLowerCase(Locale.ROOT).equals(lower)).findFirst();
        if (ignoringCase.isPresent()) {
            return ignoringCase;
        }
        List<DocumentView> bySuffix = documents.stream()
                .filter(d -> d.path().toLowerCase(Locale.ROOT).endsWith("/" + lower)).toList();
        return bySuffix.size() == 1 ? Optional.of(bySuffix.getFirst()) : Optional.empty();
    }
}
