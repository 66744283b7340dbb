package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Blocks of 32: an f16 scale, then 16 bytes of 4-bit values (low nibbles are values 0..15, high nibbles 16..31); value = scale * (q - 8). */
public final class Q4_0Tensor extends FloatTensor {

    public Q4_0Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public float getFloat(long index) {
        long block = index / 32;
        int within = (int) (index % 32);
        long at = block * 18;
        int packed = Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, at + 2 + (within & 15)));
        int q = within < 16 ? packed & 0xF : packed >>> 4;
        return f16(data, at) * (q - 8);
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
