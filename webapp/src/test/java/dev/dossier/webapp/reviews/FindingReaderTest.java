package dev.dossier.webapp.reviews;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotNull;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.persistence.conversations.Citation.Status;
import dev.dossier.persistence.documents.Anchor;
import dev.dossier.persistence.documents.DocumentView;
import dev.dossier.persistence.documents.DocumentWithText;
import dev.dossier.persistence.reviews.ReviewFinding;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;

/** Hand-made model outputs, good and broken, as the review agents get them. */
class FindingReaderTest {

    private static final String PAGE_1 = "This Agreement is between Acme Ltd and Beta GmbH.\n";
    private static final String PAGE_2 = "Either party may terminate on 30 days' notice. Liability is capped at the fees paid.\n";
    private static final String CONTRACT = PAGE_1 + PAGE_2;
    private static final String CODE = "import os\n\ndef run(cmd):\n    os.system(cmd)\n    return 0\n";

    private final DocumentView msa = view("msa.pdf");
    private final DocumentView main = view("src/app/main.py");
    private final Map<UUID, DocumentWithText> texts = Map.of(
            msa.id(), new DocumentWithText(msa, CONTRACT, List.of(new Anchor(Anchor.Kind.PAGE, 1, 0, PAGE_1.length()),
                    new Anchor(Anchor.Kind.PAGE, 2, PAGE_1.length(), CONTRACT.length()))),
            main.id(), new DocumentWithText(main, CODE, lines(CODE)));
    private final FindingReader reader = new FindingReader(List.of(msa, main), id -> Optional.ofNullable(texts.get(id)));

    @Test
    void wellFormedClausesAreReadAndTheirQuotesChecked() {
        List<ReviewFinding> rows = reader.contract("""
                [{"category": "parties", "quote": "between Acme Ltd and Beta GmbH", "location": "p. 1", "risk": "none"},
                 {"category": "termination", "quote": "Either party may terminate on 30 days' notice", "location": "p. 1", "risk": "short notice"},
                 {"category": "liability_cap", "quote": "Liability is unlimited", "location": "p. 2", "risk": "check"}]
                """, msa);
        assertEquals(3, rows.size());
        assertEquals(List.of(Status.VERIFIED, Status.FOUND_ELSEWHERE, Status.NOT_FOUND), rows.stream().map(ReviewFinding::quoteStatus).toList());
        assertEquals(List.of("parties", "termination", "liability_cap"), rows.stream().map(ReviewFinding::category).toList());
        assertEquals(CONTRACT.indexOf("between"), rows.getFirst().start());
        assertTrue(rows.getFirst().repairs().isEmpty());
        assertEquals("short notice", rows.get(1).note());
    }

    @Test
    void proseFencesSingleQuotesTrailingCommasAndSynonymsAreRepaired() {
        List<ReviewFinding> rows = reader.contract("""
                Sure! Here are the clauses:
                ```json
                {'clauses': [
                  {type: 'Limitation of Liability', text: 'Liability is capped at the fees paid', page: 'p. 2', note: 'cap ok',},
                  {category: 'Force majeure', quote: 'Acme Ltd', risk: 'odd'},
                ]}
                ```
                """, msa);
        assertEquals(2, rows.size());
        ReviewFinding cap = rows.getFirst();
        assertEquals("liability_cap", cap.category());
        assertEquals(Status.VERIFIED, cap.quoteStatus());
        assertTrue(cap.repairs().contains("code fence removed"));
        assertTrue(cap.repairs().contains("list taken from 'clauses'"));
        assertTrue(cap.repairs().contains("category 'Limitation of Liability' read as liability_cap"), cap.repairs().toString());
        ReviewFinding odd = rows.get(1);
        assertEquals("unusual", odd.category());
        assertTrue(odd.repairs().contains("unknown category 'Force majeure' filed as unusual"));
        assertEquals("p. 1", odd.location(), "a missing location is taken from where the quote is");
        assertEquals(Status.FOUND_ELSEWHERE, odd.quoteStatus(), "no location was cited, so it can only be found elsewhere");
    }

    @Test
    void cutOffOutputIsClosed() {
        List<ReviewFinding> rows = reader.contract("""
                [{"category": "parties", "quote": "Acme Ltd", "location": "p. 1"},
                 {"category": "payment", "quote": "the fees paid", "location": "p. 2", "risk": "no due date""", msa);
        assertEquals(2, rows.size());
        assertNull(rows.get(1).error());
        assertEquals(Status.VERIFIED, rows.get(1).quoteStatus());
        assertTrue(rows.get(1).repairs().contains("cut-off JSON closed"));
    }

