package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Super-blocks of 256 (210 bytes): 128 bytes of low 4 bits, 64 bytes of high 2 bits, 16 signed 8-bit scales (one per 16 values), f16 d; value = d * scale * (q - 32). */
public final class Q6_KTensor extends FloatTensor {

    public Q6_KTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q6_K;
    }

    @Override
    public float getFloat(long index) {
        long block = index / 256;
        int within = (int) (index % 256);
        long at = block * 210;
        int half = within / 128;          // two halves of 128 values
        int inHalf = within % 128;
        int quarter = inHalf / 32;        // which of the four 32-value groups within the half
        int l = inHalf % 32;
        long ql = at + half * 64;
        long qh = at + 128 + half * 32;
        long sc = at + 192 + half * 8;
        int low = u8(ql + l + (quarter % 2) * 32);
        low = quarter < 2 ? low & 0xF : low >>> 4;
        int high = (u8(qh + l) >>> (2 * quarter)) & 3;
        int q = (low | (high << 4)) - 32;
        int scale = data.get(ValueLayout.JAVA_BYTE, sc + l / 16 + 2 * quarter);
        return f16(data, at + 208) * scale * q;
    }

    private int u8(long byteOffset) {
        return Byte.toUnsignedInt(data.get(ValueLayout.JAVA_BYTE, byteOffset));
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
