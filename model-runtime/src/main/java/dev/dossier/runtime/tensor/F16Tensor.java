package dev.dossier.runtime.tensor;

import dev.dossier.runtime.compute.Halves;
import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** IEEE half-precision floats. */
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
        return f16(data, index * 2);
    }

    @Override
    public float dot(long offset, float[] that, int thatOffset, int n) {
        FloatVector acc = FloatVector.zero(F_SPECIES);
        int upper = F_SPECIES.loopBound(n);
        int i = 0;
        for (; i < upper; i += F_SPECIES.length()) {
            acc = load(offset + i).fma(FloatVector.fromArray(F_SPECIES, that, thatOffset + i), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD) + scalarDot(offset + i, that, thatOffset + i, n - i);
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int n) {
        int upper = F_SPECIES.loopBound(n);
        int i = 0;
        for (; i < upper; i += F_SPECIES.length()) {
            load(offset + i).intoArray(out, outOffset + i);
        }
        scalarDequantize(offset + i, out, outOffset + i, n - i);
    }

    private FloatVector load(long index) {
        return Halves.load(data, index * 2, ByteOrder.LITTLE_ENDIAN);
    }
}
