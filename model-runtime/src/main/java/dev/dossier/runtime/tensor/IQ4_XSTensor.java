package dev.dossier.runtime.tensor;

import static dev.dossier.runtime.tensor.IQ4_NLTensor.KVALUES;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/**
 * Super-blocks of 256 (136 bytes): f16 d, a little-endian 16-bit scales_h, 4 bytes scales_l,
 * then 128 bytes of 4-bit codes into IQ4_NL's non-linear table. Each of the 8 sub-blocks of 32
 * has a 6-bit scale ls: its low 4 bits are nibble (sub-block % 2) of scales_l[sub-block / 2],
 * its top 2 bits are bits 2 * sub-block of scales_h. Sub-block s uses the 16 code bytes from
 * 16s, laid out as an IQ4_NL block (low nibble of byte j is value j, high nibble value j + 16).
 * value = d * (ls - 32) * KVALUES[q].
 */
public final class IQ4_XSTensor extends FloatTensor {
    private static final int BLOCK_SIZE = 256;
    private static final int BLOCK_BYTES = 136;
    private static final int SUB_BLOCK = 32;
    private static final int SUB_BLOCKS = BLOCK_SIZE / SUB_BLOCK;
    private static final int SCALES_H = 2;    // byte offsets within a super-block
    private static final int SCALES_L = 4;
    private static final int CODES = 8;

    public IQ4_XSTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ4_XS;
    }

    @Override
    public float getFloat(long index) {
        long at = index / BLOCK_SIZE * BLOCK_BYTES;
        int within = (int) (index % BLOCK_SIZE);
        int subBlock = within / SUB_BLOCK;
        int j = within % SUB_BLOCK;
        int packed = u8(data, at + CODES + subBlock * 16 + j % 16);
        int q = j < 16 ? packed & 0xF : packed >>> 4;
        return f16(data, at) * scale(at, subBlock) * KVALUES[q];
    }

    /** Sub-block {@code subBlock}'s signed scale ls - 32, in -32..31. */
    private int scale(long at, int subBlock) {
        int low = (u8(data, at + SCALES_L + subBlock / 2) >>> 4 * (subBlock % 2)) & 0xF;
        int high = (data.get(I16_LE, at + SCALES_H) >>> 2 * subBlock) & 3;
        return (low | high << 4) - 32;
    }

    /**
     * Each sub-block's table products are summed unscaled and multiplied by d * (ls - 32) once.
     * That scale times any table value is exact in float (11 + 6 + 7 bits), so the order in which
     * dequantizing multiplies does not change the result either.
     */
    @Override
    protected float dotBlocks(long firstBlock, int blocks, float[] that, int thatOffset) {
        FloatVector acc = FloatVector.zero(F_SPECIES);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(data, at);
            for (int s = 0; s < SUB_BLOCKS; s++) {
                FloatVector sum = IQ4_NLTensor.dot32(IQ4_NLTensor.loadCodes(data, at + CODES + s * 16), that,
                        thatOffset + b * BLOCK_SIZE + s * SUB_BLOCK);
                acc = sum.fma(FloatVector.broadcast(F_SPECIES, d * scale(at, s)), acc);
            }
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    protected void dequantizeBlocks(long firstBlock, int blocks, float[] out, int outOffset) {
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            float d = f16(data, at);
            for (int s = 0; s < SUB_BLOCKS; s++) {
                IQ4_NLTensor.dequantize32(IQ4_NLTensor.loadCodes(data, at + CODES + s * 16), d * scale(at, s), out,
                        outOffset + b * BLOCK_SIZE + s * SUB_BLOCK);
            }
        }
    }

    /**
     * As ggml's quantize_iq4_xs without importance weights: each sub-block's best scale is
     * searched as for IQ4_NL; d = (the sub-block scale of largest magnitude) / -32 so that one maps
     * exactly to ls = 0, the end of the 6-bit range with the larger reach; each sub-block's scale
     * is rounded (half to even) to a multiple l of d in -32..31, and its codes are taken afresh
     * against the rounded scale d * l (with the unrounded d, as ggml does), since those are what
     * the reader multiplies by.
     */
    static void quantizeBlock(float[] values, int from, ByteBuffer out) {
        float[] scales = new float[SUB_BLOCKS];
        float maxScale = 0;
        for (int s = 0; s < SUB_BLOCKS; s++) {
            scales[s] = IQ4_NLTensor.bestScale(values, from + s * SUB_BLOCK);
            if (Math.abs(scales[s]) > Math.abs(maxScale)) {
                maxScale = scales[s];
            }
        }
        float d = -maxScale / 32;
        float inverse = d != 0 ? 1 / d : 0;
        int scalesH = 0;
        byte[] scalesL = new byte[SUB_BLOCKS / 2];
        byte[] codes = new byte[BLOCK_SIZE / 2];
        for (int s = 0; s < SUB_BLOCKS; s++) {
            int l = Math.max(-32, Math.min(31, (int) Math.rint(inverse * scales[s])));
            float dl = d * l;
            float inverseL = dl != 0 ? 1 / dl : 0;
            int base = from + s * SUB_BLOCK;
            for (int j = 0; j < 16; j++) {
                int first = IQ4_NLTensor.nearestCode(inverseL * values[base + j]);
                int second = IQ4_NLTensor.nearestCode(inverseL * values[base + 16 + j]);
                codes[s * 16 + j] = (byte) (first | second << 4);
            }
            int ls = l + 32;
            scalesL[s / 2] |= (byte) ((ls & 0xF) << 4 * (s % 2));
            scalesH |= (ls >>> 4) << 2 * s;
        }
        out.putShort(Float.floatToFloat16(d));
        out.putShort((short) scalesH);
        out.put(scalesL);
        out.put(codes);
    }
}
