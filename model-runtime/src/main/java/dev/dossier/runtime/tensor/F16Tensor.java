package dev.dossier.runtime.tensor;

import dev.dossier.runtime.compute.Halves;
import dev.dossier.runtime.compute.VectorOps;
import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;

/**
 * IEEE half-precision floats. Every path widens runs of halves with {@link Halves#decode}, which
 * the JIT compiles to the CPU's own conversion instruction, into a float buffer that stays in the
 * L1 cache, and then works on floats: widening lane by lane with Vector API integer arithmetic (the
 * API has no half-to-float conversion) ran decoding at less than half this speed (BENCHMARKS.md,
 * session 9). GGUF's halves are little-endian, the byte order of every CPU the runtime runs on,
 * so {@link Halves}' native order reads them as they are.
 */
public final class F16Tensor extends FloatTensor {
    public F16Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public float getFloat(long index) {
        return f16(data, index * Short.BYTES);
    }

    @Override
    public float dot(long offset, float[] that, int thatOffset, int n) {
        return dot(offset, new float[n], that, thatOffset, n);
    }

    /** Decoding's product, with one row buffer for all the rows. */
    @Override
    public void dotRows(RowOperand x, int n, float[] out, int from, int to) {
        float[] row = new float[n];
        for (int r = from; r < to; r++) {
            out[r] = dot((long) r * n, row, x.values(), 0, n);
        }
    }

    /** The {@code n} halves at {@code offset} widened into {@code buffer}, then their dot product with {@code that}. */
    private float dot(long offset, float[] buffer, float[] that, int thatOffset, int n) {
        dequantize(offset, buffer, 0, n);
        return VectorOps.dot(buffer, 0, that, thatOffset, n);
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int n) {
        Halves.decode(data, offset * Short.BYTES, out, outOffset, n);
    }
}
