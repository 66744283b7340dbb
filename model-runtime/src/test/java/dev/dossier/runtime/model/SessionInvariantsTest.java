package dev.dossier.runtime.model;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.runtime.Fixtures;
import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.attention.KvCache;
import java.util.Arrays;
import java.util.concurrent.CancellationException;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.EnumSource;

/** The DCA invariants of shared/design/dca.md, end to end on the real stories260K model. */
class SessionInvariantsTest {
    /**
     * Logits (up to about 20 here) computed along different paths agree to float rounding; the
     * vector kernels' sums may round differently before and after the JIT compiles them.
     */
    private static final float TOLERANCE = 1e-4f;
    /**
     * With an F16 cache the same key computed along two paths can differ in its last float bit and
     * so round to neighbouring halves (2^-11 apart); through stories260K's 5 layers of tiny heads
     * (8 dimensions) the logits then agree to about 0.01. A misplaced block boundary moves them by
     * whole units; the F32 runs of the same tests hold the algorithm to float rounding.
     */
    private static final float HALF_CACHE_TOLERANCE = 2e-2f;

    private static float tolerance(KvCache.Precision precision) {
        return precision == KvCache.Precision.F32 ? TOLERANCE : HALF_CACHE_TOLERANCE;
    }

    /** Small chunks (L = 32) so a few hundred tokens cross many chunk boundaries. */
    private static final AttentionConfig SMALL_CHUNKS = new AttentionConfig(true, 48, 16);

    private static Llama model;
    private static int[] tokens;

    @BeforeAll
    static void load() throws Exception {
        model = Llama.load(Fixtures.stories260K());
        String text = Fixtures.goldenGreedy256();
        tokens = model.tokenizer().encode(text + "\n" + text, true);
    }

    @AfterAll
    static void close() {
        model.close();
    }

    /** Invariant 1: up to one chunk length, DCA is plain RoPE attention. */
    @Test
    void dcaEqualsRopeWithinOneChunk() {
        AttentionConfig dca = AttentionConfig.dcaDefaults(model.config().contextLength());
        int n = dca.chunkLength();
        assertArrayEquals(allLogits(dca, n, 64), allLogits(AttentionConfig.rope(), n, 64), TOLERANCE);
    }

    /** ...and beyond it they differ: the comparison above can fail. */
    @Test
    void dcaDiffersFromRopePastOneChunk() {
        int n = 3 * SMALL_CHUNKS.chunkLength();
        float[] dca = allLogits(SMALL_CHUNKS, n, 64);
        float[] rope = allLogits(AttentionConfig.rope(), n, 64);
        int vocabulary = model.config().vocabularySize();
        int firstRowPastChunk = SMALL_CHUNKS.chunkLength() * vocabulary;
        assertArrayEquals(Arrays.copyOf(rope, firstRowPastChunk), Arrays.copyOf(dca, firstRowPastChunk), TOLERANCE);
        double largest = 0;
        for (int i = firstRowPastChunk; i < rope.length; i++) {
            largest = Math.max(largest, Math.abs(rope[i] - dca[i]));
        }
        assertTrue(largest > 100 * TOLERANCE, "past one chunk DCA must change the logits, max difference " + largest);
    }

    /** Invariant 3: prefill n then decode token n+1 equals prefill of n+1. */
    @ParameterizedTest
    @EnumSource(KvCache.Precision.class)
    void decodingAfterPrefillEqualsLongerPrefill(KvCache.Precision precision) {
        for (int n : new int[] {31, 32, 33, 64, 100, 200}) {
            Session incremental = new JavaSession(model, SMALL_CHUNKS, n + 1, JavaSession.DEFAULT_BLOCK, precision);
            incremental.prefill(tokens, 0, n, false, (p, l, o) -> { }, Session.Progress.NONE);
            float[] decoded = incremental.next(tokens[n]);

            Session whole = new JavaSession(model, SMALL_CHUNKS, n + 1, JavaSession.DEFAULT_BLOCK, precision);
            float[][] last = new float[1][];
            whole.prefill(tokens, 0, n + 1, false, (p, l, o) -> last[0] = row(l, o), Session.Progress.NONE);
            assertArrayEquals(last[0], decoded, tolerance(precision), "n = " + n);
        }
    }

