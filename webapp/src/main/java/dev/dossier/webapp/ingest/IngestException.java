package dev.dossier.webapp.ingest;

/**
 * Why an upload could not be ingested. The message is meant for the user as is:
 * it names the file and says what is wrong. Unchecked, so that the webapp can map the
 * subclasses to HTTP statuses in one place.
 */
public abstract sealed class IngestException extends RuntimeException
        permits UnsupportedDocumentException, CorruptDocumentException, UploadTooLargeException {

    private final String path;
    private final String reason;

    protected IngestException(String path, String reason, String message, Throwable cause) {
        super(message, cause);
        this.path = path;
        this.reason = reason;
    }

    /** The file (or archive entry) at fault. */
    public String path() {
        return path;
    }

    /** The problem without the file name, e.g. "empty file"; used as the reason for a skipped archive entry. */
    public String reason() {
        return reason;
    }
}
