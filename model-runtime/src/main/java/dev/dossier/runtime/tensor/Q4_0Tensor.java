package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.LongVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Blocks of 32 (18 bytes): an f16 scale, then 16 bytes of 4-bit values; the low nibbles are
 * values 0..15 and the high nibbles values 16..31. value = scale * (q - 8).
 */
public final class Q4_0Tensor extends FloatTensor {
    private static final int BLOCK_SIZE = 32;
    private static final int HALF = BLOCK_SIZE / 2;
    private static final int BLOCK_BYTES = 2 + HALF;

    /**
     * The row kernel broadcasts 8 packed bytes to every 64-bit lane of a vector, seen as int lanes
     * alternating bytes 0-3 and 4-7, and unpacks the 16 nibbles with per-lane shifts (one vector of
     * 16 lanes, or two of 8), instead of widening bytes lane by lane, which the Vector API compiles
     * poorly on AVX2 (see BENCHMARKS.md). It runs on the widest int vector up to 512 bits and needs
     * at least 8 lanes (AVX2, AVX-512, SVE-256); narrower CPUs use {@link #dotBlocks}.
     */
    private static final VectorSpecies<Integer> NIBBLE_LANES = IntVector.SPECIES_PREFERRED.vectorBitSize() > 512
            ? IntVector.SPECIES_512 : IntVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Long> WORD_LANES = VectorSpecies.of(long.class, NIBBLE_LANES.vectorShape());
    private static final VectorSpecies<Float> ROW_FLOATS = VectorSpecies.of(float.class, NIBBLE_LANES.vectorShape());
    private static final int LANES = NIBBLE_LANES.length();
    private static final boolean NIBBLE_KERNEL = LANES >= 8;
    /** Vectors of nibbles per 8-byte broadcast. */
    private static final int GROUPS = NIBBLE_KERNEL ? 16 / LANES : 0;
    /** Group k's shifts: lane l reads nibble (k * LANES + l) / 2 of its 4-byte word. */
    private static final IntVector[] SHIFTS = new IntVector[GROUPS];

    /** {@link #valueInLane} for every lane, so preparing a vector is a table lookup per value. */
    private static final int[] VALUE_IN_LANE = new int[BLOCK_SIZE];

    static {
        for (int lane = 0; lane < BLOCK_SIZE; lane++) {
            VALUE_IN_LANE[lane] = valueInLane(lane);
        }
        for (int k = 0; k < GROUPS; k++) {
            int[] shifts = new int[LANES];
            for (int l = 0; l < LANES; l++) {
                shifts[l] = 4 * ((k * LANES + l) / 2);
            }
            SHIFTS[k] = IntVector.fromArray(NIBBLE_LANES, shifts, 0);
        }
    }

    private static final ValueLayout.OfLong I64_LE = ValueLayout.JAVA_LONG_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    public Q4_0Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public float getFloat(long index) {
        long at = index / BLOCK_SIZE * BLOCK_BYTES;
        int within = (int) (index % BLOCK_SIZE);
        int packed = u8(data, at + 2 + within % HALF);
        int q = within < HALF ? packed & 0xF : packed >>> 4;
        return f16(data, at) * (q - 8);
    }

