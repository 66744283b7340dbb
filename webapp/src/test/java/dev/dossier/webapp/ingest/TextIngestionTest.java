package dev.dossier.webapp.ingest;

import dev.dossier.persistence.documents.Anchor;

import static dev.dossier.webapp.ingest.Fixtures.assertPartition;
import static dev.dossier.webapp.ingest.Fixtures.textOf;
import static java.nio.charset.StandardCharsets.ISO_8859_1;
import static java.nio.charset.StandardCharsets.UTF_8;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.security.MessageDigest;
import java.util.HexFormat;
import java.util.List;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.CsvSource;

class TextIngestionTest {

    private final Ingestion ingestion = new Ingestion();

    private ExtractedDocument single(String fileName, byte[] bytes) {
        IngestResult result = ingestion.extract(fileName, null, bytes);
        assertEquals(List.of(), result.skipped());
        assertEquals(1, result.documents().size());
        return result.documents().getFirst();
    }

    @Test
    void textFileGetsOneLineAnchorPerLine() throws Exception {
        byte[] bytes = "first line\nsecond line\n\nfourth line".getBytes(UTF_8);

        ExtractedDocument document = single("notes.txt", bytes);

        assertEquals("notes.txt", document.path());
        assertEquals("text/plain", document.mediaType());
        assertEquals(bytes.length, document.sizeBytes());
        assertArrayEquals(bytes, document.originalBytes());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes)), document.sha256());
        assertEquals("first line\nsecond line\n\nfourth line", document.text());
        assertPartition(document);
        List<Anchor> anchors = document.anchors();
        assertEquals(4, anchors.size());
        assertEquals(new Anchor(Anchor.Kind.LINE, 1, 0, 11), anchors.get(0));
        assertEquals("second line\n", textOf(document, anchors.get(1)));
        assertEquals("\n", textOf(document, anchors.get(2)));
        assertEquals(new Anchor(Anchor.Kind.LINE, 4, 24, 35), anchors.get(3));
    }

    @Test
    void lineEndingsAreNormalisedBeforeAnchoring() {
        ExtractedDocument document = single("readme.md", "# Title\r\nbody\rlast\r\n".getBytes(UTF_8));

        assertEquals("text/markdown", document.mediaType());
        assertEquals("# Title\nbody\nlast\n", document.text());
        assertPartition(document);
        assertEquals(List.of("# Title\n", "body\n", "last\n"),
                document.anchors().stream().map(anchor -> textOf(document, anchor)).toList());
    }

    @Test
    void utf8ByteOrderMarkIsDropped() {
        byte[] withBom = {(byte) 0xEF, (byte) 0xBB, (byte) 0xBF, 'a', ',', 'b', '\n'};

        ExtractedDocument document = single("table.csv", withBom);

        assertEquals("text/csv", document.mediaType());
        assertEquals("a,b\n", document.text());
        assertEquals(7, document.sizeBytes(), "the size is of the bytes as uploaded");
    }

    @Test
    void nonAsciiUtf8IsKept() {
        assertEquals("Größe: 5 €\n", single("prices.rst", "Größe: 5 €\n".getBytes(UTF_8)).text());
    }

    @Test
    void latin1TextThatIsNotUtf8IsReadAsWindows1252() {
        byte[] latin1 = "café crème\n".getBytes(ISO_8859_1);
        byte[] smartQuotes = {(byte) 0x93, 'h', 'i', (byte) 0x94};

        assertEquals("café crème\n", single("menu.txt", latin1).text());
        assertEquals("\u201Chi\u201D", single("quote.txt", smartQuotes).text());
    }

    @Test
    void invalidUtf8WithControlBytesIsCorrupt() {
        byte[] garbage = {'o', 'k', (byte) 0xC3, 0x28, 0x01, (byte) 0xFF};

        CorruptDocumentException error = assertThrows(CorruptDocumentException.class,
                () -> ingestion.extract("data.txt", null, garbage));

        assertEquals("data.txt: not valid UTF-8 text", error.getMessage());
    }

    @ParameterizedTest
    @CsvSource({
            "Main.java, text/x-java",
            "app.py, text/x-python",
            "index.tsx, text/x-tsx",
            "server.go, text/x-go",
            "lib.rs, text/x-rust",
            "config.yml, text/x-yaml",
            "package.json, application/json",
            "pom.xml, application/xml",
            "build.gradle, text/x-groovy",
            "Dockerfile, text/x-dockerfile",
            "src/Makefile, text/x-makefile",
            "LICENSE, text/plain",
            ".gitignore, text/plain",
            "query.SQL, text/x-sql"})
    void sourceFilesAreLineAnchoredWithTheirMediaType(String fileName, String mediaType) {
        ExtractedDocument document = single(fileName, "line one\nline two\n".getBytes(UTF_8));

        assertEquals(mediaType, document.mediaType());
        assertEquals(2, document.anchors().size());
        assertPartition(document);
    }

    @Test
    void declaredMediaTypeHelpsOnlyWhenNameAndContentSayNothing() {
        assertEquals("text/plain", single("upload", "# hi\n".getBytes(UTF_8)).mediaType());
        IngestResult declared = ingestion.extract("upload", "text/markdown; charset=utf-8", "# hi\n".getBytes(UTF_8));
        assertEquals("text/markdown", declared.documents().getFirst().mediaType());
        IngestResult octetStream = ingestion.extract("notes.txt", "application/octet-stream", "x".getBytes(UTF_8));
        assertEquals("text/plain", octetStream.documents().getFirst().mediaType());
    }

    @Test
    void emptyAndBlankFilesAreUnsupported() {
        UnsupportedDocumentException empty = assertThrows(UnsupportedDocumentException.class,
                () -> ingestion.extract("empty.txt", null, new byte[0]));
        assertEquals("empty.txt: empty file", empty.getMessage());
        assertEquals("empty file", empty.reason());

        assertThrows(UnsupportedDocumentException.class, () -> ingestion.extract("blank.md", null, " \r\n\n".getBytes(UTF_8)));
    }

    @ParameterizedTest
    @CsvSource({"setup.exe", "logo.png", "lib.jar", "unknown.thing"})
    void binaryFilesAreUnsupportedAndTheMessageListsWhatIs(String fileName) {
        byte[] binary = {'M', 'Z', 0, 0, 3, 0, 0, 0, 4, 0};

        UnsupportedDocumentException error = assertThrows(UnsupportedDocumentException.class,
                () -> ingestion.extract(fileName, "application/octet-stream", binary));

        assertEquals("binary file", error.reason());
        assertEquals(fileName, error.path());
        assertTrue(error.getMessage().startsWith(fileName + ": binary file; Dossier reads"), error.getMessage());
        assertTrue(error.getMessage().contains("PDF"), error.getMessage());
    }

    @Test
    void textLargerThanTheLimitIsRefused() {
        Ingestion small = new Ingestion(new Limits(10, 1000, 10_000, 100));

        UploadTooLargeException error = assertThrows(UploadTooLargeException.class,
                () -> small.extract("big.txt", null, "01234567890".getBytes(UTF_8)));

        assertEquals("big.txt: the file is larger than 10 bytes", error.getMessage());
    }
}
