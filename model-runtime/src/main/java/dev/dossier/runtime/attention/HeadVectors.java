package dev.dossier.runtime.attention;

import dev.dossier.runtime.compute.VectorOps;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Vector kernels over one head (a few dozen floats): the widest float vector of this CPU that is
 * no wider than the common head sizes' divisors, so a head of 64 takes four 16-lane steps and a
 * head of 8 (stories260K) one 8-lane step instead of falling back to scalar code.
 */
final class HeadVectors {
    private static final VectorSpecies<Float> WIDE = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Float> NARROW = FloatVector.SPECIES_256.length() <= WIDE.length()
            ? FloatVector.SPECIES_256 : WIDE;
    /** Lanes of {@link #fourByFour}'s vectors. */
    static final int LANES = WIDE.length();
    /** Whether {@link #fourByFour} fits this CPU: its 16 accumulators and 5 operands need 32 vector registers (AVX-512). */
    static final boolean FOUR_BY_FOUR = WIDE.vectorBitSize() >= 512;

    private HeadVectors() {
    }

    private static VectorSpecies<Float> species(int n) {
        return n >= WIDE.length() ? WIDE : NARROW;
    }

    /**
     * {@code scores[k] = scale * sum(q[d] * key_k[d])} for the {@code n} keys from {@code offset}
     * of {@code keys} on, one head after another. Four keys at a time share each load of the
     * query, and each key costs one horizontal sum.
     */
    static void scores(float[] q, float[] keys, int offset, int n, int headSize, float scale, float[] scores) {
        VectorSpecies<Float> f = species(headSize);
        int k = 0;
        if (f.loopBound(headSize) == headSize) {
            for (; k + 4 <= n; k += 4) {
                int at = offset + k * headSize;
                FloatVector q0 = FloatVector.fromArray(f, q, 0);
                FloatVector a0 = q0.mul(FloatVector.fromArray(f, keys, at));
                FloatVector a1 = q0.mul(FloatVector.fromArray(f, keys, at + headSize));
                FloatVector a2 = q0.mul(FloatVector.fromArray(f, keys, at + 2 * headSize));
                FloatVector a3 = q0.mul(FloatVector.fromArray(f, keys, at + 3 * headSize));
                for (int d = f.length(); d < headSize; d += f.length()) {
                    FloatVector qd = FloatVector.fromArray(f, q, d);
                    a0 = FloatVector.fromArray(f, keys, at + d).fma(qd, a0);
                    a1 = FloatVector.fromArray(f, keys, at + headSize + d).fma(qd, a1);
                    a2 = FloatVector.fromArray(f, keys, at + 2 * headSize + d).fma(qd, a2);
                    a3 = FloatVector.fromArray(f, keys, at + 3 * headSize + d).fma(qd, a3);
                }
                scores[k] = a0.reduceLanes(VectorOperators.ADD) * scale;
                scores[k + 1] = a1.reduceLanes(VectorOperators.ADD) * scale;
                scores[k + 2] = a2.reduceLanes(VectorOperators.ADD) * scale;
                scores[k + 3] = a3.reduceLanes(VectorOperators.ADD) * scale;
            }
        }
        for (; k < n; k++) {
            scores[k] = VectorOps.dot(q, 0, keys, offset + k * headSize, headSize) * scale;
        }
    }

