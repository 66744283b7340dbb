package dev.dossier.webapp.ingest;

/**
 * Size limits that keep one upload from exhausting memory, including ZIP bombs.
 *
 * @param maxTextFileBytes     largest text or source file, alone or inside an archive
 * @param maxDocumentFileBytes largest PDF or DOCX, alone or inside an archive
 * @param maxArchiveTotalBytes most bytes an archive may expand to, counting every entry, skipped ones too
 * @param maxArchiveEntries    most entries (directories included) an archive may hold
 */
public record Limits(long maxTextFileBytes, long maxDocumentFileBytes, long maxArchiveTotalBytes, int maxArchiveEntries) {

    private static final long MB = 1024 * 1024;

    public static final Limits DEFAULTS = new Limits(5 * MB, 50 * MB, 200 * MB, 20_000);

    public Limits {
        if (maxTextFileBytes <= 0 || maxDocumentFileBytes <= 0 || maxArchiveTotalBytes <= 0 || maxArchiveEntries <= 0) {
            throw new IllegalArgumentException("limits must be positive");
        }
    }

    long maxFileBytes(FileType.Format format) {
        return format == FileType.Format.PDF || format == FileType.Format.DOCX ? maxDocumentFileBytes : maxTextFileBytes;
    }

    /** "5 MB", "12 KB" or "900 bytes", for messages. */
    static String describe(long bytes) {
        if (bytes >= MB && bytes % MB == 0) {
            return bytes / MB + " MB";
        }
        if (bytes >= 1024 && bytes % 1024 == 0) {
            return bytes / 1024 + " KB";
        }
        return bytes + " bytes";
    }
}