    /** Invariant 4: where blocks are split does not change anything. */
    @ParameterizedTest
    @EnumSource(KvCache.Precision.class)
    void blockPrefillIsInvariantToBlockBoundaries(KvCache.Precision precision) {
        int n = 200;
        float[] reference = allLogits(SMALL_CHUNKS, n, 64, precision);
        for (int block : new int[] {1, 7, 32, 45, 200}) {
            assertArrayEquals(reference, allLogits(SMALL_CHUNKS, n, block, precision), tolerance(precision), "block size " + block);
        }
    }

    /** The cache of a prefix does not depend on what follows it: the basis of prefix caching. */
    @ParameterizedTest
    @EnumSource(KvCache.Precision.class)
    void truncatingAndRecomputingGivesTheSameLogits(KvCache.Precision precision) {
        int n = 150;
        Session session = new JavaSession(model, SMALL_CHUNKS, n, JavaSession.DEFAULT_BLOCK, precision);
        float[] first = lastLogits(session, 0, n);
        session.truncate(90);
        assertArrayEquals(first, lastLogits(session, 90, n), tolerance(precision));
    }

    /** A cancelled prefill keeps the blocks it finished, and the rest can be prefilled later. */
    @Test
    void cancellingKeepsFinishedBlocksAndResumes() {
        int n = 150;
        int block = 32;
        Session session = new JavaSession(model, SMALL_CHUNKS, n, block, KvCache.Precision.F32);
        Session.Progress interruptAfterTwoBlocks = (done, total) -> {
            if (done == 2 * block) {
                Thread.currentThread().interrupt();
            }
        };
        CancellationException e = assertThrows(CancellationException.class,
                () -> session.prefill(tokens, 0, n, false, (p, l, o) -> { }, interruptAfterTwoBlocks));
        assertEquals("prefill cancelled after 64 of 150 tokens", e.getMessage());
        assertEquals(2 * block, session.position());
        assertFalse(Thread.currentThread().isInterrupted(), "the interrupt is consumed by the cancellation");

        Session whole = new JavaSession(model, SMALL_CHUNKS, n, block, KvCache.Precision.F32);
        assertArrayEquals(lastLogits(whole, 0, n), lastLogits(session, 2 * block, n), TOLERANCE);
    }

    @Test
    void tooManyTokensAreRefusedWithTheNumbers() {
        Session session = new JavaSession(model, SMALL_CHUNKS, 10);
        ContextOverflowException e = assertThrows(ContextOverflowException.class,
                () -> session.prefill(tokens, 0, 11, false, (p, l, o) -> { }, Session.Progress.NONE));
        assertEquals(11, e.tokensNeeded());
        assertEquals(10, e.tokensAvailable());
        assertEquals(0, session.position(), "nothing was half-written");
    }

    @Test
    void aChunkSizeBeyondTheTrainingContextIsRefused() {
        assertThrows(IllegalArgumentException.class, () -> new JavaSession(model, new AttentionConfig(true, 600, 64), 100));
    }

    private static float[] allLogits(AttentionConfig config, int n, int block) {
        return allLogits(config, n, block, KvCache.Precision.F16);
    }

    private static float[] allLogits(AttentionConfig config, int n, int block, KvCache.Precision precision) {
        int vocabulary = model.config().vocabularySize();
        float[] all = new float[n * vocabulary];
        Session session = new JavaSession(model, config, n, block, precision);
        session.prefill(tokens, 0, n, true, (p, l, o) -> System.arraycopy(l, o, all, p * vocabulary, vocabulary), Session.Progress.NONE);
        return all;
    }

    private static float[] lastLogits(Session session, int from, int to) {
        float[][] last = new float[1][];
        session.prefill(tokens, from, to - from, false, (p, l, o) -> last[0] = row(l, o), Session.Progress.NONE);
        return last[0];
    }

    private static float[] row(float[] logits, int offset) {
        return Arrays.copyOfRange(logits, offset, offset + model.config().vocabularySize());
    }
}
