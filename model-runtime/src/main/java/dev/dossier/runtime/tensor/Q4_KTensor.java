package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/** Super-blocks of 256 (144 bytes): f16 d, f16 dmin, 12 bytes of packed 6-bit scales and mins for 8 sub-blocks of 32, then 128 bytes of 4-bit values; value = d * scale * q - dmin * min. */
public final class Q4_KTensor extends FloatTensor {

    public Q4_KTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    public float getFloat(long index) {
        long block = index / 256;
        int within = (int) (index % 256);
        long at = block * 144;
        float d = f16(data, at);
        float dmin = f16(data, at + 2);
        int subBlock = within / 32;
        int scale;
        int min;
        long scales = at + 4;
        if (subBlock < 4) {
            scale = u8(scales + subBlock) & 63;
            min = u8(scales + subBlock + 4) & 63;
        } else {
            scale = (u8(scales + subBlock + 4) & 0xF) | ((u8(scales + subBlock - 4) >>> 6) << 4);
            min = (u8(scales + subBlock + 4) >>> 4) | ((u8(scales + subBlock) >>> 6) << 4);
        }
        // Each 64 values share 32 bytes: the first 32 in the low nibbles, the next 32 in the high ones.
        int packed = u8(at + 16 + (within / 64) * 32 + (within % 32));
        int q = (subBlock % 2 == 0) ? packed & 0xF : packed >>> 4;
        return d * scale * q - dmin * min;
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
