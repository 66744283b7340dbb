package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** 32-bit floats, little-endian. */
public final class F32Tensor extends FloatTensor {

    public F32Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.F32;
    }

    @Override
    public float getFloat(long index) {
        return data.get(F32_LE, index * Float.BYTES);
    }

    @Override
    public float dot(long offset, float[] that, int thatOffset, int n) {
        FloatVector acc = FloatVector.zero(F_SPECIES);
        int step = F_SPECIES.length();
        int upper = F_SPECIES.loopBound(n);
        int i = 0;
        for (; i < upper; i += step) {
            FloatVector w = FloatVector.fromMemorySegment(F_SPECIES, data, (offset + i) * Float.BYTES, ByteOrder.LITTLE_ENDIAN);
            acc = w.fma(FloatVector.fromArray(F_SPECIES, that, thatOffset + i), acc);
        }
        float sum = acc.reduceLanes(VectorOperators.ADD);
        for (; i < n; i++) {
            sum += getFloat(offset + i) * that[thatOffset + i];
        }
        return sum;
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int n) {
        MemorySegment.copy(data, F32_LE, offset * Float.BYTES, out, outOffset, n);
    }
}
