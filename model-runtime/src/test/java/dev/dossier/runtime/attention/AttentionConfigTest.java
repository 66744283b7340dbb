package dev.dossier.runtime.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

/** The worked examples and position rules of shared/design/dca.md. */
class AttentionConfigTest {
    private static final AttentionConfig EXAMPLE_1 = new AttentionConfig(true, 6, 2);

    /** Example 1 (CS = 6, LS = 2, L = 4, n = 16): the distance RoPE sees, row i, column j. */
    private static final int[][] EXAMPLE_1_DISTANCES = {
            {0},
            {1, 0},
            {2, 1, 0},
            {3, 2, 1, 0},
            {4, 3, 2, 1, 0},
            {5, 4, 3, 2, 1, 0},
            {6, 5, 4, 3, 2, 1, 0},
            {6, 5, 4, 3, 3, 2, 1, 0},
            {6, 5, 4, 3, 4, 3, 2, 1, 0},
            {6, 5, 4, 3, 5, 4, 3, 2, 1, 0},
            {6, 5, 4, 3, 6, 5, 4, 3, 2, 1, 0},
            {6, 5, 4, 3, 6, 5, 4, 3, 3, 2, 1, 0},
            {6, 5, 4, 3, 6, 5, 4, 3, 4, 3, 2, 1, 0},
            {6, 5, 4, 3, 6, 5, 4, 3, 5, 4, 3, 2, 1, 0},
            {6, 5, 4, 3, 6, 5, 4, 3, 6, 5, 4, 3, 2, 1, 0},
            {6, 5, 4, 3, 6, 5, 4, 3, 6, 5, 4, 3, 3, 2, 1, 0},
    };

    @Test
    void unsetDcaSettingsTakeThePapersDefaults() {
        assertEquals(new AttentionConfig(true, 3072, 512), AttentionConfig.dcaOrDefaults(null, null, 4096));
        assertEquals(new AttentionConfig(true, 2048, 512), AttentionConfig.dcaOrDefaults(2048, null, 4096));
        assertEquals(new AttentionConfig(true, 3072, 256), AttentionConfig.dcaOrDefaults(null, 256, 4096));
        assertThrows(IllegalArgumentException.class, () -> AttentionConfig.dcaOrDefaults(5000, null, 4096));
    }

    @Test
    void example1DistanceTable() {
        assertEquals(4, EXAMPLE_1.chunkLength());
        for (int i = 0; i < 16; i++) {
            for (int j = 0; j <= i; j++) {
                assertEquals(EXAMPLE_1_DISTANCES[i][j], EXAMPLE_1.distance(i, j), "distance i=" + i + " j=" + j);
            }
        }
    }

    @Test
    void example1KeyPositionsRepeatEveryChunk() {
        for (int j = 0; j < 16; j++) {
            assertEquals(j % 4, EXAMPLE_1.keyPosition(j));
        }
    }

    /** Example 1's decoding trace: position p attends intra, successive and inter parts. */
    @Test
    void example1DecodingTrace() {
        assertParts(EXAMPLE_1, 0, null, null, new AttentionPart(0, 1, 0));
        assertParts(EXAMPLE_1, 3, null, null, new AttentionPart(0, 4, 3));
        assertParts(EXAMPLE_1, 4, null, new AttentionPart(0, 4, 4), new AttentionPart(4, 5, 0));
        assertParts(EXAMPLE_1, 7, null, new AttentionPart(0, 4, 6), new AttentionPart(4, 8, 3));
        assertParts(EXAMPLE_1, 8, new AttentionPart(0, 4, 6), new AttentionPart(4, 8, 4), new AttentionPart(8, 9, 0));
        assertParts(EXAMPLE_1, 10, new AttentionPart(0, 4, 6), new AttentionPart(4, 8, 6), new AttentionPart(8, 11, 2));
        assertParts(EXAMPLE_1, 12, new AttentionPart(0, 8, 6), new AttentionPart(8, 12, 4), new AttentionPart(12, 13, 0));
    }

    /** Example 2: Llama 2 defaults, token 6000. */
    @Test
    void example2Llama2Defaults() {
        AttentionConfig config = AttentionConfig.dcaDefaults(4096);
        assertEquals(3072, config.chunkSize());
        assertEquals(512, config.localWindow());
        assertEquals(2560, config.chunkLength());
        assertEquals(880, config.keyPosition(6000));
        assertParts(config, 6000,
                new AttentionPart(0, 2560, 3072),
                new AttentionPart(2560, 5120, 3072),
                new AttentionPart(5120, 6001, 880));
        assertEquals(3072, config.distance(6000, 2560));
        assertEquals(513, config.distance(6000, 5119));
        assertEquals(0, config.distance(6000, 6000));
    }

    @Test
    void everyDistanceStaysBelowTheChunkSizeAndNearbyDistancesAreExact() {
        int[][] settings = {{6, 2}, {384, 64}, {10, 3}, {5, 4}, {9, 1}};
        for (int[] s : settings) {
            AttentionConfig config = new AttentionConfig(true, s[0], s[1]);
            for (int i = 0; i < 6 * config.chunkLength() + 3; i++) {
                for (int j = 0; j <= i; j++) {
                    int distance = config.distance(i, j);
                    assertTrue(distance >= 0 && distance <= config.chunkSize(), config + " i=" + i + " j=" + j + " distance " + distance);
                    // Exactness within the window holds when a chunk is longer than the window (L > LS).
                    if (config.chunkLength() > config.localWindow() && i - j < config.localWindow()) {
                        assertEquals(i - j, distance, "within the local window distances are exact: " + config + " i=" + i + " j=" + j);
                    }
                }
            }
        }
    }

    @Test
    void partsCoverEveryEarlierKeyExactlyOnce() {
        AttentionConfig config = new AttentionConfig(true, 7, 3);
        AttentionPart[] parts = new AttentionPart[3];
        for (int i = 0; i < 40; i++) {
            int n = config.parts(i, parts);
            int expectedStart = 0;
            for (int p = 0; p < n; p++) {
                assertEquals(expectedStart, parts[p].keyStart(), "parts are contiguous for query " + i);
                expectedStart = parts[p].keyEnd();
            }
            assertEquals(i + 1, expectedStart, "parts end at the query itself");
        }
    }

    @Test
    void plainRopeUsesTrueDistances() {
        AttentionConfig rope = AttentionConfig.rope();
        assertEquals(1000, rope.distance(1000, 0));
        assertEquals(1234, rope.keyPosition(1234));
    }

    @Test
    void invalidSettingsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> new AttentionConfig(true, 64, 64));
        assertThrows(IllegalArgumentException.class, () -> new AttentionConfig(true, 64, 0));
        assertThrows(IllegalArgumentException.class, () -> AttentionConfig.dca(600, 64, 512));
    }

    private static void assertParts(AttentionConfig config, int p, AttentionPart inter, AttentionPart successive, AttentionPart intra) {
        AttentionPart[] parts = new AttentionPart[3];
        int n = config.parts(p, parts);
        java.util.List<AttentionPart> expected = new java.util.ArrayList<>();
        if (inter != null) expected.add(inter);
        if (successive != null) expected.add(successive);
        expected.add(intra);
        assertEquals(expected, java.util.Arrays.asList(parts).subList(0, n), "parts of position " + p);
    }
}
