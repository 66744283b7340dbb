package dev.dossier.webapp.ingest;

import java.io.ByteArrayInputStream;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.function.BiFunction;
import java.util.zip.ZipEntry;
import java.util.zip.ZipInputStream;

/**
 * Reads one uploaded ZIP (typically a codebase) into a document per usable entry. Used once per archive:
 * it keeps the running totals that guard against ZIP bombs.
 *
 * <p>Every entry's data is inflated through {@link #readEntry}, skipped entries included, so the
 * expansion limit holds whatever the entries claim about their sizes.
 */
final class ArchiveExtraction {

    /** Dependency and build output folders: large, generated, and not what a reviewer uploads a codebase for. */
    private static final Set<String> VENDORED_FOLDERS = Set.of(
            "node_modules", "vendor", ".git", "target", "build", "dist", ".idea", "__pycache__", ".venv", "venv");

    private final String archivePath;
    private final Limits limits;
    private final BiFunction<String, byte[], ExtractedDocument> entryExtractor;
    private final List<ExtractedDocument> documents = new ArrayList<>();
    private final List<SkippedFile> skipped = new ArrayList<>();
    private final byte[] buffer = new byte[64 * 1024];
    private long expandedBytes;
    private int entryCount;

    /** {@code entryExtractor} turns one entry's path and bytes into a document, or throws an {@link IngestException}. */
    ArchiveExtraction(String archivePath, Limits limits, BiFunction<String, byte[], ExtractedDocument> entryExtractor) {
        this.archivePath = archivePath;
        this.limits = limits;
        this.entryExtractor = entryExtractor;
    }

    IngestResult extract(byte[] bytes) {
        if (!FileTypes.hasZipMagic(bytes)) {
            throw new CorruptDocumentException(archivePath, "not a readable ZIP archive");
        }
        try (ZipInputStream zip = new ZipInputStream(new ByteArrayInputStream(bytes))) {
            for (ZipEntry entry = nextEntry(zip); entry != null; entry = nextEntry(zip)) {
                checkEntryLimits(entry);
                if (!entry.isDirectory()) {
                    extractEntry(zip, entry.getName());
                }
            }
        } catch (IOException unreadable) {
            throw unreadableArchive(unreadable);
        }
        if (documents.isEmpty()) {
            throw new UnsupportedDocumentException(archivePath, "the archive holds no supported files");
        }
        return new IngestResult(documents, skipped);
    }

    private ZipEntry nextEntry(ZipInputStream zip) throws IOException {
        try {
            return zip.getNextEntry();
        } catch (IllegalArgumentException malformedName) {
            // ZipInputStream's way of reporting an entry name that is not valid UTF-8
            throw unreadableArchive(malformedName);
        }
    }

    private CorruptDocumentException unreadableArchive(Exception cause) {
        return new CorruptDocumentException(archivePath, "not a readable ZIP archive: " + cause.getMessage(), cause);
    }

    private void checkEntryLimits(ZipEntry entry) {
        if (++entryCount > limits.maxArchiveEntries()) {
            throw new UploadTooLargeException(archivePath,
                    "the archive holds more than " + limits.maxArchiveEntries() + " entries");
        }
        // sizes in the archive can lie (readEntry counts what is really inflated), but a claim this large is refused at once
        if (entry.getSize() > limits.maxArchiveTotalBytes()) {
            throw expandsTooFar();
        }
    }

    private void extractEntry(ZipInputStream zip, String entryName) throws IOException {
        Optional<String> safePath = safePath(entryName);
        if (safePath.isEmpty()) {
            skip(zip, entryName, "unsafe path");
            return;
        }
        String path = safePath.get();
        Optional<String> vendoredFolder = vendoredFolder(path);
        if (vendoredFolder.isPresent()) {
            skip(zip, path, "vendored folder " + vendoredFolder.get() + "/");
            return;
        }
        FileType.Format namedFormat = FileTypes.byName(path).map(FileType::format).orElse(FileType.Format.TEXT);
        switch (namedFormat) {
            case BINARY -> skip(zip, path, Ingestion.BINARY_FILE);
            case ZIP -> skip(zip, path, Ingestion.NESTED_ARCHIVE);
            default -> {
                long maxBytes = limits.maxFileBytes(namedFormat);
                Optional<byte[]> content = readEntry(zip, maxBytes);
                if (content.isEmpty()) {
                    skipped.add(new SkippedFile(path, "too large (over " + Limits.describe(maxBytes) + ")"));
                    return;
                }
                try {
                    documents.add(entryExtractor.apply(path, content.get()));
                } catch (IngestException unusable) {
                    skipped.add(new SkippedFile(path, unusable.reason()));
                }
            }
        }
    }

    private void skip(ZipInputStream zip, String path, String reason) throws IOException {
        readEntry(zip, 0);
        skipped.add(new SkippedFile(path, reason));
    }

    /**
     * Inflates the current entry to its end, counting every byte against the archive's limit.
     * Returns its content, or empty when it is larger than {@code keepAtMost}.
     */
    private Optional<byte[]> readEntry(ZipInputStream zip, long keepAtMost) throws IOException {
        ByteArrayOutputStream content = new ByteArrayOutputStream();
        boolean tooLarge = false;
        for (int read = zip.read(buffer); read >= 0; read = zip.read(buffer)) {
            expandedBytes += read;
            if (expandedBytes > limits.maxArchiveTotalBytes()) {
                throw expandsTooFar();
            }
            tooLarge = tooLarge || content.size() + read > keepAtMost;
            if (!tooLarge) {
                content.write(buffer, 0, read);
            }
        }
        return tooLarge ? Optional.empty() : Optional.of(content.toByteArray());
    }

    private UploadTooLargeException expandsTooFar() {
        return new UploadTooLargeException(archivePath,
                "the archive expands to more than " + Limits.describe(limits.maxArchiveTotalBytes()));
    }

    /**
     * The entry's path with backslashes turned into slashes and "." and empty segments dropped;
     * empty for absolute paths and any ".." segment, which could escape the archive when stored or shown.
     */
    static Optional<String> safePath(String entryName) {
        String path = entryName.replace('\\', '/');
        boolean absolute = path.startsWith("/") || path.matches("[A-Za-z]:.*");
        List<String> segments = Arrays.stream(path.split("/"))
                .filter(segment -> !segment.isEmpty() && !segment.equals("."))
                .toList();
        if (absolute || segments.isEmpty() || segments.contains("..")) {
            return Optional.empty();
        }
        return Optional.of(String.join("/", segments));
    }

    /** The first folder on the path (the file name itself excluded) that holds vendored or generated files. */
    private static Optional<String> vendoredFolder(String path) {
        List<String> folders = Arrays.asList(path.split("/"));
        return folders.subList(0, folders.size() - 1).stream().filter(VENDORED_FOLDERS::contains).findFirst();
    }
}
