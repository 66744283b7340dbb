package dev.dossier.persistence.documents;

import dev.dossier.persistence.Database;
import dev.dossier.persistence.NotFoundException;
import dev.dossier.persistence.prefixcache.PrefixCacheEntry;
import jakarta.persistence.EntityManager;
import jakarta.persistence.LockModeType;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Optional;
import java.util.UUID;

/**
 * Document sets and their documents. Each method is one transaction; lookups return
 * {@link Optional}, operations on a set or document that does not exist throw
 * {@link NotFoundException}.
 */
public final class DocumentSets {

    private static final String SET_SUMMARY = """
            select new dev.dossier.persistence.documents.DocumentSetView(
                s.id, s.name, s.contentVersion, count(d), coalesce(sum(d.tokenCount), 0L),
                s.createdAt, s.updatedAt)
            from DocumentSet s left join s.documents d
            """;

    private final Database database;

    public DocumentSets(Database database) {
        this.database = Objects.requireNonNull(database, "database");
    }

    /** @throws IllegalArgumentException if the name is blank or longer than {@value DocumentSet#MAX_NAME_LENGTH} */
    public DocumentSetView create(String name) {
        return database.transaction(em -> {
            DocumentSet set = new DocumentSet(name);
            em.persist(set);
            em.flush();
            return summary(em, set.id()).orElseThrow();
        });
    }

    /** All sets, newest first, with their document counts and token totals. */
    public List<DocumentSetView> list() {
        return database.transaction(em -> em.createQuery(
                        SET_SUMMARY + " group by s.id order by s.createdAt desc", DocumentSetView.class)
                .getResultList());
    }

    public Optional<DocumentSetView> find(UUID setId) {
        return database.transaction(em -> summary(em, setId));
    }

    public DocumentSetView rename(UUID setId, String name) {
        return database.transaction(em -> {
            DocumentSet.existing(em, setId, LockModeType.NONE).rename(name);
            em.flush();
            return summary(em, setId).orElseThrow();
        });
    }

    /**
     * Deletes the set with everything it owns (the database cascades) and returns the files of
     * its prefix caches, which the caller should delete.
     */
    public List<Path> delete(UUID setId) {
        return database.transaction(em -> {
            DocumentSet.existing(em, setId, LockModeType.PESSIMISTIC_WRITE);
            // Locked so that a computation finishing now cannot record a file we would miss:
            // its markReady waits, then finds the entry gone.
            List<Path> prefixCacheFiles = em.createQuery(
                            "select p from PrefixCacheEntry p where p.documentSet.id = :setId", PrefixCacheEntry.class)
                    .setParameter("setId", setId)
                    .setLockMode(LockModeType.PESSIMISTIC_WRITE)
                    .getResultStream()
                    .flatMap(entry -> entry.file().stream())
                    .toList();
            em.createQuery("delete from DocumentSet s where s.id = :setId")
                    .setParameter("setId", setId)
                    .executeUpdate();
            return prefixCacheFiles;
        });
    }

    /**
     * Adds the documents after the set's last one, all or none: if any is invalid nothing is
     * stored. Bumps the set's content version once (not at all for an empty list).
     *
     * @throws IllegalArgumentException if a document is invalid (blank path or media type,
     *     no bytes or text, an anchor beyond the text)
     */
    public List<DocumentView> addDocuments(UUID setId, List<NewDocument> newDocuments) {
        List<NewDocument> toAdd = List.copyOf(newDocuments);
        return database.transaction(em -> {
            DocumentSet set = DocumentSet.existing(em, setId, LockModeType.PESSIMISTIC_WRITE);
            if (toAdd.isEmpty()) {
                return List.of();
            }
            int position = nextPosition(em, setId);
            List<DocumentView> added = new ArrayList<>();
            for (NewDocument newDocument : toAdd) {
                Document document = new Document(set, position++, newDocument);
                DocumentContent content = new DocumentContent(document, newDocument.originalBytes());
                em.persist(document);
                em.persist(content);
                // Written and let go one by one, so an upload's bytes are never all held here at once.
                em.flush();
                em.detach(content);
                added.add(DocumentView.of(document));
            }
            set.contentChanged();
            return List.copyOf(added);
        });
    }

