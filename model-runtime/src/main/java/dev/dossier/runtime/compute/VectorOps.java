package dev.dossier.runtime.compute;

import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/** Element-wise kernels of the forward pass. */
public final class VectorOps {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;

    private VectorOps() {
    }

    /** {@code sum(a[aOffset + i] * b[bOffset + i])} for {@code i < n}. */
    public static float dot(float[] a, int aOffset, float[] b, int bOffset, int n) {
        FloatVector acc = FloatVector.zero(F);
        int bound = F.loopBound(n);
        int i = 0;
        for (; i < bound; i += F.length()) {
            acc = FloatVector.fromArray(F, a, aOffset + i).fma(FloatVector.fromArray(F, b, bOffset + i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += a[aOffset + i] * b[bOffset + i];
        }
        return sum;
    }

    /** {@code out = x / rms(x) * weight}, over {@code size} values. */
    public static void rmsNorm(float[] out, int outOffset, float[] x, int xOffset, float[] weight, int size, float epsilon) {
        double sumOfSquares = 0;
        for (int i = 0; i < size; i++) {
            float v = x[xOffset + i];
            sumOfSquares += v * v;
        }
        float inverseRms = (float) (1.0 / Math.sqrt(sumOfSquares / size + epsilon));
        for (int i = 0; i < size; i++) {
            out[outOffset + i] = weight[i] * (inverseRms * x[xOffset + i]);
        }
    }

    /** SwiGLU over {@code [from, to)}: {@code gate = silu(gate) * up}, with the vector exp (an intrinsic on x86). */
    public static void swiglu(float[] gate, float[] up, int from, int to) {
        int i = from;
        for (; i + F.length() <= to; i += F.length()) {
            FloatVector g = FloatVector.fromArray(F, gate, i);
            FloatVector silu = g.div(g.neg().lanewise(VectorOperators.EXP).add(1f));
            silu.mul(FloatVector.fromArray(F, up, i)).intoArray(gate, i);
        }
        for (; i < to; i++) {
            float g = gate[i];
            gate[i] = g / (1f + (float) Math.exp(-g)) * up[i];
        }
    }

    /** {@code into[i] += other[i]} for i in {@code [from, to)}. */
    public static void add(float[] into, float[] other, int from, int to) {
        for (int i = from; i < to; i++) {
            into[i] += other[i];
        }
    }

    /** In-place softmax of {@code x[0..n)}. */
    public static void softmax(float[] x, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            x[i] = (float) Math.exp(x[i] - max);
            sum += x[i];
        }
        float inverse = (float) (1.0 / sum);
        for (int i = 0; i < n; i++) {
            x[i] *= inverse;
        }
    }

    /** {@code log(sum(exp(x)))} over {@code x[0..n)}, computed stably. */
    public static double logSumExp(float[] x, int n) {
        float max = Float.NEGATIVE_INFINITY;
        for (int i = 0; i < n; i++) {
            max = Math.max(max, x[i]);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            sum += Math.exp(x[i] - max);
        }
        return max + Math.log(sum);
    }
}
