package dev.dossier.persistence.documents;

import java.util.List;

/**
 * A document to add to a set. Checked when it is stored, so that one invalid document fails
 * its whole upload. Size and SHA-256 are computed from {@code originalBytes}, which are not
 * copied.
 *
 * @param path file name, or the path inside an uploaded zip
 * @param text extracted text; anchors' offsets point into it
 * @param tokenCount the text's length in model tokens
 */
public record NewDocument(
        String path,
        String mediaType,
        byte[] originalBytes,
        String text,
        List<Anchor> anchors,
        int tokenCount) {
}
