package dev.dossier.runtime.attention;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.util.Random;
import org.junit.jupiter.api.Test;

class KvCacheTest {
    private static final int HEAD_SIZE = 40; // two 16-lane vectors and a tail

    @Test
    void halvesTakeHalfTheMemoryOfFloats() {
        KvCache floats = new KvCache(3, 2, HEAD_SIZE, 100, KvCache.Precision.F32);
        KvCache halves = new KvCache(3, 2, HEAD_SIZE, 100, KvCache.Precision.F16);
        assertEquals(2L * 3 * 2 * 100 * HEAD_SIZE * 4, floats.byteSize());
        assertEquals(floats.byteSize() / 2, halves.byteSize());
        assertEquals(100L * HEAD_SIZE * 2, halves.keys(2, 1).byteSize());
    }

    @Test
    void storedVectorsReadBackExactlyAsFloatsAndRoundedAsHalves() {
        Random random = new Random(3);
        for (KvCache.Precision precision : KvCache.Precision.values()) {
            KvCache cache = new KvCache(2, 2, HEAD_SIZE, 10, precision);
            float[][] keys = new float[10][HEAD_SIZE];
            float[][] values = new float[10][HEAD_SIZE];
            for (int p = 0; p < 10; p++) {
                for (int d = 0; d < HEAD_SIZE; d++) {
                    keys[p][d] = (float) random.nextGaussian() * 8;
                    values[p][d] = (float) random.nextGaussian() / 8;
                }
                cache.store(1, 1, p, keys[p], 0, values[p], 0);
            }
            float[] readKeys = new float[7 * HEAD_SIZE];
            float[] readValues = new float[7 * HEAD_SIZE];
            cache.readKeys(1, 1, 3, 7, readKeys, 0);
            cache.readValues(1, 1, 3, 7, readValues, 0);
            for (int p = 3; p < 10; p++) {
                for (int d = 0; d < HEAD_SIZE; d++) {
                    int at = (p - 3) * HEAD_SIZE + d;
                    assertEquals(expected(keys[p][d], precision), readKeys[at], precision + " key " + p + "/" + d);
                    assertEquals(expected(values[p][d], precision), readValues[at], precision + " value " + p + "/" + d);
                    // A half keeps 11 significant bits.
                    assertEquals(keys[p][d], readKeys[at], Math.abs(keys[p][d]) * 0x1p-11f);
                }
            }
            float[] untouched = new float[HEAD_SIZE];
            cache.readKeys(0, 1, 0, 1, untouched, 0);
            assertEquals(0f, untouched[0], "other heads are not written");
        }
    }

    private static float expected(float value, KvCache.Precision precision) {
        return precision == KvCache.Precision.F32 ? value : Float.float16ToFloat(Float.floatToFloat16(value));
    }
}
