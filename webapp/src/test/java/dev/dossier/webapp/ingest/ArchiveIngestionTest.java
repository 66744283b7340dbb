package dev.dossier.webapp.ingest;

import dev.dossier.persistence.documents.Anchor;

import static dev.dossier.webapp.ingest.Fixtures.assertPartition;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.zip.CRC32;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.junit.jupiter.api.Test;

class ArchiveIngestionTest {

    private static final Limits SMALL = new Limits(1024, 1024 * 1024, 4 * 1024 * 1024, 100);
    private static final byte[] PNG = {(byte) 0x89, 'P', 'N', 'G', '\r', '\n', 0x1A, '\n', 0, 0, 0, 13, 'I', 'H', 'D', 'R'};

    private final Ingestion ingestion = new Ingestion(SMALL);

    @Test
    void codebaseEntriesBecomeDocumentsAndEverythingElseIsReportedAsSkipped() {
        byte[] mainJava = "package demo;\n\nclass Main {}\n".getBytes(UTF_8);
        byte[] specPdf = Fixtures.pdf("Spec page one.", "Spec page two.");
        byte[] brokenPdf = new byte[300];
        new Random(1).nextBytes(brokenPdf);
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("project/", new byte[0]);
        entries.put("project/src/Main.java", mainJava);
        entries.put("project/README.md", "# Demo\r\nA demo.\r\n".getBytes(UTF_8));
        entries.put("project//docs/./notes.txt", "notes\n".getBytes(UTF_8));
        entries.put("project/docs/spec.pdf", specPdf);
        entries.put("project/docs/terms.docx", Fixtures.docx(List.of("Term one.", "Term two."), List.of(), List.of()));
        entries.put("project/node_modules/left-pad/index.js", "module.exports = 1;\n".getBytes(UTF_8));
        entries.put("project/.git/config", "[core]\n".getBytes(UTF_8));
        entries.put("project/build/out.txt", "generated\n".getBytes(UTF_8));
        entries.put("project/logo.png", PNG);
        entries.put("project/assets/blob.raw", new byte[] {1, 2, 0, 3});
        entries.put("project/libs.zip", Fixtures.zip(Map.of("a.txt", "a".getBytes(UTF_8))));
        entries.put("project/empty.txt", new byte[0]);
        entries.put("project/broken.pdf", brokenPdf);
        entries.put("project/big.log", "x".repeat(2000).getBytes(UTF_8));
        entries.put("../evil.txt", "escape\n".getBytes(UTF_8));
        entries.put("/etc/passwd", "root\n".getBytes(UTF_8));

        IngestResult result = ingestion.extract("project.zip", "application/zip", Fixtures.zip(entries));

        assertEquals(List.of("project/src/Main.java", "project/README.md", "project/docs/notes.txt",
                        "project/docs/spec.pdf", "project/docs/terms.docx"),
                result.documents().stream().map(ExtractedDocument::path).toList());
        assertEquals(List.of("text/x-java", "text/markdown", "text/plain", "application/pdf",
                        "application/vnd.openxmlformats-officedocument.wordprocessingml.document"),
                result.documents().stream().map(ExtractedDocument::mediaType).toList());
        result.documents().forEach(Fixtures::assertPartition);

        ExtractedDocument main = result.documents().get(0);
        assertArrayEquals(mainJava, main.originalBytes());
        assertEquals(mainJava.length, main.sizeBytes());
        assertEquals(Ingestion.sha256(mainJava), main.sha256());
        assertEquals(3, main.anchors().size());
        assertEquals("# Demo\nA demo.\n", result.documents().get(1).text());
        ExtractedDocument spec = result.documents().get(3);
        assertEquals(Ingestion.sha256(specPdf), spec.sha256());
        assertEquals(List.of(Anchor.Kind.PAGE, Anchor.Kind.PAGE), spec.anchors().stream().map(Anchor::kind).toList());
        assertEquals(Optional.of("pp. 1-2"), AnchorLabels.label(spec.anchors(), 0, spec.text().length()));
        assertEquals(Anchor.Kind.PARAGRAPH, result.documents().get(4).anchors().getFirst().kind());

        List<SkippedFile> skipped = result.skipped();
        assertEquals(List.of(
                        new SkippedFile("project/node_modules/left-pad/index.js", "vendored folder node_modules/"),
                        new SkippedFile("project/.git/config", "vendored folder .git/"),
                        new SkippedFile("project/build/out.txt", "vendored folder build/"),
                        new SkippedFile("project/logo.png", "binary file"),
                        new SkippedFile("project/assets/blob.raw", "binary file"),
                        new SkippedFile("project/libs.zip", "nested archive (not extracted)"),
                        new SkippedFile("project/empty.txt", "empty file")),
                skipped.subList(0, 7));
        assertEquals("project/broken.pdf", skipped.get(7).path());
        assertTrue(skipped.get(7).reason().startsWith("not a readable PDF"), skipped.get(7).reason());
        assertEquals(List.of(
                        new SkippedFile("project/big.log", "too large (over 1 KB)"),
                        new SkippedFile("../evil.txt", "unsafe path"),
                        new SkippedFile("/etc/passwd", "unsafe path")),
                skipped.subList(8, skipped.size()));
    }

