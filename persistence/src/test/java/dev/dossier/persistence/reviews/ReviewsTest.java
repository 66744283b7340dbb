package dev.dossier.persistence.reviews;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.persistence.FreshDatabase;
import dev.dossier.persistence.NotFoundException;
import dev.dossier.persistence.conversations.Citation;
import dev.dossier.persistence.documents.DocumentSets;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class ReviewsTest {

    @RegisterExtension
    static final FreshDatabase fresh = new FreshDatabase();

    private final DocumentSets sets = new DocumentSets(fresh.database());
    private final Reviews reviews = new Reviews(fresh.database());

    @Test
    void aRunCollectsFindingsAndErrorRowsThenFinishes() {
        UUID setId = sets.create("contracts").id();
        ReviewRunView run = reviews.start(setId, ReviewRun.Kind.CONTRACT, 3, "stories260K", 2);
        assertEquals(ReviewRun.Status.RUNNING, run.status());

        ReviewFinding clause = new ReviewFinding(UUID.randomUUID(), "msa.pdf", "termination", null, "either party may terminate",
                "p. 2", null, null, "30 days is short", Citation.Status.VERIFIED, 10, 36, List.of("category 'Termination rights' mapped"), null, null);
        reviews.addFindings(run.id(), List.of(clause), 1);
        reviews.addFindings(run.id(), List.of(ReviewFinding.error(null, "nda.docx", "no JSON in the output", "Once upon a time")), 2);
        reviews.finish(run.id(), ReviewRun.Status.COMPLETED, null);

        ReviewRunView stored = reviews.find(setId, run.id()).orElseThrow();
        assertEquals(ReviewRun.Status.COMPLETED, stored.status());
        assertEquals(List.of(clause, ReviewFinding.error(null, "nda.docx", "no JSON in the output", "Once upon a time")), stored.findings());
        assertEquals(1, stored.findingCount());
        assertEquals(1, stored.errorCount());
        assertEquals(2, stored.progressDone());
        assertTrue(stored.finishedAt() != null);

        assertEquals(List.of(), reviews.list(setId).getFirst().findings(), "listings leave the findings out");
        reviews.delete(setId, run.id());
        assertTrue(reviews.list(setId).isEmpty());
        assertThrows(NotFoundException.class, () -> reviews.delete(setId, run.id()));
    }

    @Test
    void runsGoWithTheirSet() {
        UUID setId = sets.create("code").id();
        ReviewRunView run = reviews.start(setId, ReviewRun.Kind.CODE, 1, "m", 1);
        sets.delete(setId);
        assertTrue(reviews.find(setId, run.id()).isEmpty());
    }
}
