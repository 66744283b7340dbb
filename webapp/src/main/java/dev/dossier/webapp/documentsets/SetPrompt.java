package dev.dossier.webapp.documentsets;

import dev.dossier.persistence.documents.DocumentSets;
import dev.dossier.persistence.documents.DocumentView;
import dev.dossier.persistence.documents.DocumentWithText;
import dev.dossier.webapp.platform.Platform;
import dev.dossier.webapp.prompt.DocumentPrompt;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** The system prompt of a stored document set: every document, in the set's order. */
@ApplicationScoped
public class SetPrompt {

    @Inject
    Platform platform;

    public String systemPrompt(UUID setId) {
        DocumentSets sets = platform.documentSets();
        List<DocumentPrompt.Source> sources = new ArrayList<>();
        for (DocumentView document : sets.documents(setId)) {
            DocumentWithText full = sets.document(setId, document.id()).orElseThrow();
            sources.add(new DocumentPrompt.Source(document.path(), document.mediaType(), full.text(), full.anchors()));
        }
        return DocumentPrompt.render(sources);
    }
}