    /**
     * Each block's products are summed unscaled and multiplied by its scale once; the -8 offset is
     * taken out of the loop too: sum((q - 8) * x) = sum(q * x) - 8 * sum(x).
     */
    @Override
    protected float dotBlocks(long firstBlock, int blocks, float[] that, int thatOffset) {
        FloatVector acc = FloatVector.zero(F_SPECIES);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            int x = thatOffset + b * BLOCK_SIZE;
            FloatVector sum = FloatVector.zero(F_SPECIES);
            FloatVector xSum = FloatVector.zero(F_SPECIES);
            for (int i = 0; i < HALF; i += B_SPECIES.length()) {
                ByteVector packed = loadBytes(data, at + 2 + i);
                for (int part = 0; part < PARTS; part++) {
                    int lane = x + i + part * F_SPECIES.length();
                    FloatVector first = FloatVector.fromArray(F_SPECIES, that, lane);
                    FloatVector second = FloatVector.fromArray(F_SPECIES, that, lane + HALF);
                    xSum = xSum.add(first).add(second);
                    sum = low(packed, part).fma(first, high(packed, part).fma(second, sum));
                }
            }
            acc = xSum.mul(-8f).add(sum).fma(FloatVector.broadcast(F_SPECIES, f16(data, at)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    /**
     * Reorders each block of 32 as the nibble kernel reads it (see {@link #valueInLane}). Also each
     * block's sum, for the -8 offset.
     */
    @Override
    public RowOperand rowOperand(float[] x, int n) {
        if (!NIBBLE_KERNEL) {
            return super.rowOperand(x, n);
        }
        float[] values = new float[n];
        float[] sums = new float[n / BLOCK_SIZE];
        for (int b = 0; b < sums.length; b++) {
            int base = b * BLOCK_SIZE;
            float sum = 0;
            for (int lane = 0; lane < BLOCK_SIZE; lane++) {
                values[base + lane] = x[base + VALUE_IN_LANE[lane]];
                sum += x[base + lane];
            }
            sums[b] = sum;
        }
        return new RowOperand(values, sums);
    }

    /**
     * Which of a block's 32 values the kernel's lane {@code lane} holds: lanes 0-15 unpack bytes
     * 0-7, lanes 16-31 bytes 8-15; within those 16, even lanes read the first 4-byte word and odd
     * lanes the second, nibble 0-7 in order. Nibble n of the word at byte 4w is byte 4w + n / 2's
     * low (n even: value 4w + n / 2) or high nibble (value 4w + n / 2 + 16).
     */
    private static int valueInLane(int lane) {
        int within = lane % 16;
        int word = 2 * (lane / 16) + within % 2;
        int nibble = within / 2;
        return 4 * word + nibble / 2 + (nibble % 2) * HALF;
    }

    /** sum(scale * (q - 8) * x) per block = scale * sum(q * x) - 8 * scale * sum(x); the second term needs only the block sums. */
    @Override
    public float dot(long offset, RowOperand x, int n) {
        if (!NIBBLE_KERNEL) {
            return super.dot(offset, x, n);
        }
        float[] values = x.values();
        float[] sums = x.blockSums();
        long firstBlock = offset / BLOCK_SIZE;
        FloatVector acc = FloatVector.zero(ROW_FLOATS);
        float offsetTerm = 0;
        for (int b = 0; b < n / BLOCK_SIZE; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            int v = b * BLOCK_SIZE;
            FloatVector sum = FloatVector.zero(ROW_FLOATS);
            for (int half = 0; half < 2; half++) {
                IntVector words = words(at + 2 + 8 * half);
                for (int k = 0; k < GROUPS; k++) {
                    sum = nibbles(words, SHIFTS[k]).fma(FloatVector.fromArray(ROW_FLOATS, values, v + 16 * half + LANES * k), sum);
                }
            }
            float scale = f16(data, at);
            acc = sum.fma(FloatVector.broadcast(ROW_FLOATS, scale), acc);
            offsetTerm += scale * sums[b];
        }
        return acc.reduceLanes(VectorOperators.ADD) - 8 * offsetTerm;
    }

    /** The 8 bytes at {@code byteOffset} in every 64-bit lane, seen as int lanes: bytes 0-3, 4-7, 0-3, ... */
    private IntVector words(long byteOffset) {
        return (IntVector) LongVector.broadcast(WORD_LANES, data.get(I64_LE, byteOffset)).reinterpretAsInts();
    }

    /** Each lane's nibble at its own shift, as floats 0..15. */
    private static FloatVector nibbles(IntVector words, IntVector shifts) {
        return (FloatVector) words.lanewise(VectorOperators.LSHR, shifts).and(0xF).convert(VectorOperators.I2F, 0);
    }

    /** The low nibbles (values 0..15 of the block) of {@code packed}, part {@code part}, as floats q (no -8). */
    private static FloatVector low(ByteVector packed, int part) {
        return widen(packed.and((byte) 0xF), part);
    }

    /** The high nibbles (values 16..31 of the block), part {@code part}, as floats q (no -8). */
    private static FloatVector high(ByteVector packed, int part) {
        return widen(packed.lanewise(VectorOperators.LSHR, 4), part);
    }

    @Override
    protected void dequantizeBlocks(long firstBlock, int blocks, float[] out, int outOffset) {
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            FloatVector scale = FloatVector.broadcast(F_SPECIES, f16(data, at));
            int o = outOffset + b * BLOCK_SIZE;
            for (int i = 0; i < HALF; i += B_SPECIES.length()) {
                ByteVector packed = loadBytes(data, at + 2 + i);
                ByteVector first = packed.and((byte) 0xF).sub((byte) 8);
                ByteVector second = packed.lanewise(VectorOperators.LSHR, 4).sub((byte) 8);
                for (int part = 0; part < PARTS; part++) {
                    int lane = i + part * F_SPECIES.length();
                    widen(first, part).mul(scale).intoArray(out, o + lane);
                    widen(second, part).mul(scale).intoArray(out, o + HALF + lane);
                }
            }
        }
    }
}
