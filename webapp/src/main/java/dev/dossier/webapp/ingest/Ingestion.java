package dev.dossier.webapp.ingest;

import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HexFormat;
import java.util.List;
import java.util.Objects;

/**
 * Turns one uploaded file into documents whose text carries citable anchors.
 *
 * <ul>
 *   <li>Text and source files: UTF-8 (see {@link TextExtraction} for the fallback), LINE anchors.</li>
 *   <li>PDF: the text layer, PAGE anchors (see {@link PdfExtraction}).</li>
 *   <li>DOCX: body paragraphs, table cells included, PARAGRAPH anchors (see {@link DocxExtraction}).</li>
 *   <li>ZIP: each usable entry becomes a document; the others are reported as skipped (see {@link ArchiveExtraction}).</li>
 * </ul>
 *
 * The type comes from the extension first, then magic bytes, then the declared media type; files of
 * unknown type are read as text unless they hold NUL bytes. Line endings become {@code \n}.
 *
 * <p>Failures: an unsupported, empty or text-less upload raises {@link UnsupportedDocumentException};
 * one that cannot be parsed, {@link CorruptDocumentException}; one over the {@link Limits},
 * {@link UploadTooLargeException}. Inside an archive, the same problems skip the entry instead, and
 * only the archive-wide limits abort the upload. Stateless and thread-safe.
 */
public final class Ingestion {

    static final String BINARY_FILE = "binary file";
    static final String NESTED_ARCHIVE = "nested archive (not extracted)";
    static final String EMPTY_FILE = "empty file";

    private final Limits limits;

    public Ingestion() {
        this(Limits.DEFAULTS);
    }

    public Ingestion(Limits limits) {
        this.limits = Objects.requireNonNull(limits, "limits");
    }

    /**
     * @param fileName          the uploaded file's name; its extension decides the type when known
     * @param declaredMediaType the client's Content-Type, used only when name and content say nothing;
     *                          may be null or {@code application/octet-stream}
     * @param bytes             the file's content
     */
    public IngestResult extract(String fileName, String declaredMediaType, byte[] bytes) {
        Objects.requireNonNull(fileName, "fileName");
        Objects.requireNonNull(bytes, "bytes");
        rejectEmpty(fileName, bytes);
        FileType type = FileTypes.detect(fileName, declaredMediaType, bytes);
        if (type.format() == FileType.Format.ZIP) {
            return new ArchiveExtraction(fileName, limits, this::extractEntry).extract(bytes);
        }
        long maxBytes = limits.maxFileBytes(type.format());
        if (bytes.length > maxBytes) {
            throw new UploadTooLargeException(fileName, "the file is larger than " + Limits.describe(maxBytes));
        }
        return new IngestResult(List.of(extractFile(fileName, type, bytes)), List.of());
    }

    private ExtractedDocument extractEntry(String path, byte[] bytes) {
        return extractFile(path, FileTypes.detect(path, null, bytes), bytes);
    }

    private ExtractedDocument extractFile(String path, FileType type, byte[] bytes) {
        rejectEmpty(path, bytes);
        AnchoredText content = switch (type.format()) {
            case TEXT -> TextExtraction.extract(path, bytes);
            case PDF -> PdfExtraction.extract(path, bytes);
            case DOCX -> DocxExtraction.extract(path, bytes);
            case ZIP -> throw new UnsupportedDocumentException(path, NESTED_ARCHIVE);
            case BINARY -> throw UnsupportedDocumentException.unsupportedType(path, BINARY_FILE);
        };
        return new ExtractedDocument(path, type.mediaType(), bytes.length, sha256(bytes), bytes,
                content.text(), content.anchors());
    }

    private static void rejectEmpty(String path, byte[] bytes) {
        if (bytes.length == 0) {
            throw new UnsupportedDocumentException(path, EMPTY_FILE);
        }
    }

    static String sha256(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException impossible) {
            throw new IllegalStateException("every Java runtime provides SHA-256", impossible);
        }
    }
}
