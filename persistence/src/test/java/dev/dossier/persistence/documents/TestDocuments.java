package dev.dossier.persistence.documents;

import java.nio.charset.StandardCharsets;
import java.util.List;

/** Small valid documents for tests. */
public final class TestDocuments {

    private TestDocuments() {
    }

    /** A plain-text document whose bytes are its text, with one paragraph anchor over all of it. */
    public static NewDocument text(String path, String text) {
        return new NewDocument(path, "text/plain", text.getBytes(StandardCharsets.UTF_8), text,
                List.of(new Anchor(Anchor.Kind.PARAGRAPH, 1, 0, text.length())), text.length() / 4);
    }
}