    /** Removes one document and bumps the set's content version; returns the set as it is now. */
    public DocumentSetView removeDocument(UUID setId, UUID documentId) {
        return database.transaction(em -> {
            DocumentSet set = DocumentSet.existing(em, setId, LockModeType.PESSIMISTIC_WRITE);
            int removed = em.createQuery("delete from Document d where d.id = :documentId and d.documentSet = :set")
                    .setParameter("documentId", documentId)
                    .setParameter("set", set)
                    .executeUpdate();
            if (removed == 0) {
                throw new NotFoundException("document", documentId);
            }
            set.contentChanged();
            em.flush();
            return summary(em, setId).orElseThrow();
        });
    }

    /** The set's documents in their order, without text or bytes. */
    public List<DocumentView> documents(UUID setId) {
        return database.transaction(em -> {
            DocumentSet.existing(em, setId, LockModeType.NONE);
            return em.createQuery(DocumentView.SELECT + " where d.documentSet.id = :setId order by d.position",
                            DocumentView.class)
                    .setParameter("setId", setId)
                    .getResultList();
        });
    }

    /**
     * Each document's anchor kind and count, read in the database from the stored anchors so
     * that listing never loads them (a codebase has one per line).
     */
    public Map<UUID, AnchorSummary> anchorSummaries(UUID setId) {
        return database.transaction(em -> {
            Map<UUID, AnchorSummary> summaries = new HashMap<>();
            List<?> rows = em.createNativeQuery("""
                            select id, anchors -> 0 ->> 'kind', jsonb_array_length(anchors)
                            from document where set_id = :setId and jsonb_array_length(anchors) > 0
                            """)
                    .setParameter("setId", setId)
                    .getResultList();
            for (Object row : rows) {
                Object[] columns = (Object[]) row;
                summaries.put((UUID) columns[0],
                        new AnchorSummary(Anchor.Kind.valueOf((String) columns[1]), ((Number) columns[2]).intValue()));
            }
            return summaries;
        });
    }

    /** Every document of the set with its text and anchors, in the set's order, in one query. */
    public List<DocumentWithText> documentsWithText(UUID setId) {
        return database.transaction(em -> {
            DocumentSet.existing(em, setId, LockModeType.NONE);
            return em.createQuery("select d from Document d where d.documentSet.id = :setId order by d.position", Document.class)
                    .setParameter("setId", setId)
                    .getResultStream()
                    .map(document -> new DocumentWithText(DocumentView.of(document), document.text(), document.anchors()))
                    .toList();
        });
    }

    /** One document with its text and anchors. */
    public Optional<DocumentWithText> document(UUID setId, UUID documentId) {
        return database.transaction(em -> em.createQuery("""
                        select d from Document d join fetch d.documentSet s
                        where d.id = :documentId and s.id = :setId
                        """, Document.class)
                .setParameter("documentId", documentId)
                .setParameter("setId", setId)
                .getResultStream()
                .findFirst()
                .map(document -> new DocumentWithText(DocumentView.of(document), document.text(), document.anchors())));
    }

    /** The bytes of the document as it was uploaded. */
    public Optional<byte[]> originalBytes(UUID setId, UUID documentId) {
        return database.transaction(em -> em.createQuery("""
                        select c.originalBytes from DocumentContent c
                        where c.documentId = :documentId and c.document.documentSet.id = :setId
                        """, byte[].class)
                .setParameter("documentId", documentId)
                .setParameter("setId", setId)
                .getResultStream()
                .findFirst());
    }

    private static Optional<DocumentSetView> summary(EntityManager em, UUID setId) {
        return em.createQuery(SET_SUMMARY + " where s.id = :setId group by s.id", DocumentSetView.class)
                .setParameter("setId", setId)
                .getResultStream()
                .findFirst();
    }

    private static int nextPosition(EntityManager em, UUID setId) {
        return em.createQuery(
                        "select coalesce(max(d.position) + 1, 0) from Document d where d.documentSet.id = :setId",
                        Integer.class)
                .setParameter("setId", setId)
                .getSingleResult();
    }
}
