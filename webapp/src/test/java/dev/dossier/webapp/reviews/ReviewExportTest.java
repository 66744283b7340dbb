package dev.dossier.webapp.reviews;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.persistence.conversations.Citation;
import dev.dossier.persistence.reviews.ReviewFinding;
import dev.dossier.persistence.reviews.ReviewRun;
import dev.dossier.persistence.reviews.ReviewRunView;
import java.time.Instant;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.Test;

class ReviewExportTest {

    private final ReviewRunView run = new ReviewRunView(UUID.randomUUID(), UUID.randomUUID(), ReviewRun.Kind.CODE,
            ReviewRun.Status.COMPLETED, 1, "stories260K", 1, 1, 1, 1, null, Instant.EPOCH, Instant.EPOCH, List.of(
            new ReviewFinding(UUID.randomUUID(), "a.py", "security", "high", "os.system(\"x, y\")", "lines 3-4", 3, 4,
                    "shell | injection\nbad", Citation.Status.VERIFIED, 1, 2, List.of("severity 'Major' read as high"), null, null),
            ReviewFinding.error(null, null, "=no JSON", "Once upon a time")));

    @Test
    void csvQuotesWhatNeedsItAndDefusesFormulas() {
        String[] lines = ReviewExport.csv(run).split("\r\n");
        assertEquals("file,category,severity,location,quote,quote_status,explanation,repairs,error", lines[0]);
        assertEquals("a.py,security,high,lines 3-4,\"os.system(\"\"x, y\"\")\",verified,\"shell | injection\nbad\",severity 'Major' read as high,",
                lines[1]);
        assertEquals(",,,,,,,,\"'=no JSON\"", lines[2]);
    }

    @Test
    void markdownIsOneTableRowPerFinding() {
        String md = ReviewExport.markdown(run);
        assertTrue(md.startsWith("# Code review\n"));
        assertTrue(md.contains("| a.py | security | high | lines 3-4 | os.system(\"x, y\") | verified | shell \\| injection<br>bad |"), md);
        assertTrue(md.contains("- findings: 1, error rows: 1"));
    }
}
