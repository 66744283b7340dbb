package dev.dossier.webapp.ingest;

import dev.dossier.persistence.documents.Anchor;

import static dev.dossier.webapp.ingest.Fixtures.assertPartition;
import static dev.dossier.webapp.ingest.Fixtures.textOf;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.List;
import java.util.Map;
import java.util.Random;

import org.junit.jupiter.api.Test;

class DocxIngestionTest {

    private final Ingestion ingestion = new Ingestion();

    @Test
    void nonEmptyParagraphsBecomeNumberedParagraphAnchorsInDocumentOrder() {
        byte[] docx = Fixtures.docx(
                List.of("Clause 1. Scope.", "", "Clause 2. Term."),
                List.of(List.of("Party", "Role"), List.of("Acme", "Supplier")),
                List.of("Clause 3. Signatures."));

        ExtractedDocument document = ingestion.extract("agreement.docx", null, docx).documents().getFirst();

        assertEquals("application/vnd.openxmlformats-officedocument.wordprocessingml.document", document.mediaType());
        assertEquals(Ingestion.sha256(docx), document.sha256());
        assertPartition(document);
        List<String> paragraphs = document.anchors().stream().map(anchor -> textOf(document, anchor).strip()).toList();
        assertEquals(List.of("Clause 1. Scope.", "Clause 2. Term.", "Party", "Role", "Acme", "Supplier", "Clause 3. Signatures."),
                paragraphs);
        assertEquals(List.of(1, 2, 3, 4, 5, 6, 7), document.anchors().stream().map(Anchor::number).toList());
        assertTrue(document.anchors().stream().allMatch(anchor -> anchor.kind() == Anchor.Kind.PARAGRAPH));
        assertEquals("Clause 1. Scope.\n\nClause 2. Term.\n\n", document.text().substring(0, 35));
        assertTrue(document.text().endsWith("Clause 3. Signatures.\n"));
    }

    @Test
    void docxIsRecognisedByContentWithoutAnExtension() {
        byte[] docx = Fixtures.docx(List.of("Only paragraph."), List.of(), List.of());

        ExtractedDocument document = ingestion.extract("attachment", null, docx).documents().getFirst();

        assertEquals("Only paragraph.\n", document.text());
        assertEquals(List.of(new Anchor(Anchor.Kind.PARAGRAPH, 1, 0, 16)), document.anchors());
    }

    @Test
    void docxWithoutTextIsUnsupported() {
        byte[] docx = Fixtures.docx(List.of("", " "), List.of(), List.of());

        assertThrows(UnsupportedDocumentException.class, () -> ingestion.extract("blank.docx", null, docx));
    }

    @Test
    void randomBytesNamedDocxAreCorrupt() {
        byte[] random = new byte[2048];
        new Random(7).nextBytes(random);

        CorruptDocumentException error = assertThrows(CorruptDocumentException.class,
                () -> ingestion.extract("x.docx", null, random));

        assertTrue(error.getMessage().startsWith("x.docx: not a readable Word document"), error.getMessage());
    }

    @Test
    void zipWithoutWordPartsNamedDocxIsCorrupt() {
        byte[] notWord = Fixtures.zip(Map.of("hello.txt", "hi".getBytes()));

        assertThrows(CorruptDocumentException.class, () -> ingestion.extract("fake.docx", null, notWord));
    }
}
