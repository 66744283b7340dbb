package dev.dossier.webapp.citations;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.persistence.conversations.Citation;
import dev.dossier.persistence.conversations.Citation.Status;
import dev.dossier.persistence.documents.Anchor;
import dev.dossier.persistence.documents.DocumentView;
import dev.dossier.persistence.documents.DocumentWithText;
import dev.dossier.webapp.conversations.Citations;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class CitationCheckerTest {

    // Two pages; the same sentence "Fees are due monthly." is on both.
    private static final String PAGE_1 = "Master Services Agreement\nbetween Acme Ltd and Beta GmbH.\nFees are due monthly.\n";
    private static final String PAGE_2 = "Either party may terminate\n  this Agreement   on 30 days' notice.\nFees are due monthly.\n";
    private static final String PDF_TEXT = PAGE_1 + PAGE_2;
    private static final List<Anchor> PAGES = List.of(
            new Anchor(Anchor.Kind.PAGE, 1, 0, PAGE_1.length()),
            new Anchor(Anchor.Kind.PAGE, 2, PAGE_1.length(), PDF_TEXT.length()));

    private static final String CODE = "package demo;\n\nclass Main {\n    void run() {\n        System.exit(1);\n    }\n}\n";

    private static List<Anchor> lines(String text) {
        List<Anchor> anchors = new ArrayList<>();
        int start = 0;
        int number = 1;
        for (int i = 0; i < text.length(); i++) {
            if (text.charAt(i) == '\n') {
                anchors.add(new Anchor(Anchor.Kind.LINE, number++, start, i + 1));
                start = i + 1;
            }
        }
        return anchors;
    }

    @Test
    void quoteAtTheCitedPageIsVerifiedAndLocated() {
        var result = CitationChecker.check("either party may terminate this Agreement".replace("either", "Either"), "p. 2", PDF_TEXT, PAGES);
        assertEquals(Status.VERIFIED, result.status());
        assertEquals(PAGE_1.length(), result.start());
        assertEquals("Either party may terminate\n  this Agreement", PDF_TEXT.substring(result.start(), result.end()));
        assertEquals("p. 2", result.foundAt());
    }

    @Test
    void whitespaceAndTypographicQuotesAreNormalised() {
        var result = CitationChecker.check("  this Agreement on 30 days’ notice. ", "page 2", PDF_TEXT, PAGES);
        assertEquals(Status.VERIFIED, result.status());
        assertEquals("this Agreement   on 30 days' notice.", PDF_TEXT.substring(result.start(), result.end()));
    }

    @Test
    void quoteOnAnotherPageIsFoundElsewhere() {
        var result = CitationChecker.check("between Acme Ltd and Beta GmbH", "p. 2", PDF_TEXT, PAGES);
        assertEquals(Status.FOUND_ELSEWHERE, result.status());
        assertEquals("p. 1", result.foundAt());
        assertEquals("between Acme Ltd and Beta GmbH", PDF_TEXT.substring(result.start(), result.end()));
    }

    @Test
    void aQuoteOnSeveralPagesIsVerifiedWhereCited() {
        var result = CitationChecker.check("Fees are due monthly.", "p. 2", PDF_TEXT, PAGES);
        assertEquals(Status.VERIFIED, result.status());
        assertTrue(result.start() > PAGE_1.length());
    }

    @Test
    void aPageRangeCoversEachOfItsPages() {
        assertEquals(Status.VERIFIED, CitationChecker.check("Acme Ltd", "pp. 1-2", PDF_TEXT, PAGES).status());
        assertEquals(Status.VERIFIED, CitationChecker.check("30 days' notice", "pp. 1-2", PDF_TEXT, PAGES).status());
    }

    @Test
    void missingQuoteIsNotFound() {
        var result = CitationChecker.check("the dragon ate the moon", "p. 1", PDF_TEXT, PAGES);
        assertEquals(Status.NOT_FOUND, result.status());
        assertEquals(-1, result.start());
    }

    @Test
    void unknownOrMissingLocationStillFindsTheQuoteElsewhere() {
        assertEquals(Status.FOUND_ELSEWHERE, CitationChecker.check("Acme Ltd", "appendix", PDF_TEXT, PAGES).status());
        assertEquals(Status.FOUND_ELSEWHERE, CitationChecker.check("Acme Ltd", null, PDF_TEXT, PAGES).status());
        assertEquals(Status.FOUND_ELSEWHERE, CitationChecker.check("Acme Ltd", "p. 9", PDF_TEXT, PAGES).status());
    }

    @Test
    void lineRangesOfCodeAndCopiedLineMarkers() {
        List<Anchor> anchors = lines(CODE);
        assertEquals(Status.VERIFIED, CitationChecker.check("System.exit(1);", "lines 4-6", CODE, anchors).status());
        assertEquals(Status.VERIFIED, CitationChecker.check("System.exit(1);", "L5", CODE, anchors).status());
        assertEquals(Status.FOUND_ELSEWHERE, CitationChecker.check("System.exit(1);", "line 1", CODE, anchors).status());
        // The prompt shows "4|     void run() {" ...: a model may copy the markers.
        var copied = CitationChecker.check("4|     void run() { 5|         System.exit(1);", "lines 4-5", CODE, anchors);
        assertEquals(Status.VERIFIED, copied.status());
        assertEquals("void run() {\n        System.exit(1);", CODE.substring(copied.start(), copied.end()));
    }

    @Test
    void paragraphs() {
        String text = "First paragraph.\nSecond paragraph holds the cap.\n";
        List<Anchor> paragraphs = List.of(new Anchor(Anchor.Kind.PARAGRAPH, 1, 0, 17), new Anchor(Anchor.Kind.PARAGRAPH, 2, 17, text.length()));
        assertEquals(Status.VERIFIED, CitationChecker.check("holds the cap", "¶ 2", text, paragraphs).status());
        assertEquals(Status.VERIFIED, CitationChecker.check("holds the cap", "para. 2", text, paragraphs).status());
        assertEquals(Status.FOUND_ELSEWHERE, CitationChecker.check("holds the cap", "¶ 1", text, paragraphs).status());
    }

    @Test
    void plainTextWithoutAnchorsCountsItsLines() {
        String text = "Title\nFirst clause.\nSecond clause holds the cap.\n";
        var result = CitationChecker.check("holds the cap", "line 3", text, List.of());
        assertEquals(Status.VERIFIED, result.status());
        assertEquals("line 3", result.foundAt());
        var elsewhere = CitationChecker.check("holds the cap", "line 2", text, List.of());
        assertEquals(Status.FOUND_ELSEWHERE, elsewhere.status());
        assertEquals("line 3", elsewhere.foundAt());
    }

    @Test
    void blankQuoteIsNotFound() {
        assertEquals(Status.NOT_FOUND, CitationChecker.check("   ", "p. 1", PDF_TEXT, PAGES).status());
    }

    @Test
    void locationLabels() {
        assertEquals(new CitedLocation(Anchor.Kind.PAGE, 2, 2), CitedLocation.parse("p. 2").orElseThrow());
        assertEquals(new CitedLocation(Anchor.Kind.PAGE, 3, 4), CitedLocation.parse("pp. 3-4").orElseThrow());
        assertEquals(new CitedLocation(Anchor.Kind.PAGE, 7, 7), CitedLocation.parse("Page 7").orElseThrow());
        assertEquals(new CitedLocation(Anchor.Kind.LINE, 10, 14), CitedLocation.parse("lines 10-14").orElseThrow());
        assertEquals(new CitedLocation(Anchor.Kind.LINE, 10, 14), CitedLocation.parse("L10-L14").orElseThrow());
        assertEquals(new CitedLocation(Anchor.Kind.LINE, 12, 12), CitedLocation.parse("line 12").orElseThrow());
        assertEquals(new CitedLocation(Anchor.Kind.PARAGRAPH, 3, 3), CitedLocation.parse("¶ 3").orElseThrow());
        assertEquals(new CitedLocation(Anchor.Kind.PARAGRAPH, 7, 9), CitedLocation.parse("¶¶ 7-9").orElseThrow());
        assertEquals(new CitedLocation(Anchor.Kind.PARAGRAPH, 2, 2), CitedLocation.parse("paragraph 2").orElseThrow());
        assertTrue(CitedLocation.parse("the end").isEmpty());
    }

    @Test
    void answersAreParsedAndCheckedPerDocument() {
        UUID pdf = UUID.randomUUID();
        List<DocumentView> documents = List.of(view(pdf, "contracts/msa.pdf"));
        Map<UUID, DocumentWithText> texts = Map.of(pdf, new DocumentWithText(documents.getFirst(), PDF_TEXT, PAGES));
        String answer = """
                The parties are named [contracts/msa.pdf, p. 1] "between Acme Ltd and Beta GmbH". Termination: \
                [msa.pdf, p. 1] “Either party may terminate”. Fees [msa.pdf, p. 2] "Fees are paid yearly". \
                Annex: [annex.docx, ¶ 2] "penalty".""";
        List<Citation> citations = Citations.findChecked(answer, documents, id -> Optional.ofNullable(texts.get(id)));
        assertEquals(List.of(Status.VERIFIED, Status.FOUND_ELSEWHERE, Status.NOT_FOUND, Status.NOT_FOUND),
                citations.stream().map(Citation::status).toList());
        assertEquals(pdf, citations.get(1).documentId(), "a bare file name resolves to the set's path");
        assertEquals("p. 2", citations.get(1).foundAt());
        assertEquals(PAGE_1.length(), citations.get(1).start());
        assertNull(citations.get(3).documentId());
        assertNull(citations.get(2).start());
    }

    private static DocumentView view(UUID id, String path) {
        return new DocumentView(id, UUID.randomUUID(), 0, path, "application/pdf", 100, "0".repeat(64), 10, Instant.now());
    }
}
