package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Super-blocks of 256 (144 bytes): f16 d, f16 dmin, 12 bytes of packed 6-bit scales and mins
 * for 8 sub-blocks of 32, then 128 bytes of 4-bit values. Each 64 values share 32 bytes: the
 * first 32 in the low nibbles, the next 32 in the high ones. value = d * scale * q - dmin * min.
 */
public final class Q4_KTensor extends FloatTensor {
    private static final int BLOCK_SIZE = 256;
    private static final int BLOCK_BYTES = 144;
    private static final int SUB_BLOCK = 32;
    private static final int SCALES = 4;      // byte offset of the packed scales and mins
    private static final int NIBBLES = 16;    // byte offset of the 4-bit values

    public Q4_KTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_K;
    }

    @Override
    public float getFloat(long index) {
        long at = index / BLOCK_SIZE * BLOCK_BYTES;
        int within = (int) (index % BLOCK_SIZE);
        int subBlock = within / SUB_BLOCK;
        return f16(data, at) * scale(at, subBlock) * code(data, at, within) - f16(data, at + 2) * min(at, subBlock);
    }

    /** The 4-bit code of value {@code within} of the super-block at byte {@code at}. */
    static int code(MemorySegment data, long at, int within) {
        int packed = u8(data, at + NIBBLES + (within / 64) * 32 + within % 32);
        return within / 32 % 2 == 0 ? packed & 0xF : packed >>> 4;
    }

    private int scale(long at, int subBlock) {
        return scale(data, at, subBlock);
    }

    private int min(long at, int subBlock) {
        return min(data, at, subBlock);
    }

    /** The 6-bit scale of sub-block {@code subBlock} of the super-block at byte {@code at} (see {@link KQuants#scale}). */
    static int scale(MemorySegment data, long at, int subBlock) {
        return KQuants.scale(data, at + SCALES, subBlock);
    }

    /** The 6-bit min of sub-block {@code subBlock} of the super-block at byte {@code at}. */
    static int min(MemorySegment data, long at, int subBlock) {
        return KQuants.min(data, at + SCALES, subBlock);
    }

    @Override
    protected float dotBlocks(long firstBlock, int blocks, float[] that, int thatOffset) {
        FloatVector acc = FloatVector.zero(F_SPECIES);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(data, at);
            float dmin = f16(data, at + 2);
            for (int group = 0; group < 4; group++) { // 64 values: sub-blocks 2 * group (low nibbles) and 2 * group + 1 (high)
                FloatVector firstScale = FloatVector.broadcast(F_SPECIES, d * scale(at, 2 * group));
                FloatVector firstMin = FloatVector.broadcast(F_SPECIES, dmin * min(at, 2 * group));
                FloatVector secondScale = FloatVector.broadcast(F_SPECIES, d * scale(at, 2 * group + 1));
                FloatVector secondMin = FloatVector.broadcast(F_SPECIES, dmin * min(at, 2 * group + 1));
                int x = thatOffset + b * BLOCK_SIZE + group * 64;
                for (int i = 0; i < 32; i += B_SPECIES.length()) {
                    ByteVector packed = loadBytes(data, at + NIBBLES + group * 32 + i);
                    ByteVector first = packed.and((byte) 0xF);
                    ByteVector second = packed.lanewise(VectorOperators.LSHR, 4);
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
                FloatVector firstScale = FloatVector.broadcast(F_SPECIES, d * scale(at, 2 * group));
                FloatVector firstMin = FloatVector.broadcast(F_SPECIES, dmin * min(at, 2 * group));
                FloatVector secondScale = FloatVector.broadcast(F_SPECIES, d * scale(at, 2 * group + 1));
                FloatVector secondMin = FloatVector.broadcast(F_SPECIES, dmin * min(at, 2 * group + 1));
                int o = outOffset + b * BLOCK_SIZE + group * 64;
                for (int i = 0; i < 32; i += B_SPECIES.length()) {
                    ByteVector packed = loadBytes(data, at + NIBBLES + group * 32 + i);
                    ByteVector first = packed.and((byte) 0xF);
                    ByteVector second = packed.lanewise(VectorOperators.LSHR, 4);
                    for (int part = 0; part < PARTS; part++) {
                        int lane = i + part * F_SPECIES.length();
                        widen(first, part).mul(firstScale).sub(firstMin).intoArray(out, o + lane);
                        widen(second, part).mul(secondScale).sub(secondMin).intoArray(out, o + 32 + lane);
                    }
                }
            }
        }
    }

    /**
     * Encodes the block of values from {@code from} into {@code out}, as ggml's reference quantizer
     * (quantize_row_q4_K_ref) does: each sub-block of 32 fitted as scale * q - min, q in 0..15.
     */
    static void quantizeBlock(float[] values, int from, ByteBuffer out) {
        int[] codes = KQuants.affineSuperBlock(values, from, 15, -1f, 20, out);
        for (int group = 0; group < 256; group += 64) {
            for (int l = 0; l < 32; l++) {
                out.put((byte) (codes[group + l] | codes[group + 32 + l] << 4));
            }
        }
    }
}
