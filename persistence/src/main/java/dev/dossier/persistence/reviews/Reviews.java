package dev.dossier.persistence.reviews;

import dev.dossier.persistence.Database;
import dev.dossier.persistence.NotFoundException;
import dev.dossier.persistence.documents.DocumentSet;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/** Review runs and their findings. Each method is one transaction. */
public final class Reviews {

    private final Database database;

    public Reviews(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    /** Records a run that starts now. */
    public ReviewRunView start(UUID setId, ReviewRun.Kind kind, long setVersion, String model, int progressTotal) {
        return database.transaction(em -> {
            ReviewRun run = new ReviewRun(DocumentSet.existing(em, setId, LockModeType.NONE), kind, setVersion, model, progressTotal);
            em.persist(run);
            return run.view(true);
        });
    }

    /** Appends findings (and error rows) and records the progress. */
    public void addFindings(UUID runId, List<ReviewFinding> findings, int progressDone) {
        database.inTransaction(em -> existing(em, runId).add(findings, progressDone));
    }

    public void finish(UUID runId, ReviewRun.Status status, String error) {
        database.inTransaction(em -> existing(em, runId).finish(status, error));
    }

    /** The set's runs, newest first, without their findings. */
    public List<ReviewRunView> list(UUID setId) {
        return database.transaction(em -> {
            DocumentSet.existing(em, setId, LockModeType.NONE);
            return em.createQuery("select r from ReviewRun r where r.documentSet.id = :setId order by r.createdAt desc", ReviewRun.class)
                    .setParameter("setId", setId)
                    .getResultStream()
                    .map(run -> run.view(false))
                    .toList();
        });
    }

    public Optional<ReviewRunView> find(UUID setId, UUID runId) {
        return database.transaction(em -> em.createQuery(
                        "select r from ReviewRun r where r.id = :runId and r.documentSet.id = :setId", ReviewRun.class)
                .setParameter("runId", runId)
                .setParameter("setId", setId)
                .getResultStream()
                .findFirst()
                .map(run -> run.view(true)));
    }

    public void delete(UUID setId, UUID runId) {
        database.inTransaction(em -> {
            int deleted = em.createQuery("delete from ReviewRun r where r.id = :runId and r.documentSet.id = :setId")
                    .setParameter("runId", runId)
                    .setParameter("setId", setId)
                    .executeUpdate();
            if (deleted == 0) {
                throw new NotFoundException("review run", runId);
            }
        });
    }

    /** Runs left RUNNING by a server that stopped are marked failed. */
    public int failAbandoned(String why) {
        return database.transaction(em -> em.createQuery(
                        "update ReviewRun r set r.status = :failed, r.error = :why where r.status = :running")
                .setParameter("failed", ReviewRun.Status.FAILED)
                .setParameter("why", why)
                .setParameter("running", ReviewRun.Status.RUNNING)
                .executeUpdate());
    }

    private static ReviewRun existing(EntityManager em, UUID runId) {
        ReviewRun run = em.find(ReviewRun.class, runId);
        if (run == null) {
            throw new NotFoundException("review run", runId);
        }
        return run;
    }
}