    @Test
    void archiveIsRecognisedByItsMagicWithoutAnExtension() {
        byte[] zip = Fixtures.zip(Map.of("a.py", "print(1)\n".getBytes(UTF_8)));

        IngestResult result = ingestion.extract("upload", "application/octet-stream", zip);

        assertEquals("a.py", result.documents().getFirst().path());
        assertPartition(result.documents().getFirst());
    }

    @Test
    void safePathNormalisesSeparatorsAndRejectsEscapes() {
        assertEquals(Optional.of("src/main/App.java"), ArchiveExtraction.safePath("src\\main\\App.java"));
        assertEquals(Optional.of("a/b.txt"), ArchiveExtraction.safePath("./a//b.txt"));
        assertEquals(Optional.empty(), ArchiveExtraction.safePath("a/../../b.txt"));
        assertEquals(Optional.empty(), ArchiveExtraction.safePath("C:\\Windows\\win.ini"));
        assertEquals(Optional.empty(), ArchiveExtraction.safePath("/abs.txt"));
    }

    @Test
    void archiveWithNothingUsableIsUnsupported() {
        byte[] zip = Fixtures.zip(Map.of("node_modules/x.js", "x\n".getBytes(UTF_8), "logo.png", PNG));

        UnsupportedDocumentException error = assertThrows(UnsupportedDocumentException.class,
                () -> ingestion.extract("deps.zip", null, zip));

        assertEquals("deps.zip: the archive holds no supported files", error.getMessage());
    }

    @Test
    void randomOrTruncatedBytesNamedZipAreCorrupt() {
        byte[] random = new byte[512];
        new Random(3).nextBytes(random);
        byte[] valid = Fixtures.zip(Map.of("a.txt", "a".repeat(500).getBytes(UTF_8), "b.txt", "b\n".getBytes(UTF_8)));
        byte[] truncated = Arrays.copyOf(valid, 40);

        assertThrows(CorruptDocumentException.class, () -> ingestion.extract("x.zip", null, random));
        CorruptDocumentException error = assertThrows(CorruptDocumentException.class,
                () -> ingestion.extract("cut.zip", null, truncated));
        assertTrue(error.getMessage().startsWith("cut.zip: not a readable ZIP archive"), error.getMessage());
    }

    @Test
    void tooManyEntriesAreRefused() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        for (int i = 0; i < 6; i++) {
            entries.put("f" + i + ".txt", "x\n".getBytes(UTF_8));
        }
        Ingestion fiveEntries = new Ingestion(new Limits(1024, 1024, 1024 * 1024, 5));

        UploadTooLargeException error = assertThrows(UploadTooLargeException.class,
                () -> fiveEntries.extract("many.zip", null, Fixtures.zip(entries)));

        assertEquals("many.zip: the archive holds more than 5 entries", error.getMessage());
    }

    @Test
    void highlyCompressedEntriesAreCountedAsTheyExpand() {
        // 300 KB of zeros deflates to a few hundred bytes: a small ZIP bomb
        byte[] bomb = Fixtures.zip(Map.of("zeros.txt", new byte[300 * 1024]));
        Ingestion limited = new Ingestion(new Limits(1024, 1024, 100 * 1024, 100));

        UploadTooLargeException error = assertThrows(UploadTooLargeException.class,
                () -> limited.extract("bomb.zip", null, bomb));

        assertTrue(bomb.length < 2048, "the fixture is small: " + bomb.length);
        assertEquals("bomb.zip: the archive expands to more than 100 KB", error.getMessage());
    }

    @Test
    void skippedEntriesCountTowardsTheExpansionLimit() {
        Map<String, byte[]> entries = new LinkedHashMap<>();
        entries.put("README.md", "# ok\n".getBytes(UTF_8));
        for (int i = 0; i < 10; i++) {
            entries.put("node_modules/pkg" + i + "/blob.js", new byte[20 * 1024]);
        }
        Ingestion limited = new Ingestion(new Limits(1024, 1024, 100 * 1024, 100));

        assertThrows(UploadTooLargeException.class, () -> limited.extract("deps.zip", null, Fixtures.zip(entries)));
    }

    @Test
    void entryDeclaringMoreThanTheArchiveMayExpandToIsRefused() throws IOException {
        byte[] data = new byte[20 * 1024];
        CRC32 crc = new CRC32();
        crc.update(data);
        ZipEntry stored = new ZipEntry("huge.txt");
        stored.setMethod(ZipEntry.STORED);
        stored.setSize(data.length);
        stored.setCompressedSize(data.length);
        stored.setCrc(crc.getValue());
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            zip.putNextEntry(stored);
            zip.write(data);
            zip.closeEntry();
        }
        Ingestion limited = new Ingestion(new Limits(1024, 1024, 10 * 1024, 100));

        assertThrows(UploadTooLargeException.class, () -> limited.extract("huge.zip", null, out.toByteArray()));
    }
}
