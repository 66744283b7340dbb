package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Super-blocks of 256 (176 bytes): f16 d, f16 dmin, 12 bytes of packed 6-bit scales and mins
 * for 8 sub-blocks of 32 (as Q4_K's), qh[32] high bits, then 128 bytes of low 4 bits laid out
 * as Q4_K's values (each 64 values share 32 bytes: the first 32 in the low nibbles, the next 32
 * in the high ones). Value i's high bit is bit i / 32 of qh[i % 32]. value = d * scale * q -
 * dmin * min, q in 0..31.
 */
public final class Q5_KTensor extends FloatTensor {
    private static final int BLOCK_SIZE = 256;
    private static final int BLOCK_BYTES = 176;
    private static final int SUB_BLOCK = 32;
    private static final int SCALES = 4;      // byte offsets within a super-block
    private static final int QH = 16;
    private static final int NIBBLES = 48;

    public Q5_KTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_K;
    }

    @Override
    public float getFloat(long index) {
        long at = index / BLOCK_SIZE * BLOCK_BYTES;
        int within = (int) (index % BLOCK_SIZE);
        int subBlock = within / SUB_BLOCK;
        return f16(data, at) * scale(data, at, subBlock) * code(data, at, within) - f16(data, at + 2) * min(data, at, subBlock);
    }

    /** The 6-bit scale of sub-block {@code subBlock} of the super-block at byte {@code at}. */
    static int scale(MemorySegment data, long at, int subBlock) {
        return KQuants.scale(data, at + SCALES, subBlock);
    }

    /** The 6-bit min of sub-block {@code subBlock} of the super-block at byte {@code at}. */
    static int min(MemorySegment data, long at, int subBlock) {
        return KQuants.min(data, at + SCALES, subBlock);
    }

    /** The 5-bit code (0..31) of value {@code within} of the super-block at byte {@code at}. */
    static int code(MemorySegment data, long at, int within) {
        int subBlock = within / SUB_BLOCK;
        int l = within % 32;
        int packed = u8(data, at + NIBBLES + (within / 64) * 32 + l);
        int low = subBlock % 2 == 0 ? packed & 0xF : packed >>> 4;
        int high = (u8(data, at + QH + l) >>> subBlock) & 1;
        return low | high << 4;
    }

    @Override
    protected float dotBlocks(long firstBlock, int blocks, float[] that, int thatOffset) {
        FloatVector acc = FloatVector.zero(F_SPECIES);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(data, at);
            float dmin = f16(data, at + 2);
            for (int group = 0; group < 4; group++) { // 64 values: sub-blocks 2 * group (low nibbles) and 2 * group + 1 (high)
                FloatVector firstScale = FloatVector.broadcast(F_SPECIES, d * KQuants.scale(data, at + SCALES, 2 * group));
                FloatVector firstMin = FloatVector.broadcast(F_SPECIES, dmin * KQuants.min(data, at + SCALES, 2 * group));
                FloatVector secondScale = FloatVector.broadcast(F_SPECIES, d * KQuants.scale(data, at + SCALES, 2 * group + 1));
                FloatVector secondMin = FloatVector.broadcast(F_SPECIES, dmin * KQuants.min(data, at + SCALES, 2 * group + 1));
                int x = thatOffset + b * BLOCK_SIZE + group * 64;
                for (int i = 0; i < 32; i += B_SPECIES.length()) {
                    ByteVector packed = loadBytes(data, at + NIBBLES + group * 32 + i);
                    ByteVector high = loadBytes(data, at + QH + i);
                    ByteVector first = packed.and((byte) 0xF).or(topBit(high, 2 * group));
                    ByteVector second = packed.lanewise(VectorOperators.LSHR, 4).or(topBit(high, 2 * group + 1));
                    for (int part = 0; part < PARTS; part++) {
                        int lane = i + part * F_SPECIES.length();
                        FloatVector firstWeights = widen(first, part).mul(firstScale).sub(firstMin);
                        acc = firstWeights.fma(FloatVector.fromArray(F_SPECIES, that, x + lane), acc);
                        FloatVector secondWeights = widen(second, part).mul(secondScale).sub(secondMin);
                        acc = secondWeights.fma(FloatVector.fromArray(F_SPECIES, that, x + 32 + lane), acc);
                    }
                }
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    protected void dequantizeBlocks(long firstBlock, int blocks, float[] out, int outOffset) {
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(data, at);
            float dmin = f16(data, at + 2);
            for (int group = 0; group < 4; group++) {
                FloatVector firstScale = FloatVector.broadcast(F_SPECIES, d * KQuants.scale(data, at + SCALES, 2 * group));
                FloatVector firstMin = FloatVector.broadcast(F_SPECIES, dmin * KQuants.min(data, at + SCALES, 2 * group));
                FloatVector secondScale = FloatVector.broadcast(F_SPECIES, d * KQuants.scale(data, at + SCALES, 2 * group + 1));
                FloatVector secondMin = FloatVector.broadcast(F_SPECIES, dmin * KQuants.min(data, at + SCALES, 2 * group + 1));
                int o = outOffset + b * BLOCK_SIZE + group * 64;
                for (int i = 0; i < 32; i += B_SPECIES.length()) {
                    ByteVector packed = loadBytes(data, at + NIBBLES + group * 32 + i);
                    ByteVector high = loadBytes(data, at + QH + i);
                    ByteVector first = packed.and((byte) 0xF).or(topBit(high, 2 * group));
                    ByteVector second = packed.lanewise(VectorOperators.LSHR, 4).or(topBit(high, 2 * group + 1));
                    for (int part = 0; part < PARTS; part++) {
                        int lane = i + part * F_SPECIES.length();
                        widen(first, part).mul(firstScale).sub(firstMin).intoArray(out, o + lane);
                        widen(second, part).mul(secondScale).sub(secondMin).intoArray(out, o + 32 + lane);
                    }
                }
            }
        }
    }

    /** Bit {@code bit} of each byte of {@code high}, moved to bit 4: the value's 16s. */
    private static ByteVector topBit(ByteVector high, int bit) {
        return high.lanewise(VectorOperators.LSHR, bit).and((byte) 1).lanewise(VectorOperators.LSHL, 4);
    }

    /**
     * Encodes the block of values from {@code from} into {@code out}, as ggml's reference quantizer
     * (quantize_row_q5_K_ref) does: each sub-block of 32 fitted as scale * q - min, q in 0..31.
     */
    static void quantizeBlock(float[] values, int from, ByteBuffer out) {
        int[] codes = KQuants.affineSuperBlock(values, from, 31, -0.5f, 15, out);
        byte[] high = new byte[32];
        byte[] low = new byte[128];
        for (int i = 0; i < BLOCK_SIZE; i++) {
            high[i % 32] |= (byte) ((codes[i] >> 4) << (i / 32));
            low[i / 64 * 32 + i % 32] |= (byte) ((codes[i] & 0xF) << (i % 64 < 32 ? 0 : 4));
        }
        out.put(high);
        out.put(low);
    }
}
