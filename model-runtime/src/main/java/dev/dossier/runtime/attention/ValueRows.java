package dev.dossier.runtime.attention;

import dev.dossier.runtime.compute.Parallel;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A float copy of one KV head's cached values, for prefill: every query of a block (block size
 * x query heads per KV head) reads every value, so decoding them once per block, in parallel,
 * is far cheaper than once per query.
 */
public final class ValueRows implements Values {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final int LANES = F.length();
    private static final boolean MANY_REGISTERS = F.vectorBitSize() >= 512;
    /** Values decoded per piece of the parallel fill. */
    private static final int FILL_STEP = 256;

    private final int headSize;
    private float[] rows = new float[0];
    /** How many values the last {@link #fill} copied. */
    private int count;

    public ValueRows(int headSize) {
        this.headSize = headSize;
    }

    /** Decodes the first {@code count} values of head {@code kvHead} of {@code layer}. */
    public void fill(KvCache cache, int layer, int kvHead, int count) {
        if (rows.length < count * headSize) {
            rows = new float[Math.max(count * headSize, rows.length * 3 / 2)];
        }
        this.count = count;
        float[] target = rows;
        int steps = (count + FILL_STEP - 1) / FILL_STEP;
        Parallel.forRange(steps, (long) FILL_STEP * headSize, (from, to) -> {
            for (int s = from; s < to; s++) {
                int first = s * FILL_STEP;
                cache.readValues(layer, kvHead, first, Math.min(FILL_STEP, count - first), target, first * headSize);
            }
        });
    }

    @Override
    public void addWeighted(float[] into, float[] weights, int first, int n) {
        if (first + n > count) {
            throw new IndexOutOfBoundsException("values " + first + ".." + (first + n) + " of " + count + " copied");
        }
        HeadVectors.addWeighted(into, weights, n, rows, first * headSize, headSize);
    }

    /**
     * Four heads at a time when a head is four vectors (64 with AVX-512): each load of a value
     * row feeds four heads, 16 multiply-adds per 8 loads, where one head at a time did four per
     * five loads.
     */
    @Override
    public void addWeighted(float[][] into, float[][] weights, int heads, int first, int n) {
        if (first + n > count) {
            throw new IndexOutOfBoundsException("values " + first + ".." + (first + n) + " of " + count + " copied");
        }
        int h = 0;
        if (headSize == 4 * LANES && MANY_REGISTERS) {
            for (; h + 4 <= heads; h += 4) {
                fourHeads(into[h], into[h + 1], into[h + 2], into[h + 3], weights[h], weights[h + 1], weights[h + 2], weights[h + 3],
                        first * headSize, n);
            }
        }
        for (; h < heads; h++) {
            addWeighted(into[h], weights[h], first, n);
        }
    }

    /** Values {@code rows[at ..]} ({@code n} of them) into four heads. Its own method, with nothing but vector code (see {@link KeyColumns}). */
    private void fourHeads(float[] i0, float[] i1, float[] i2, float[] i3, float[] p0, float[] p1, float[] p2, float[] p3, int at, int n) {
        FloatVector a00 = FloatVector.fromArray(F, i0, 0), a01 = FloatVector.fromArray(F, i0, LANES);
        FloatVector a02 = FloatVector.fromArray(F, i0, 2 * LANES), a03 = FloatVector.fromArray(F, i0, 3 * LANES);
        FloatVector a10 = FloatVector.fromArray(F, i1, 0), a11 = FloatVector.fromArray(F, i1, LANES);
        FloatVector a12 = FloatVector.fromArray(F, i1, 2 * LANES), a13 = FloatVector.fromArray(F, i1, 3 * LANES);
        FloatVector a20 = FloatVector.fromArray(F, i2, 0), a21 = FloatVector.fromArray(F, i2, LANES);
        FloatVector a22 = FloatVector.fromArray(F, i2, 2 * LANES), a23 = FloatVector.fromArray(F, i2, 3 * LANES);
        FloatVector a30 = FloatVector.fromArray(F, i3, 0), a31 = FloatVector.fromArray(F, i3, LANES);
        FloatVector a32 = FloatVector.fromArray(F, i3, 2 * LANES), a33 = FloatVector.fromArray(F, i3, 3 * LANES);
        for (int k = 0; k < n; k++, at += 4 * LANES) {
            FloatVector v0 = FloatVector.fromArray(F, rows, at);
            FloatVector v1 = FloatVector.fromArray(F, rows, at + LANES);
            FloatVector v2 = FloatVector.fromArray(F, rows, at + 2 * LANES);
            FloatVector v3 = FloatVector.fromArray(F, rows, at + 3 * LANES);
            FloatVector w = FloatVector.broadcast(F, p0[k]);
            a00 = v0.fma(w, a00); a01 = v1.fma(w, a01); a02 = v2.fma(w, a02); a03 = v3.fma(w, a03);
            w = FloatVector.broadcast(F, p1[k]);
            a10 = v0.fma(w, a10); a11 = v1.fma(w, a11); a12 = v2.fma(w, a12); a13 = v3.fma(w, a13);
            w = FloatVector.broadcast(F, p2[k]);
            a20 = v0.fma(w, a20); a21 = v1.fma(w, a21); a22 = v2.fma(w, a22); a23 = v3.fma(w, a23);
            w = FloatVector.broadcast(F, p3[k]);
            a30 = v0.fma(w, a30); a31 = v1.fma(w, a31); a32 = v2.fma(w, a32); a33 = v3.fma(w, a33);
        }
        a00.intoArray(i0, 0); a01.intoArray(i0, LANES); a02.intoArray(i0, 2 * LANES); a03.intoArray(i0, 3 * LANES);
        a10.intoArray(i1, 0); a11.intoArray(i1, LANES); a12.intoArray(i1, 2 * LANES); a13.intoArray(i1, 3 * LANES);
        a20.intoArray(i2, 0); a21.intoArray(i2, LANES); a22.intoArray(i2, 2 * LANES); a23.intoArray(i2, 3 * LANES);
        a30.intoArray(i3, 0); a31.intoArray(i3, LANES); a32.intoArray(i3, 2 * LANES); a33.intoArray(i3, 3 * LANES);
    }
}
