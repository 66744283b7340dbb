package dev.dossier.webapp.ingest;

/**
 * The file claims a supported type but cannot be read as one: a broken or password-protected PDF,
 * a damaged DOCX or ZIP, a text file that is not valid UTF-8 (HTTP 422).
 */
public final class CorruptDocumentException extends IngestException {

    public CorruptDocumentException(String path, String reason) {
        this(path, reason, null);
    }

    public CorruptDocumentException(String path, String reason, Throwable cause) {
        super(path, reason, path + ": " + reason, cause);
    }
}
