package dev.dossier.runtime.attention;

import java.lang.foreign.MemorySegment;

/** A head's keys as the {@link KvCache} holds them: key after key, {@code headSize} floats each. */
public record KeyRows(MemorySegment keys, int headSize) implements Keys {
    @Override
    public void scores(float[] q, int first, int n, float scale, float[] scores) {
        HeadVectors.scores(q, keys, (long) first * headSize * Float.BYTES, n, headSize, scale, scores);
    }
}
