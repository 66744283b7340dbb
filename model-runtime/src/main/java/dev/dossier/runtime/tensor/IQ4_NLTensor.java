package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Blocks of 32 (18 bytes): an f16 scale d, then 16 bytes of 4-bit codes laid out as in Q4_0
 * (the low nibble of byte j is value j, the high nibble value j + 16). The codes index a fixed
 * non-linear table ({@link #KVALUES}), denser near zero where weights cluster:
 * value = d * KVALUES[q].
 */
public final class IQ4_NLTensor extends FloatTensor {
    private static final int BLOCK_SIZE = 32;
    private static final int HALF = BLOCK_SIZE / 2;
    private static final int BLOCK_BYTES = 2 + HALF;

    /** ggml's kvalues_iq4nl: the value of each 4-bit code, before scaling. */
    static final byte[] KVALUES = {-127, -104, -83, -65, -49, -35, -22, -10, 1, 13, 25, 38, 53, 69, 89, 113};

    /**
     * The 16 packed bytes of a 32-value (sub-)block are loaded as one 128-bit vector, whatever
     * the float width: the table then fits one vector too, and a lookup is one byte shuffle
     * (pshufb) per 16 codes. {@link #CODE_PARTS} float vectors hold 16 values.
     */
    static final VectorSpecies<Byte> CODES = ByteVector.SPECIES_128;
    static final int CODE_PARTS = CODES.length() / F_SPECIES.length();
    static final ByteVector TABLE = ByteVector.fromArray(CODES, KVALUES, 0);

    /** Sub-blocks with no value of at least this magnitude get scale 0 (ggml's GROUP_MAX_EPS). */
    private static final float GROUP_MAX_EPS = 1e-15f;
    /** How many candidate scales either side of the plain one the search tries (ggml's ntry). */
    private static final int TRIES = 7;

    public IQ4_NLTensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.IQ4_NL;
    }

    @Override
    public float getFloat(long index) {
        long at = index / BLOCK_SIZE * BLOCK_BYTES;
        int within = (int) (index % BLOCK_SIZE);
        int packed = u8(data, at + 2 + within % HALF);
        int q = within < HALF ? packed & 0xF : packed >>> 4;
        return f16(data, at) * KVALUES[q];
    }

    /** The table values of the low (values 0..15) and high (16..31) nibbles of 16 packed bytes. */
    static ByteVector lowValues(ByteVector packed) {
        return packed.and((byte) 0xF).selectFrom(TABLE);
    }

    static ByteVector highValues(ByteVector packed) {
        return packed.lanewise(VectorOperators.LSHR, 4).selectFrom(TABLE);
    }

    static ByteVector loadCodes(MemorySegment segment, long byteOffset) {
        return ByteVector.fromMemorySegment(CODES, segment, byteOffset, ByteOrder.LITTLE_ENDIAN);
    }

    /** sum(KVALUES[q] * x) over the 32 values whose codes are {@code packed}, unscaled. */
    static FloatVector dot32(ByteVector packed, float[] that, int x) {
        ByteVector low = lowValues(packed);
        ByteVector high = highValues(packed);
        FloatVector sum = FloatVector.zero(F_SPECIES);
        for (int part = 0; part < CODE_PARTS; part++) {
            int lane = x + part * F_SPECIES.length();
            sum = widen(low, part).fma(FloatVector.fromArray(F_SPECIES, that, lane), sum);
            sum = widen(high, part).fma(FloatVector.fromArray(F_SPECIES, that, lane + HALF), sum);
        }
        return sum;
    }

    /** Writes scale * KVALUES[q] for the 32 values whose codes are {@code packed}. */
    static void dequantize32(ByteVector packed, float scale, float[] out, int o) {
        ByteVector low = lowValues(packed);
        ByteVector high = highValues(packed);
        FloatVector scaleVector = FloatVector.broadcast(F_SPECIES, scale);
        for (int part = 0; part < CODE_PARTS; part++) {
            int lane = o + part * F_SPECIES.length();
            widen(low, part).mul(scaleVector).intoArray(out, lane);
            widen(high, part).mul(scaleVector).intoArray(out, lane + HALF);
        }
    }

    /** Each block's table products are summed unscaled and multiplied by its scale once. */
    @Override
    protected float dotBlocks(long firstBlock, int blocks, float[] that, int thatOffset) {
        FloatVector acc = FloatVector.zero(F_SPECIES);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            FloatVector sum = dot32(loadCodes(data, at + 2), that, thatOffset + b * BLOCK_SIZE);
            acc = sum.fma(FloatVector.broadcast(F_SPECIES, f16(data, at)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    protected void dequantizeBlocks(long firstBlock, int blocks, float[] out, int outOffset) {
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            dequantize32(loadCodes(data, at + 2), f16(data, at), out, outOffset + b * BLOCK_SIZE);
        }
    }

    /**
     * d from {@link #bestScale}; each code is the table entry nearest x / d (taken against the
     * unrounded d, as ggml does). An all-zero block gets d = 0 and code 8 (table value 1, the
     * entry nearest 0), as ggml writes it.
     */
    static void quantizeBlock(float[] values, int from, ByteBuffer out) {
        float d = bestScale(values, from);
        float inverse = d != 0 ? 1 / d : 0;
        out.putShort(Float.floatToFloat16(d));
        for (int j = 0; j < HALF; j++) {
            int first = nearestCode(inverse * values[from + j]);
            int second = nearestCode(inverse * values[from + HALF + j]);
            out.put((byte) (first | second << 4));
        }
    }

    /**
     * The scale of the 32 values from {@code from}, searched as ggml's quantize_row_iq4_nl_impl
     * does without importance weights (the weight of a value is its square, so large values,
     * which matter most in a dot product, are fitted best). The table is asymmetric (-127 but
     * only +113), so which end the largest value should map to is not obvious: the search tries
     * mapping it to +127 (clamped to 113) and to -127 +- 7, takes each candidate's codes, and keeps
     * the least-squares scale for the codes that explain the most weighted energy
     * (sumQX^2 / sumQQ).
     */
    static float bestScale(float[] values, int from) {
        float amax = 0;
        float max = 0;
        for (int j = 0; j < BLOCK_SIZE; j++) {
            float v = values[from + j];
            if (Math.abs(v) > amax) {
                amax = Math.abs(v);
                max = v;
            }
        }
        if (amax < GROUP_MAX_EPS) {
            return 0;
        }
        Fit fit = fit(values, from, 1 / (-max / KVALUES[0]));
        float d = fit.sumQX / fit.sumQQ;
        float best = d * fit.sumQX;
        for (int t = -TRIES; t <= TRIES; t++) {
            fit = fit(values, from, (t + KVALUES[0]) / max);
            // best / d and sumQX / sumQQ compared without dividing: sumQX^2 / sumQQ > best.
            if (fit.sumQQ > 0 && fit.sumQX * fit.sumQX > best * fit.sumQQ) {
                d = fit.sumQX / fit.sumQQ;
                best = d * fit.sumQX;
            }
        }
        return d;
    }

    /** Weighted sums for the least-squares scale d = sumQX / sumQQ of fixed codes q, weights x^2. */
    private record Fit(float sumQX, float sumQQ) {
    }

    /** The codes nearest {@code inverse * x} for the 32 values from {@code from}, and their fit. */
    private static Fit fit(float[] values, int from, float inverse) {
        float sumQX = 0;
        float sumQQ = 0;
        for (int j = 0; j < BLOCK_SIZE; j++) {
            float x = values[from + j];
            float w = x * x;
            float q = KVALUES[nearestCode(inverse * x)];
            sumQX += w * q * x;
            sumQQ += w * q * q;
        }
        return new Fit(sumQX, sumQQ);
    }

    /** The code whose table value is nearest {@code x}; halfway between two, the higher. */
    static int nearestCode(float x) {
        if (x <= KVALUES[0]) {
            return 0;
        }
        if (x >= KVALUES[15]) {
            return 15;
        }
        int below = 0;  // KVALUES[below] <= x < KVALUES[above]
        int above = 15;
        while (above - below > 1) {
            int middle = (below + above) >>> 1;
            if (x < KVALUES[middle]) {
                above = middle;
            } else {
                below = middle;
            }
        }
        return x - KVALUES[below] < KVALUES[above] - x ? below : above;
    }
}
