package dev.dossier.webapp.ingest;

import dev.dossier.persistence.documents.Anchor;

import java.util.List;
import java.util.Objects;

/**
 * One document read from an upload: a single uploaded file, or one entry of an uploaded ZIP.
 *
 * @param path          the uploaded file name, or the normalised path inside the archive
 * @param mediaType     the detected type, e.g. {@code application/pdf} or {@code text/x-java}
 * @param sizeBytes     the size of {@code originalBytes}
 * @param sha256        lower-case hex SHA-256 of {@code originalBytes}
 * @param originalBytes the file's bytes as uploaded (not copied: callers must not modify them)
 * @param text          the extracted text, with line endings normalised to {@code \n}
 * @param anchors       the pages, lines or paragraphs that partition {@code text}
 */
public record ExtractedDocument(
        String path,
        String mediaType,
        long sizeBytes,
        String sha256,
        byte[] originalBytes,
        String text,
        List<Anchor> anchors) {

    public ExtractedDocument {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(mediaType, "mediaType");
        Objects.requireNonNull(sha256, "sha256");
        Objects.requireNonNull(originalBytes, "originalBytes");
        Objects.requireNonNull(text, "text");
        anchors = List.copyOf(anchors);
    }

    /** Short form: the default would print the whole text and an array identity. */
    @Override
    public String toString() {
        return "ExtractedDocument[path=" + path + ", mediaType=" + mediaType + ", sizeBytes=" + sizeBytes
                + ", sha256=" + sha256 + ", chars=" + text.length() + ", anchors=" + anchors.size() + "]";
    }
}
