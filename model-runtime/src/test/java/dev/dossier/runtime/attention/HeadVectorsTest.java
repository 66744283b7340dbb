package dev.dossier.runtime.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.util.Random;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/**
 * The score kernels against sums in doubles, for several head sizes and every key count and
 * start: the cache's rows (4 keys per query load, then one at a time) and the regrouped
 * {@link KeyColumns} (whole and partial groups).
 */
class HeadVectorsTest {
    @ParameterizedTest
    @ValueSource(ints = {8, 16, 64, 128})
    void scoresMatchDoubleSumsForEveryKeyCount(int headSize) {
        Random random = new Random(headSize);
        int maxKeys = 70;
        int skipped = 19; // blocks that start past the first cached key, inside and at a group's edge
        float[] q = gaussian(random, headSize);
        float[] keyValues = gaussian(random, (maxKeys + skipped) * headSize);
        MemorySegment keys = Arena.ofAuto().allocate((long) keyValues.length * Float.BYTES, 64);
        MemorySegment.copy(keyValues, 0, keys, ValueLayout.JAVA_FLOAT, 0, keyValues.length);
        float scale = 0.125f;
        KeyColumns columns = new KeyColumns(headSize);
        columns.fill(keys, maxKeys + skipped);
        for (Keys layout : new Keys[] {new KeyRows(keys, headSize), columns}) {
            for (int first = 0; first <= skipped; first++) {
                for (int n = 0; n <= maxKeys; n++) {
                    float[] scores = new float[maxKeys + 1];
                    scores[n] = 42f;
                    layout.scores(q, first, n, scale, scores);
                    for (int k = 0; k < n; k++) {
                        double expected = 0;
                        for (int d = 0; d < headSize; d++) {
                            expected += (double) q[d] * keyValues[(first + k) * headSize + d];
                        }
                        assertEquals(expected * scale, scores[k], 1e-5 * Math.sqrt(headSize),
                                layout.getClass().getSimpleName() + ": key " + k + " of " + n + " from " + first);
                    }
                    assertEquals(42f, scores[n], "nothing written past the last key");
                }
            }
        }
    }

    private static float[] gaussian(Random random, int n) {
        float[] values = new float[n];
        for (int i = 0; i < n; i++) {
            values[i] = (float) random.nextGaussian();
        }
        return values;
    }
}
