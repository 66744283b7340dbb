package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Blocks of 32: an f16 scale, then 32 signed bytes; value = scale * q. */
public final class Q8_0Tensor extends FloatTensor {

    public Q8_0Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public float getFloat(long index) {
        long block = index / 32;
        int within = (int) (index % 32);
        long at = block * 34;
        return f16(data, at) * data.get(ValueLayout.JAVA_BYTE, at + 2 + within);
    }

    @Override
    public float dot(long offset, float[] that, int thatOffset, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) {
            sum += getFloat(offset + i) * that[thatOffset + i];
        }
        return sum;
    }
}
