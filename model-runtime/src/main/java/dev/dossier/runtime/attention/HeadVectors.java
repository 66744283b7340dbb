package dev.dossier.runtime.attention;

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

    private HeadVectors() {
    }

    private static VectorSpecies<Float> species(int n) {
        return n >= WIDE.length() ? WIDE : NARROW;
    }

    /** {@code sum(a[aOffset + d] * b[bOffset + d])} for {@code d < n}. */
    static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        VectorSpecies<Float> f = species(n);
        int bound = f.loopBound(n);
        float sum = 0;
        if (bound > 0) {
            FloatVector acc = FloatVector.fromArray(f, a, aOffset).mul(FloatVector.fromArray(f, b, bOffset));
            for (int d = f.length(); d < bound; d += f.length()) {
                acc = FloatVector.fromArray(f, a, aOffset + d).fma(FloatVector.fromArray(f, b, bOffset + d), acc);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (int d = bound; d < n; d++) {
            sum += a[aOffset + d] * b[bOffset + d];
        }
        return sum;
    }

    /** {@code into[d] += p * from[fromOffset + d]} for {@code d < n}. */
    static void addScaled(float[] into, float[] from, int fromOffset, float p, int n) {
        VectorSpecies<Float> f = species(n);
        int bound = f.loopBound(n);
        for (int d = 0; d < bound; d += f.length()) {
            FloatVector.fromArray(f, from, fromOffset + d).mul(p).add(FloatVector.fromArray(f, into, d)).intoArray(into, d);
        }
        for (int d = bound; d < n; d++) {
            into[d] += p * from[fromOffset + d];
        }
    }
}
