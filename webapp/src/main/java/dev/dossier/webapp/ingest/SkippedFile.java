package dev.dossier.webapp.ingest;

import java.util.Objects;

/**
 * A file of an uploaded archive that was not turned into a document, and why
 * (e.g. "binary file", "vendored folder node_modules/", "empty file", "too large (over 5 MB)").
 *
 * @param path the entry's path as it appears in the archive
 */
public record SkippedFile(String path, String reason) {

    public SkippedFile {
        Objects.requireNonNull(path, "path");
        Objects.requireNonNull(reason, "reason");
    }
}