    /**
     * {@code into[d] += sum_k p[k] * value_k[d]} for the {@code n} values from {@code offset} of
     * {@code values} on: four vectors of {@code into} at a time stay in registers while every
     * value of the block is added, instead of a load and a store per value.
     */
    static void addWeighted(float[] into, float[] p, int n, float[] values, int offset, int headSize) {
        VectorSpecies<Float> f = species(headSize);
        int step = f.length();
        int d = 0;
        for (; d + 4 * step <= headSize; d += 4 * step) {
            FloatVector a0 = FloatVector.fromArray(f, into, d);
            FloatVector a1 = FloatVector.fromArray(f, into, d + step);
            FloatVector a2 = FloatVector.fromArray(f, into, d + 2 * step);
            FloatVector a3 = FloatVector.fromArray(f, into, d + 3 * step);
            for (int k = 0, at = offset + d; k < n; k++, at += headSize) {
                FloatVector pk = FloatVector.broadcast(f, p[k]);
                a0 = FloatVector.fromArray(f, values, at).fma(pk, a0);
                a1 = FloatVector.fromArray(f, values, at + step).fma(pk, a1);
                a2 = FloatVector.fromArray(f, values, at + 2 * step).fma(pk, a2);
                a3 = FloatVector.fromArray(f, values, at + 3 * step).fma(pk, a3);
            }
            a0.intoArray(into, d);
            a1.intoArray(into, d + step);
            a2.intoArray(into, d + 2 * step);
            a3.intoArray(into, d + 3 * step);
        }
        for (; d + step <= headSize; d += step) {
            FloatVector a = FloatVector.fromArray(f, into, d);
            for (int k = 0, at = offset + d; k < n; k++, at += headSize) {
                a = FloatVector.fromArray(f, values, at).fma(FloatVector.broadcast(f, p[k]), a);
            }
            a.intoArray(into, d);
        }
        for (; d < headSize; d++) {
            float sum = into[d];
            for (int k = 0; k < n; k++) {
                sum += p[k] * values[offset + k * headSize + d];
            }
            into[d] = sum;
        }
    }

