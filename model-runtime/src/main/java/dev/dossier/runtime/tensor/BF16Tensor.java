package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** bfloat16: the top 16 bits of a float32. */
public final class BF16Tensor extends FloatTensor {

    public BF16Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    @Override
    public float getFloat(long index) {
        return Float.intBitsToFloat(data.get(I16_LE, index * 2) << 16);
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
