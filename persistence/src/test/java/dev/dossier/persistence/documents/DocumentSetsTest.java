package dev.dossier.persistence.documents;

import static dev.dossier.persistence.documents.TestDocuments.text;
import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.persistence.FreshDatabase;
import dev.dossier.persistence.NotFoundException;
import dev.dossier.persistence.conversations.Conversations;
import dev.dossier.persistence.conversations.NewMessage;
import dev.dossier.persistence.prefixcache.PrefixCacheView;
import dev.dossier.persistence.prefixcache.PrefixCaches;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.security.MessageDigest;
import java.util.ArrayList;
import java.util.HexFormat;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Random;
import java.util.UUID;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import java.util.stream.IntStream;
import org.hibernate.SessionFactory;
import org.hibernate.stat.Statistics;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class DocumentSetsTest {

    @RegisterExtension
    static final FreshDatabase fresh = new FreshDatabase();

    private final DocumentSets sets = new DocumentSets(fresh.database());

    @Test
    void createsListsRenamesAndDeletesSets() {
        DocumentSetView created = sets.create("  Contracts 2024 ");
        assertEquals("Contracts 2024", created.name());
        assertEquals(1, created.contentVersion());
        assertEquals(0, created.documentCount());
        assertEquals(0, created.totalTokens());
        assertEquals(created.createdAt(), created.updatedAt());

        assertTrue(sets.list().contains(created));
        assertEquals(Optional.of(created), sets.find(created.id()));

        DocumentSetView renamed = sets.rename(created.id(), "Contracts 2025");
        assertEquals("Contracts 2025", renamed.name());
        assertEquals(created.createdAt(), renamed.createdAt());
        assertTrue(renamed.updatedAt().isAfter(created.updatedAt()));
        assertEquals(Optional.of(renamed), sets.find(created.id()));

        assertEquals(List.of(), sets.delete(created.id()));
        assertEquals(Optional.empty(), sets.find(created.id()));
        assertTrue(sets.list().stream().noneMatch(set -> set.id().equals(created.id())));
    }

    @Test
    void listsNewestFirst() {
        DocumentSetView older = sets.create("older");
        DocumentSetView newer = sets.create("newer");
        List<UUID> order = sets.list().stream().map(DocumentSetView::id).toList();
        assertTrue(order.indexOf(newer.id()) < order.indexOf(older.id()), order.toString());
    }

    @Test
    void setNamesAreRequiredAndLimited() {
        assertThrows(IllegalArgumentException.class, () -> sets.create(" "));
        assertThrows(IllegalArgumentException.class, () -> sets.create(null));
        assertThrows(IllegalArgumentException.class, () -> sets.create("x".repeat(201)));
        assertEquals(200, sets.create("x".repeat(200)).name().length());
        UUID id = sets.create("fine").id();
        assertThrows(IllegalArgumentException.class, () -> sets.rename(id, ""));
        assertEquals("fine", sets.find(id).orElseThrow().name());
    }

    @Test
    void missingSetsAreEmptyLookupsAndNotFoundOperations() {
        UUID missing = UUID.randomUUID();
        assertEquals(Optional.empty(), sets.find(missing));
        assertThrows(NotFoundException.class, () -> sets.rename(missing, "name"));
        assertThrows(NotFoundException.class, () -> sets.delete(missing));
        assertThrows(NotFoundException.class, () -> sets.documents(missing));
        assertThrows(NotFoundException.class, () -> sets.addDocuments(missing, List.of(text("a.txt", "a"))));
        assertThrows(NotFoundException.class, () -> sets.removeDocument(missing, UUID.randomUUID()));
    }

    @Test
    void addsDocumentsInOrderAndBumpsTheContentVersionOncePerUpload() throws Exception {
        UUID setId = sets.create("upload").id();
        List<DocumentView> first = sets.addDocuments(setId,
                List.of(text("a.txt", "alpha text here"), text("dir/b.txt", "bravo")));
        List<DocumentView> second = sets.addDocuments(setId, List.of(text("c.txt", "charlie")));

        assertEquals(List.of(0, 1), first.stream().map(DocumentView::position).toList());
        assertEquals(2, second.getFirst().position());
        assertEquals(List.of("a.txt", "dir/b.txt", "c.txt"), sets.documents(setId).stream().map(DocumentView::path).toList());
        DocumentView alpha = first.getFirst();
        assertEquals(setId, alpha.setId());
        assertEquals("alpha text here".length(), alpha.sizeBytes());
        assertEquals(HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256")
                .digest("alpha text here".getBytes(StandardCharsets.UTF_8))), alpha.sha256());
        assertEquals(sets.documents(setId), List.of(first.get(0), first.get(1), second.getFirst()));

        DocumentSetView set = sets.find(setId).orElseThrow();
        assertEquals(3, set.contentVersion());
        assertEquals(3, set.documentCount());
        assertEquals(3 + 1 + 1, set.totalTokens());

        assertEquals(List.of(), sets.addDocuments(setId, List.of()));
        assertEquals(3, sets.find(setId).orElseThrow().contentVersion());
    }

    @Test
    void concurrentUploadsGetDistinctPositionsAndOneVersionEach() throws Exception {
        UUID setId = sets.create("busy").id();
        int uploads = 6;
        try (ExecutorService executor = Executors.newFixedThreadPool(uploads)) {
            List<Future<List<DocumentView>>> results = new ArrayList<>();
            for (int i = 0; i < uploads; i++) {
                String name = "upload-" + i;
                results.add(executor.submit(() -> sets.addDocuments(setId,
                        List.of(text(name + "-a.txt", "a"), text(name + "-b.txt", "b")))));
            }
            for (Future<List<DocumentView>> result : results) {
                result.get();
            }
        }
        List<Integer> positions = sets.documents(setId).stream().map(DocumentView::position).toList();
        assertEquals(IntStream.range(0, 2 * uploads).boxed().toList(), positions);
        assertEquals(1 + uploads, sets.find(setId).orElseThrow().contentVersion());
    }

    @Test
    void anUploadWithOneInvalidDocumentStoresNothing() {
        UUID setId = sets.create("all or nothing").id();
        sets.addDocuments(setId, List.of(text("kept.txt", "kept")));

        List<NewDocument> blankPath = List.of(text("fine.txt", "fine"), text(" ", "no name"));
        assertThrows(IllegalArgumentException.class, () -> sets.addDocuments(setId, blankPath));
        NewDocument anchorBeyondText = new NewDocument("bad.txt", "text/plain", new byte[1], "short",
                List.of(new Anchor(Anchor.Kind.PAGE, 1, 0, 99)), 1);
        assertThrows(IllegalArgumentException.class,
                () -> sets.addDocuments(setId, List.of(text("fine.txt", "fine"), anchorBeyondText)));

        assertEquals(List.of("kept.txt"), sets.documents(setId).stream().map(DocumentView::path).toList());
        assertEquals(2, sets.find(setId).orElseThrow().contentVersion());
        assertEquals(1, fresh.number("select count(*) from document where set_id = ?", setId));
        assertEquals(1, fresh.number("""
                select count(*) from document_content c join document d on d.id = c.document_id
                where d.set_id = ?""", setId));
    }

    @Test
    void removingADocumentBumpsTheVersionAndKeepsTheOthersInOrder() {
        UUID setId = sets.create("removal").id();
        List<DocumentView> added = sets.addDocuments(setId,
                List.of(text("a.txt", "a"), text("b.txt", "b"), text("c.txt", "c")));

        DocumentSetView after = sets.removeDocument(setId, added.get(1).id());
        assertEquals(3, after.contentVersion());
        assertEquals(2, after.documentCount());
        assertEquals(List.of("a.txt", "c.txt"), sets.documents(setId).stream().map(DocumentView::path).toList());
        assertEquals(0, fresh.number("select count(*) from document_content where document_id = ?", added.get(1).id()));

        assertEquals(3, sets.addDocuments(setId, List.of(text("d.txt", "d"))).getFirst().position());
        assertThrows(NotFoundException.class, () -> sets.removeDocument(setId, added.get(1).id()));
        UUID otherSet = sets.create("other").id();
        assertThrows(NotFoundException.class, () -> sets.removeDocument(otherSet, added.get(0).id()));
        assertEquals(4, sets.find(setId).orElseThrow().contentVersion());
    }

    @Test
    void textAndAnchorsRoundTrip() {
        UUID setId = sets.create("anchors").id();
        String text = "Page one.\nLine two.\n\nPage two, paragraph.";
        List<Anchor> anchors = List.of(
                new Anchor(Anchor.Kind.PAGE, 1, 0, 20),
                new Anchor(Anchor.Kind.LINE, 2, 10, 19),
                new Anchor(Anchor.Kind.PARAGRAPH, 3, 21, text.length()));
        DocumentView added = sets.addDocuments(setId, List.of(new NewDocument("report.pdf", "application/pdf",
                new byte[] {1, 2, 3}, text, anchors, 12))).getFirst();

        DocumentWithText read = sets.document(setId, added.id()).orElseThrow();
        assertEquals(added, read.document());
        assertEquals(text, read.text());
        assertEquals(anchors, read.anchors());
        assertEquals("LINE", fresh.string("select anchors -> 1 ->> 'kind' from document where id = ?", added.id()));

        assertEquals(Optional.empty(), sets.document(setId, UUID.randomUUID()));
        assertEquals(Optional.empty(), sets.document(sets.create("elsewhere").id(), added.id()));
    }

    @Test
    void documentsWithTextComeInTheSetsOrder() {
        UUID setId = sets.create("whole set").id();
        sets.addDocuments(setId, List.of(new NewDocument("b.txt", "text/plain", new byte[] {1}, "second", List.of(), 1)));
        sets.addDocuments(setId, List.of(new NewDocument("a.txt", "text/plain", new byte[] {2}, "third", List.of(), 1)));
        List<DocumentWithText> all = sets.documentsWithText(setId);
        assertEquals(List.of("b.txt", "a.txt"), all.stream().map(d -> d.document().path()).toList());
        assertEquals(List.of("second", "third"), all.stream().map(DocumentWithText::text).toList());
        assertEquals(sets.documents(setId), all.stream().map(DocumentWithText::document).toList());
    }

    @Test
    void anchorSummariesCountWithoutLoadingAnchors() {
        UUID setId = sets.create("summaries").id();
        DocumentView lines = sets.addDocuments(setId, List.of(new NewDocument("a.txt", "text/plain", new byte[] {1},
                "a\nb\nc\n", List.of(new Anchor(Anchor.Kind.LINE, 1, 0, 2), new Anchor(Anchor.Kind.LINE, 2, 2, 4),
                        new Anchor(Anchor.Kind.LINE, 3, 4, 6)), 3))).getFirst();
        DocumentView none = sets.addDocuments(setId, List.of(new NewDocument("b.txt", "text/plain", new byte[] {2},
                "plain", List.of(), 1))).getFirst();
        Map<UUID, AnchorSummary> summaries = sets.anchorSummaries(setId);
        assertEquals(new AnchorSummary(Anchor.Kind.LINE, 3), summaries.get(lines.id()));
        assertEquals(null, summaries.get(none.id()));
    }

    @Test
    void originalBytesRoundTripAndAreNotReadWhenListing() {
        UUID setId = sets.create("bytes").id();
        byte[] bytes = new byte[3 * 1024 * 1024];
        new Random(42).nextBytes(bytes);
        DocumentView added = sets.addDocuments(setId, List.of(
                new NewDocument("scan.pdf", "application/pdf", bytes, "scanned", List.of(), 2))).getFirst();
        assertEquals(bytes.length, added.sizeBytes());

        Statistics statistics = fresh.database().entityManagerFactory().unwrap(SessionFactory.class).getStatistics();
        statistics.setStatisticsEnabled(true);
        try {
            statistics.clear();
            assertEquals(List.of(added), sets.documents(setId));
            List<String> queries = List.of(statistics.getQueries());
            assertTrue(queries.stream().anyMatch(query -> query.contains("from Document d")), queries.toString());
            assertTrue(queries.stream().noneMatch(query -> query.contains("DocumentContent")), queries.toString());
            assertEquals(0, statistics.getEntityStatistics(DocumentContent.class.getName()).getLoadCount());
        } finally {
            statistics.setStatisticsEnabled(false);
        }

        assertArrayEquals(bytes, sets.originalBytes(setId, added.id()).orElseThrow());
        assertEquals(Optional.empty(), sets.originalBytes(sets.create("other").id(), added.id()));
    }

    @Test
    void deletingASetRemovesEverythingItOwns() {
        UUID setId = sets.create("doomed").id();
        UUID keptSetId = sets.create("kept").id();
        for (UUID id : List.of(setId, keptSetId)) {
            populate(id);
        }
        PrefixCaches prefixCaches = new PrefixCaches(fresh.database());
        PrefixCacheView computing = prefixCaches.startComputing(setId, 2, "llama-2-7b", "dca:3072:512", 10);
        prefixCaches.markReady(computing.id(), Path.of("/caches/doomed.bin"), 1234, 10);

        assertEquals(List.of(Path.of("/caches/doomed.bin")), sets.delete(setId));

        assertEquals(List.of(0L, 0L, 0L, 0L, 0L), rowsOwnedBy(setId));
        assertEquals(List.of(1L, 1L, 1L, 1L, 1L), rowsOwnedBy(keptSetId));
    }

    @Test
    void theDatabaseCascadesToo() throws Exception {
        UUID setId = sets.create("deleted by hand").id();
        populate(setId);
        assertEquals(1, fresh.execute("delete from document_set where id = ?", setId));
        assertEquals(List.of(0L, 0L, 0L, 0L, 0L), rowsOwnedBy(setId));
    }

    /** One document, one conversation with one message, one prefix cache entry. */
    private void populate(UUID setId) {
        sets.addDocuments(setId, List.of(text("a.txt", "content")));
        Conversations conversations = new Conversations(fresh.database());
        conversations.appendMessage(conversations.create(setId, "Q").id(), NewMessage.user("Why?"));
        new PrefixCaches(fresh.database()).startComputing(setId, 2, "llama-2-7b", "full", 10);
    }

    /** Documents, their contents, conversations, messages and prefix cache entries of the set. */
    private List<Long> rowsOwnedBy(UUID setId) {
        return List.of(
                fresh.number("select count(*) from document where set_id = ?", setId),
                fresh.number("""
                        select count(*) from document_content c join document d on d.id = c.document_id
                        where d.set_id = ?""", setId),
                fresh.number("select count(*) from conversation where set_id = ?", setId),
                fresh.number("""
                        select count(*) from message m join conversation c on c.id = m.conversation_id
                        where c.set_id = ?""", setId),
                fresh.number("select count(*) from prefix_cache_entry where set_id = ?", setId));
    }
}
