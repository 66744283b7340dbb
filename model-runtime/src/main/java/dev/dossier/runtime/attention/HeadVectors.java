package dev.dossier.runtime.attention;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
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

    /**
     * {@code sum(a[d] * b[d])} for {@code d < n}, with {@code b} the native-order floats of
     * {@code segment} from byte {@code byteOffset} on (a cached key).
     */
    static float dot(float[] a, MemorySegment segment, long byteOffset, int n) {
        VectorSpecies<Float> f = species(n);
        int bound = f.loopBound(n);
        float sum = 0;
        if (bound > 0) {
            FloatVector acc = FloatVector.fromArray(f, a, 0).mul(load(f, segment, byteOffset));
            for (int d = f.length(); d < bound; d += f.length()) {
                acc = FloatVector.fromArray(f, a, d).fma(load(f, segment, byteOffset + (long) d * Float.BYTES), acc);
            }
            sum = acc.reduceLanes(VectorOperators.ADD);
        }
        for (int d = bound; d < n; d++) {
            sum += a[d] * segment.get(ValueLayout.JAVA_FLOAT, byteOffset + (long) d * Float.BYTES);
        }
        return sum;
    }

    /**
     * {@code into[d] += p * from[d]} for {@code d < n}, with {@code from} the native-order floats
     * of {@code segment} from byte {@code byteOffset} on (a cached value).
     */
    static void addScaled(float[] into, MemorySegment segment, long byteOffset, float p, int n) {
        VectorSpecies<Float> f = species(n);
        int bound = f.loopBound(n);
        for (int d = 0; d < bound; d += f.length()) {
            load(f, segment, byteOffset + (long) d * Float.BYTES).mul(p).add(FloatVector.fromArray(f, into, d)).intoArray(into, d);
        }
        for (int d = bound; d < n; d++) {
            into[d] += p * segment.get(ValueLayout.JAVA_FLOAT, byteOffset + (long) d * Float.BYTES);
        }
    }

    private static FloatVector load(VectorSpecies<Float> species, MemorySegment segment, long byteOffset) {
        return FloatVector.fromMemorySegment(species, segment, byteOffset, ByteOrder.nativeOrder());
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
