package dev.dossier.persistence.prefixcache;

import dev.dossier.persistence.Database;
import dev.dossier.persistence.NotFoundException;
import dev.dossier.persistence.documents.DocumentSet;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.nio.file.Path;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * The records of prefix caches. Each method is one transaction; {@link #find} returns
 * {@link Optional}, the others throw {@link NotFoundException} for a missing set or entry. An
 * entry can vanish while it is being computed (its set was deleted or its version went stale):
 * the computation's next update then throws {@code NotFoundException}, and the computation
 * should delete whatever file it wrote.
 */
public final class PrefixCaches {

    private final Database database;

    public PrefixCaches(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    public Optional<PrefixCacheView> find(UUID setId, long setVersion, String modelId, String attention) {
        return database.transaction(em -> entry(em, setId, setVersion, modelId, attention)
                .map(PrefixCacheEntry::view));
    }

    /**
     * Records that a cache of {@code tokenCount} tokens is being computed: a new entry, or the
     * existing one for the same key reset to COMPUTING (its old file, if any, is forgotten).
     */
    public PrefixCacheView startComputing(UUID setId, long setVersion, String modelId, String attention,
            int tokenCount) {
        return database.transaction(em -> {
            // Locking the set makes two concurrent starts for one key meet here, not at the unique constraint.
            DocumentSet set = DocumentSet.existing(em, setId, LockModeType.PESSIMISTIC_WRITE);
            PrefixCacheEntry entry = entry(em, setId, setVersion, modelId, attention).orElse(null);
            if (entry == null) {
                entry = new PrefixCacheEntry(set, setVersion, modelId, attention, tokenCount);
                em.persist(entry);
            } else {
                entry.startComputing(tokenCount);
            }
            return entry.view();
        });
    }

    /** @throws IllegalStateException if the entry is not COMPUTING */
    public void updateProgress(UUID entryId, int tokensDone) {
        database.inTransaction(em -> existingEntry(em, entryId).progress(tokensDone));
    }

    /** @throws IllegalStateException if the entry is not COMPUTING */
    public PrefixCacheView markReady(UUID entryId, Path filePath, long fileSizeBytes, int tokenCount) {
        Objects.requireNonNull(filePath, "filePath");
        return database.transaction(em -> {
            PrefixCacheEntry entry = existingEntry(em, entryId);
            entry.ready(filePath, fileSizeBytes, tokenCount);
            return entry.view();
        });
    }

    /** @throws IllegalStateException if the entry is not COMPUTING */
    public PrefixCacheView markFailed(UUID entryId, String error) {
        return database.transaction(em -> {
            PrefixCacheEntry entry = existingEntry(em, entryId);
            entry.failed(error);
            return entry.view();
        });
    }

    /**
     * Deletes the set's entries made for content versions before {@code currentVersion} and
     * returns their files, which the caller should delete.
     */
    public List<Path> removeStale(UUID setId, long currentVersion) {
        return database.transaction(em -> {
            DocumentSet.existing(em, setId, LockModeType.NONE);
            List<PrefixCacheEntry> stale = em.createQuery("""
                            select p from PrefixCacheEntry p
                            where p.documentSet.id = :setId and p.setVersion < :currentVersion
                            """, PrefixCacheEntry.class)
                    .setParameter("setId", setId)
                    .setParameter("currentVersion", currentVersion)
                    .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                    .getResultList();
            stale.forEach(em::remove);
            return stale.stream().flatMap(entry -> entry.file().stream()).toList();
        });
    }

    private static Optional<PrefixCacheEntry> entry(EntityManager em, UUID setId, long setVersion, String modelId,
            String attention) {
        return em.createQuery("""
                        select p from PrefixCacheEntry p
                        where p.documentSet.id = :setId and p.setVersion = :setVersion
                          and p.modelId = :modelId and p.attention = :attention
                        """, PrefixCacheEntry.class)
                .setParameter("setId", setId)
                .setParameter("setVersion", setVersion)
                .setParameter("modelId", modelId)
                .setParameter("attention", attention)
                .getResultStream()
                .findFirst();
    }

    /**
     * Locked, so that an update racing with the entry's deletion waits for it and then finds
     * nothing, instead of failing on a row that vanished.
     */
    private static PrefixCacheEntry existingEntry(EntityManager em, UUID entryId) {
        PrefixCacheEntry entry = em.find(PrefixCacheEntry.class, entryId, LockModeType.PESSIMISTIC_WRITE);
        if (entry == null) {
            throw new NotFoundException("prefix cache entry", entryId);
        }
        return entry;
    }
}
