package dev.dossier.persistence.reviews;

import java.time.Instant;
import java.util.List;
import java.util.UUID;

/**
 * A stored review run.
 *
 * @param findingCount good rows
 * @param errorCount error rows (model output that could not be used)
 * @param findings empty in listings
 */
public record ReviewRunView(UUID id, UUID setId, ReviewRun.Kind kind, ReviewRun.Status status, long setVersion, String model,
                            int progressDone, int progressTotal, int findingCount, int errorCount, String error,
                            Instant createdAt, Instant finishedAt, List<ReviewFinding> findings) {
}
