package dev.dossier.webapp.ingest;

import dev.dossier.persistence.documents.Anchor;

import static dev.dossier.webapp.ingest.Fixtures.assertPartition;
import static dev.dossier.webapp.ingest.Fixtures.textOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Arrays;
import java.util.List;
import java.util.Random;

import org.junit.jupiter.api.Test;

class PdfIngestionTest {

    private final Ingestion ingestion = new Ingestion();

    @Test
    void eachPageBecomesAPageAnchor() {
        byte[] pdf = Fixtures.pdf("Page one: the parties.\nSecond line of page one.", "Page two: the term.", "Page three: signatures.");

        IngestResult result = ingestion.extract("contract.pdf", "application/pdf", pdf);

        ExtractedDocument document = result.documents().getFirst();
        assertEquals("application/pdf", document.mediaType());
        assertEquals(Ingestion.sha256(pdf), document.sha256());
        assertPartition(document);
        assertEquals(List.of(1, 2, 3), document.anchors().stream().map(Anchor::number).toList());
        assertTrue(document.anchors().stream().allMatch(anchor -> anchor.kind() == Anchor.Kind.PAGE));
        assertEquals("Page one: the parties.\nSecond line of page one.\n", textOf(document, document.anchors().get(0)));
        assertEquals("Page two: the term.\n", textOf(document, document.anchors().get(1)));
        assertEquals("Page three: signatures.\n", textOf(document, document.anchors().get(2)));
    }

    @Test
    void blankPagesKeepTheRealPageNumbersOfTheOthers() {
        ExtractedDocument document = ingestion.extract("gap.pdf", null, Fixtures.pdf("First.", "", "Third.")).documents().getFirst();

        assertEquals(List.of(1, 3), document.anchors().stream().map(Anchor::number).toList());
        assertEquals("First.\nThird.\n", document.text());
        assertPartition(document);
    }

    @Test
    void pdfIsRecognisedByItsMagicWithoutAnExtension() {
        IngestResult result = ingestion.extract("download", "application/octet-stream", Fixtures.pdf("Hello."));

        assertEquals("application/pdf", result.documents().getFirst().mediaType());
    }

    @Test
    void pdfWithoutTextIsUnsupported() {
        UnsupportedDocumentException error = assertThrows(UnsupportedDocumentException.class,
                () -> ingestion.extract("scan.pdf", null, Fixtures.pdf("", "")));

        assertEquals("scan.pdf: no extractable text (scanned PDF?)", error.getMessage());
    }

    @Test
    void truncatedPdfIsCorrupt() {
        byte[] pdf = Fixtures.pdf("Page one.", "Page two.");
        byte[] truncated = Arrays.copyOf(pdf, 40);

        CorruptDocumentException error = assertThrows(CorruptDocumentException.class,
                () -> ingestion.extract("cut.pdf", null, truncated));

        assertTrue(error.getMessage().startsWith("cut.pdf: not a readable PDF: "), error.getMessage());
    }

    @Test
    void randomBytesNamedPdfAreCorrupt() {
        byte[] random = new byte[2048];
        new Random(42).nextBytes(random);

        CorruptDocumentException error = assertThrows(CorruptDocumentException.class,
                () -> ingestion.extract("x.pdf", null, random));

        assertTrue(error.reason().startsWith("not a readable PDF"), error.getMessage());
    }

    @Test
    void passwordProtectedPdfIsCorruptWithAClearMessage() {
        CorruptDocumentException error = assertThrows(CorruptDocumentException.class,
                () -> ingestion.extract("secret.pdf", null, Fixtures.passwordProtectedPdf("s3cret", "Hidden.")));

        assertEquals("secret.pdf: not a readable PDF: it is protected by a password", error.getMessage());
    }

    @Test
    void pdfLargerThanTheDocumentLimitIsRefused() {
        Ingestion small = new Ingestion(new Limits(1_000_000, 100, 10_000_000, 100));

        assertThrows(UploadTooLargeException.class, () -> small.extract("big.pdf", null, Fixtures.pdf("Hello.")));
    }
}
