package dev.dossier.webapp.documentsets;

import dev.dossier.webapp.platform.Platform;
import dev.dossier.webapp.prompt.DocumentPrompt;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.UUID;

/** The system prompt of a stored document set: every document, in the set's order. */
@ApplicationScoped
public class SetPrompt {

    @Inject
    Platform platform;

    public String systemPrompt(UUID setId) {
        return DocumentPrompt.render(platform.documentSets().documentsWithText(setId).stream()
                .map(full -> new DocumentPrompt.Source(full.document().path(), full.document().mediaType(), full.text(), full.anchors()))
                .toList());
    }
}
