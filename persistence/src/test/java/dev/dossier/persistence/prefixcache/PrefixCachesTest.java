package dev.dossier.persistence.prefixcache;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertNull;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dossier.persistence.FreshDatabase;
import dev.dossier.persistence.NotFoundException;
import dev.dossier.persistence.documents.DocumentSets;
import java.nio.file.Path;
import java.sql.SQLException;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

class PrefixCachesTest {

    private static final String MODEL = "llama-2-7b-chat.Q4_0";
    private static final String DCA = "dca:3072:512";

    @RegisterExtension
    static final FreshDatabase fresh = new FreshDatabase();

    private final DocumentSets sets = new DocumentSets(fresh.database());
    private final PrefixCaches prefixCaches = new PrefixCaches(fresh.database());

    @Test
    void aCacheGoesFromComputingToReady() {
        UUID setId = sets.create("cached").id();
        assertEquals(Optional.empty(), prefixCaches.find(setId, 1, MODEL, DCA));

        PrefixCacheView started = prefixCaches.startComputing(setId, 1, MODEL, DCA, 30_000);
        assertEquals(PrefixCacheStatus.COMPUTING, started.status());
        assertEquals(0, started.progressTokens());
        assertEquals(30_000, started.tokenCount());
        assertNull(started.filePath());

        prefixCaches.updateProgress(started.id(), 12_000);
        assertEquals(12_000, prefixCaches.find(setId, 1, MODEL, DCA).orElseThrow().progressTokens());

        PrefixCacheView ready = prefixCaches.markReady(started.id(), Path.of("/caches/a.bin"), 987_654_321L, 29_998);
        assertEquals(PrefixCacheStatus.READY, ready.status());
        assertEquals(Path.of("/caches/a.bin"), ready.filePath());
        assertEquals(987_654_321L, ready.fileSizeBytes());
        assertEquals(29_998, ready.tokenCount());
        assertEquals(Optional.of(ready), prefixCaches.find(setId, 1, MODEL, DCA));
        assertEquals(started.createdAt(), ready.createdAt());
    }

    @Test
    void startingAgainResetsTheSameEntry() {
        UUID setId = sets.create("restarted").id();
        PrefixCacheView first = prefixCaches.startComputing(setId, 1, MODEL, DCA, 100);
        prefixCaches.markFailed(first.id(), "out of memory");
        assertEquals("out of memory", prefixCaches.find(setId, 1, MODEL, DCA).orElseThrow().error());

        PrefixCacheView again = prefixCaches.startComputing(setId, 1, MODEL, DCA, 100);
        assertEquals(first.id(), again.id());
        assertEquals(PrefixCacheStatus.COMPUTING, again.status());
        assertNull(again.error());

        PrefixCacheView otherLayout = prefixCaches.startComputing(setId, 1, MODEL, "full", 100);
        assertNotEquals(first.id(), otherLayout.id());
        assertEquals(2, fresh.number("select count(*) from prefix_cache_entry where set_id = ?", setId));
    }

    @Test
    void theDatabaseAllowsOneEntryPerKey() {
        UUID setId = sets.create("unique").id();
        prefixCaches.startComputing(setId, 1, MODEL, DCA, 100);
        SQLException duplicate = assertThrows(SQLException.class, () -> fresh.execute("""
                insert into prefix_cache_entry (id, set_id, set_version, model_id, attention, token_count,
                    status, progress_tokens, created_at, updated_at)
                values (?, ?, 1, ?, ?, 100, 'COMPUTING', 0, now(), now())
                """, UUID.randomUUID(), setId, MODEL, DCA));
        assertEquals("23505", duplicate.getSQLState());
    }

    @Test
    void onlyComputingEntriesTakeUpdates() {
        UUID setId = sets.create("finished").id();
        UUID id = prefixCaches.startComputing(setId, 1, MODEL, DCA, 100).id();
        prefixCaches.markReady(id, Path.of("/caches/b.bin"), 10, 100);
        assertThrows(IllegalStateException.class, () -> prefixCaches.updateProgress(id, 50));
        assertThrows(IllegalStateException.class, () -> prefixCaches.markFailed(id, "late"));
        assertEquals(PrefixCacheStatus.READY, prefixCaches.find(setId, 1, MODEL, DCA).orElseThrow().status());
    }

    @Test
    void entriesOfOlderVersionsAreRemovedAndTheirFilesReturned() {
        UUID setId = sets.create("versions").id();
        UUID old = prefixCaches.startComputing(setId, 1, MODEL, DCA, 100).id();
        prefixCaches.markReady(old, Path.of("/caches/v1.bin"), 10, 100);
        prefixCaches.startComputing(setId, 1, MODEL, "full", 100);
        UUID current = prefixCaches.startComputing(setId, 2, MODEL, DCA, 100).id();
        prefixCaches.markReady(current, Path.of("/caches/v2.bin"), 10, 100);

        assertEquals(List.of(Path.of("/caches/v1.bin")), prefixCaches.removeStale(setId, 2));

        assertEquals(Optional.empty(), prefixCaches.find(setId, 1, MODEL, DCA));
        assertEquals(Optional.empty(), prefixCaches.find(setId, 1, MODEL, "full"));
        assertEquals(current, prefixCaches.find(setId, 2, MODEL, DCA).orElseThrow().id());
        assertEquals(List.of(), prefixCaches.removeStale(setId, 2));
        // A computation of a removed entry learns about it at its next update.
        assertThrows(NotFoundException.class, () -> prefixCaches.updateProgress(old, 1));
    }

    @Test
    void missingSetsAndEntriesAreNotFound() {
        UUID missing = UUID.randomUUID();
        assertThrows(NotFoundException.class, () -> prefixCaches.startComputing(missing, 1, MODEL, DCA, 1));
        assertThrows(NotFoundException.class, () -> prefixCaches.updateProgress(missing, 1));
        assertThrows(NotFoundException.class, () -> prefixCaches.markReady(missing, Path.of("x"), 1, 1));
        assertThrows(NotFoundException.class, () -> prefixCaches.markFailed(missing, "x"));
        assertThrows(NotFoundException.class, () -> prefixCaches.removeStale(missing, 1));
    }
}