    @Test
    void brokenItemsBecomeErrorRowsAndTheGoodOnesSurvive() {
        List<ReviewFinding> rows = reader.contract("""
                [{"category": "parties", "quote": "Acme Ltd", "location": "p. 1"},
                 {"category": "payment" "quote": oops here},
                 {"category": "termination", "location": "p. 2"}]
                """, msa);
        assertEquals(3, rows.size());
        assertEquals("unreadable JSON item", rows.getFirst().error());
        assertTrue(rows.getFirst().raw().contains("oops"));
        assertEquals(Status.VERIFIED, rows.get(1).quoteStatus());
        assertEquals("a termination clause without a quote", rows.get(2).error());
        assertTrue(rows.get(1).repairs().contains("broken JSON read object by object"));
    }

    @Test
    void storyTextIsOneErrorRowWithTheOutput() {
        String story = "Once upon a time, there was a little girl named Lily. She loved to play outside.";
        List<ReviewFinding> rows = reader.contract(story, msa);
        assertEquals(1, rows.size());
        assertEquals("the model's output holds no JSON clauses", rows.getFirst().error());
        assertEquals(story, rows.getFirst().raw());
        assertEquals(msa.id(), rows.getFirst().documentId());
        assertEquals(1, reader.code("Tom and Sam went to the park. [sic").size(), "a lone bracket with no object is still one row");
    }

    @Test
    void codeFindingsWithLinesSeverityAndCategoryMapping() {
        List<ReviewFinding> rows = reader.code("""
                [{"file": "main.py", "lines": "3-4", "severity": "Major", "category": "Command injection",
                  "explanation": "user input reaches a shell", "quote": "os.system(cmd)"},
                 {"file": "src/app/main.py", "line_start": 5, "severity": "nit", "category": "style", "explanation": "always 0"},
                 {"file": "src/app/main.py", "line": 1, "severity": "low", "category": "astrology", "explanation": "?"},
                 {"file": "nowhere.py", "line": 1, "severity": "low", "category": "style"},
                 {"file": "src/app/main.py", "severity": "whatever", "category": "performance", "quote": "return 0"}]
                """);
        assertEquals(5, rows.size());
        ReviewFinding injection = rows.getFirst();
        assertEquals(main.id(), injection.documentId());
        assertEquals("security", injection.category());
        assertEquals("high", injection.severity());
        assertEquals(3, injection.lineStart());
        assertEquals(4, injection.lineEnd());
        assertEquals("lines 3-4", injection.location());
        assertEquals(Status.VERIFIED, injection.quoteStatus());
        assertEquals("info", rows.get(1).severity());
        assertEquals(5, rows.get(1).lineEnd());
        assertNull(rows.get(1).quoteStatus(), "no quote, nothing to check");
        assertEquals("unknown category 'astrology'", rows.get(2).error());
        assertNotNull(rows.get(2).raw());
        assertEquals("a finding in a file not in the set: 'nowhere.py'", rows.get(3).error());
        ReviewFinding located = rows.get(4);
        assertEquals("medium", located.severity());
        assertTrue(located.repairs().contains("unknown severity 'whatever': medium assumed"));
        assertEquals(5, located.lineStart(), "lines come from where the quote was found");
        assertEquals(Status.FOUND_ELSEWHERE, located.quoteStatus());
    }

    @Test
    void categoryMapping() {
        assertEquals("term_and_renewal", Categories.contract("Term & Renewal").orElseThrow().value());
        assertEquals("termination", Categories.contract("Termination for convenience").orElseThrow().value());
        assertEquals("intellectual_property", Categories.contract("IP").orElseThrow().value());
        assertEquals("confidentiality", Categories.contract("NDA").orElseThrow().value());
        assertEquals("governing_law", Categories.contract("Jurisdiction").orElseThrow().value());
        assertTrue(Categories.contract("standard boilerplate").isEmpty());
        assertEquals("concurrency", Categories.code("Race condition").orElseThrow().value());
        assertEquals("critical", Categories.severity("BLOCKER").orElseThrow().value());
    }

    private static DocumentView view(String path) {
        return new DocumentView(UUID.randomUUID(), UUID.randomUUID(), 0, path, "text/plain", 10, "0".repeat(64), 10, Instant.now());
    }

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
}
