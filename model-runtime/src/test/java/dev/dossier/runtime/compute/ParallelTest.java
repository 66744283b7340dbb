package dev.dossier.runtime.compute;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicIntegerArray;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

class ParallelTest {
    private static final int DEFAULT_THREADS = Parallel.threads();
    /** Enough operations per index that every call below is split across threads. */
    private static final long COSTLY = 1_000_000;

    @BeforeEach
    void fourThreads() {
        Parallel.setThreads(4);
    }

    @AfterEach
    void restoreThreads() {
        Parallel.setThreads(DEFAULT_THREADS);
    }

    @Test
    void everyIndexRunsExactlyOnceAcrossThreads() {
        Set<String> threadNames = ConcurrentHashMap.newKeySet();
        for (int call = 0; call < 200; call++) {
            AtomicIntegerArray runs = new AtomicIntegerArray(1000);
            Parallel.forEach(runs.length(), COSTLY, i -> {
                runs.incrementAndGet(i);
                threadNames.add(Thread.currentThread().getName());
                busyFor(2_000);
            });
            for (int i = 0; i < runs.length(); i++) {
                assertEquals(1, runs.get(i), "index " + i + " of call " + call);
            }
        }
        assertTrue(threadNames.stream().anyMatch(name -> name.startsWith("dossier-worker-")),
                "the workers took part: " + threadNames);
    }

    @Test
    void aFailingBodyReachesTheCallerAndThePoolStaysUsable() {
        IllegalStateException failure = new IllegalStateException("row 7 is bad");
        IllegalStateException thrown = assertThrows(IllegalStateException.class, () ->
                Parallel.forEach(64, COSTLY, i -> {
                    if (i == 7) {
                        throw failure;
                    }
                }));
        assertSame(failure, thrown);

        AtomicIntegerArray runs = new AtomicIntegerArray(64);
        Parallel.forEach(runs.length(), COSTLY, runs::incrementAndGet);
        for (int i = 0; i < runs.length(); i++) {
            assertEquals(1, runs.get(i));
        }
    }

    @Test
    void aCallFromInsideABodyRunsOnItsCaller() {
        AtomicIntegerArray runs = new AtomicIntegerArray(16 * 16);
        Parallel.forEach(16, COSTLY, outer -> {
            String thread = Thread.currentThread().getName();
            Parallel.forEach(16, COSTLY, inner -> {
                assertEquals(thread, Thread.currentThread().getName());
                runs.incrementAndGet(outer * 16 + inner);
            });
        });
        for (int i = 0; i < runs.length(); i++) {
            assertEquals(1, runs.get(i));
        }
    }

    @Test
    void callersOnSeveralThreadsEachGetTheirWholeRange() throws Exception {
        int callers = 3;
        AtomicIntegerArray[] runs = new AtomicIntegerArray[callers];
        Thread[] threads = new Thread[callers];
        for (int c = 0; c < callers; c++) {
            AtomicIntegerArray mine = runs[c] = new AtomicIntegerArray(500);
            threads[c] = Thread.ofPlatform().start(() -> {
                for (int call = 0; call < 50; call++) {
                    Parallel.forEach(mine.length(), COSTLY, mine::incrementAndGet);
                }
            });
        }
        for (Thread thread : threads) {
            thread.join();
        }
        for (AtomicIntegerArray mine : runs) {
            for (int i = 0; i < mine.length(); i++) {
                assertEquals(50, mine.get(i));
            }
        }
    }

    /**
     * The caller owns the first quarter of the range (4 threads) and runs its own pieces front to
     * back; when its pieces are slow, the idle workers take the last of them.
     */
    @Test
    void theCallerStartsItsOwnShareAndIdleThreadsTakeTheLastPiecesOfASlowShare() {
        int n = 16;
        String caller = Thread.currentThread().getName();
        String[] ranOn = new String[n];
        Parallel.forEach(n, COSTLY, i -> {
            ranOn[i] = Thread.currentThread().getName();
            if (i < n / 4) {
                busyFor(50_000_000);
            }
        });
        assertEquals(caller, ranOn[0], "the caller starts at the front of its own share");
        assertNotEquals(caller, ranOn[n / 4 - 1], "an idle worker took the slow share's last piece: " + String.join(", ", ranOn));
    }

    @Test
    void rejectsFewerThanOneThread() {
        assertThrows(IllegalArgumentException.class, () -> Parallel.setThreads(0));
    }

    private static void busyFor(long nanos) {
        long end = System.nanoTime() + nanos;
        while (System.nanoTime() < end) {
            Thread.onSpinWait();
        }
    }
}
