package dev.dossier.webapp.ingest;

/** How a file will be read, and the media type recorded for it. */
record FileType(Format format, String mediaType) {

    enum Format { TEXT, PDF, DOCX, ZIP, BINARY }

    static final FileType PDF = new FileType(Format.PDF, "application/pdf");
    static final FileType DOCX =
            new FileType(Format.DOCX, "application/vnd.openxmlformats-officedocument.wordprocessingml.document");
    static final FileType ZIP = new FileType(Format.ZIP, "application/zip");
    static final FileType BINARY = new FileType(Format.BINARY, "application/octet-stream");
    static final FileType PLAIN_TEXT = text("text/plain");

    static FileType text(String mediaType) {
        return new FileType(Format.TEXT, mediaType);
    }
}