    /**
     * The register tile of prefill attention, an outer product over four heads and four vectors:
     * {@code out_h[j * LANES ..] += scale * sum_{i < n} b_h[i] * a[at + i * rowStep + j * vectorStep ..]}
     * for heads {@code h < 4} and vectors {@code j < 4}. A query's scores against four groups of
     * 16 regrouped keys ({@link KeyColumns}) and a head's weighted sum of value rows of 64
     * ({@link ValueRows}) are both this product. Each load of {@code a}'s four vectors feeds four
     * heads and each broadcast of a {@code b_h[i]} four vectors, 16 FMAs per 8 loads, where one
     * head at a time did one or four per two or five loads (the tile of {@code MatMul}, for
     * attention). Needs {@link #FOUR_BY_FOUR}. Its own method, with nothing but vector code:
     * inside a larger one the compiler ran out of inlining budget, and vectors that leave
     * compiled code become objects (prefill three times slower, BENCHMARKS.md session 13).
     */
    static void fourByFour(float[] a, int at, int rowStep, int vectorStep, int n, float scale,
                           float[] b0, float[] b1, float[] b2, float[] b3, float[] o0, float[] o1, float[] o2, float[] o3) {
        FloatVector a00 = FloatVector.zero(WIDE), a01 = a00, a02 = a00, a03 = a00, a10 = a00, a11 = a00, a12 = a00, a13 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a23 = a00, a30 = a00, a31 = a00, a32 = a00, a33 = a00;
        for (int i = 0, c = at; i < n; i++, c += rowStep) {
            FloatVector v0 = FloatVector.fromArray(WIDE, a, c);
            FloatVector v1 = FloatVector.fromArray(WIDE, a, c + vectorStep);
            FloatVector v2 = FloatVector.fromArray(WIDE, a, c + 2 * vectorStep);
            FloatVector v3 = FloatVector.fromArray(WIDE, a, c + 3 * vectorStep);
            FloatVector w = FloatVector.broadcast(WIDE, b0[i]);
            a00 = v0.fma(w, a00); a01 = v1.fma(w, a01); a02 = v2.fma(w, a02); a03 = v3.fma(w, a03);
            w = FloatVector.broadcast(WIDE, b1[i]);
            a10 = v0.fma(w, a10); a11 = v1.fma(w, a11); a12 = v2.fma(w, a12); a13 = v3.fma(w, a13);
            w = FloatVector.broadcast(WIDE, b2[i]);
            a20 = v0.fma(w, a20); a21 = v1.fma(w, a21); a22 = v2.fma(w, a22); a23 = v3.fma(w, a23);
            w = FloatVector.broadcast(WIDE, b3[i]);
            a30 = v0.fma(w, a30); a31 = v1.fma(w, a31); a32 = v2.fma(w, a32); a33 = v3.fma(w, a33);
        }
        int l = LANES;
        FloatVector s = FloatVector.broadcast(WIDE, scale);
        a00.fma(s, FloatVector.fromArray(WIDE, o0, 0)).intoArray(o0, 0);
        a01.fma(s, FloatVector.fromArray(WIDE, o0, l)).intoArray(o0, l);
        a02.fma(s, FloatVector.fromArray(WIDE, o0, 2 * l)).intoArray(o0, 2 * l);
        a03.fma(s, FloatVector.fromArray(WIDE, o0, 3 * l)).intoArray(o0, 3 * l);
        a10.fma(s, FloatVector.fromArray(WIDE, o1, 0)).intoArray(o1, 0);
        a11.fma(s, FloatVector.fromArray(WIDE, o1, l)).intoArray(o1, l);
        a12.fma(s, FloatVector.fromArray(WIDE, o1, 2 * l)).intoArray(o1, 2 * l);
        a13.fma(s, FloatVector.fromArray(WIDE, o1, 3 * l)).intoArray(o1, 3 * l);
        a20.fma(s, FloatVector.fromArray(WIDE, o2, 0)).intoArray(o2, 0);
        a21.fma(s, FloatVector.fromArray(WIDE, o2, l)).intoArray(o2, l);
        a22.fma(s, FloatVector.fromArray(WIDE, o2, 2 * l)).intoArray(o2, 2 * l);
        a23.fma(s, FloatVector.fromArray(WIDE, o2, 3 * l)).intoArray(o2, 3 * l);
        a30.fma(s, FloatVector.fromArray(WIDE, o3, 0)).intoArray(o3, 0);
        a31.fma(s, FloatVector.fromArray(WIDE, o3, l)).intoArray(o3, l);
        a32.fma(s, FloatVector.fromArray(WIDE, o3, 2 * l)).intoArray(o3, 2 * l);
        a33.fma(s, FloatVector.fromArray(WIDE, o3, 3 * l)).intoArray(o3, 3 * l);
    }

    /** The largest of {@code x[0..n)}. */
    static float max(float[] x, int n) {
        int bound = WIDE.loopBound(n);
        float max = Float.NEGATIVE_INFINITY;
        if (bound > 0) {
            FloatVector acc = FloatVector.fromArray(WIDE, x, 0);
            for (int k = WIDE.length(); k < bound; k += WIDE.length()) {
                acc = acc.max(FloatVector.fromArray(WIDE, x, k));
            }
            max = acc.reduceLanes(VectorOperators.MAX);
        }
        for (int k = bound; k < n; k++) {
            max = Math.max(max, x[k]);
        }
        return max;
    }

    /**
     * {@code x[k] = exp(x[k] - shift)} for {@code k < n}, returning their sum: the vector exp (an
     * intrinsic on x86) does a whole key block in a few steps instead of one Math.exp per key.
     */
    static float expShifted(float[] x, int n, float shift) {
        int bound = WIDE.loopBound(n);
        FloatVector acc = FloatVector.zero(WIDE);
        for (int k = 0; k < bound; k += WIDE.length()) {
            FloatVector e = FloatVector.fromArray(WIDE, x, k).sub(shift).lanewise(VectorOperators.EXP);
            e.intoArray(x, k);
            acc = acc.add(e);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (int k = bound; k < n; k++) {
            x[k] = (float) Math.exp(x[k] - shift);
            sum += x[k];
        }
        return sum;
    }
}
