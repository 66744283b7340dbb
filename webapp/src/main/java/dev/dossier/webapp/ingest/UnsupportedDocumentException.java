package dev.dossier.webapp.ingest;

/**
 * The file is well formed but holds nothing Dossier can read: an unsupported type, an empty file,
 * a PDF without a text layer, an archive without a supported file (HTTP 415).
 */
public final class UnsupportedDocumentException extends IngestException {

    static final String SUPPORTED_TYPES = "Dossier reads text files (.txt, .md, .markdown, .csv, .rst), source code,"
            + " PDF, Word (.docx) and ZIP archives of these";

    public UnsupportedDocumentException(String path, String reason) {
        super(path, reason, path + ": " + reason, null);
    }

    private UnsupportedDocumentException(String path, String reason, String message) {
        super(path, reason, message, null);
    }

    /** For a file whose type is not supported at all: the message lists what is. */
    static UnsupportedDocumentException unsupportedType(String path, String reason) {
        return new UnsupportedDocumentException(path, reason, path + ": " + reason + "; " + SUPPORTED_TYPES + ".");
    }
}
