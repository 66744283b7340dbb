package dev.dossier.webapp.ingest;

/** The upload exceeds a {@link Limits} bound: a file too large, or an archive that expands too far (HTTP 413). */
public final class UploadTooLargeException extends IngestException {

    public UploadTooLargeException(String path, String reason) {
        super(path, reason, path + ": " + reason, null);
    }
}
