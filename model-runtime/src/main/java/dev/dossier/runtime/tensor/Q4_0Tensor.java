package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
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
     * The row kernels, chosen by the CPU's int vector. With 16 lanes (AVX-512) a block's 16 packed
     * bytes widen to 16 int lanes in one step; a mask gives values 0-15 and a shift values 16-31,
     * in order. With 8 lanes (AVX2), where the Vector API compiles that widening poorly (see
     * BENCHMARKS.md), 8 packed bytes are broadcast to the four 64-bit lanes, seen as 8 int lanes
     * alternating bytes 0-3 and 4-7, and two groups of 8 nibbles come out with one per-lane shift
     * each; the vector is reordered to match ({@link #valueInLane}). Narrower CPUs use
     * {@link #dotBlocks}.
     */
    private static final boolean WIDENING_KERNEL = IntVector.SPECIES_PREFERRED.length() >= 16;
    private static final boolean NIBBLE_KERNEL = !WIDENING_KERNEL && IntVector.SPECIES_PREFERRED.length() == 8;
    private static final VectorSpecies<Byte> PACKED = ByteVector.SPECIES_128;
    private static final VectorSpecies<Integer> WIDE_INTS = IntVector.SPECIES_512;
    private static final VectorSpecies<Float> WIDE_FLOATS = FloatVector.SPECIES_512;
    private static final VectorSpecies<Long> WORD_LANES = LongVector.SPECIES_256;
    private static final VectorSpecies<Integer> NIBBLE_LANES = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> ROW_FLOATS = FloatVector.SPECIES_256;
    /** Lane l reads nibble l / 2 (first group) or 4 + l / 2 (second) of bytes 0-3 (even l) or 4-7 (odd l). */
    private static final IntVector FIRST_NIBBLES = IntVector.fromArray(NIBBLE_LANES, new int[] {0, 0, 4, 4, 8, 8, 12, 12}, 0);
    private static final IntVector SECOND_NIBBLES = FIRST_NIBBLES.add(16);
    /** {@link #valueInLane} for every lane, so preparing a vector is a table lookup per value. */
    private static final int[] VALUE_IN_LANE = new int[BLOCK_SIZE];

    static {
        for (int lane = 0; lane < BLOCK_SIZE; lane++) {
            VALUE_IN_LANE[lane] = valueInLane(lane);
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
     * Each block's sum, for the -8 offset; for the 8-lane kernel also each block of 32 reordered
     * as it reads it (see {@link #valueInLane}).
     */
    @Override
    public RowOperand rowOperand(float[] x, int n) {
        if (!WIDENING_KERNEL && !NIBBLE_KERNEL) {
            return super.rowOperand(x, n);
        }
        float[] values = WIDENING_KERNEL ? x : new float[n];
        float[] sums = new float[n / BLOCK_SIZE];
        for (int b = 0; b < sums.length; b++) {
            int base = b * BLOCK_SIZE;
            float sum = 0;
            for (int lane = 0; lane < BLOCK_SIZE; lane++) {
                sum += x[base + lane];
            }
            sums[b] = sum;
            if (NIBBLE_KERNEL) {
                for (int lane = 0; lane < BLOCK_SIZE; lane++) {
                    values[base + lane] = x[base + VALUE_IN_LANE[lane]];
                }
            }
        }
        return new RowOperand(values, sums);
    }

    /**
     * Which of a block's 32 values lane {@code lane} of the kernel's 4 groups of 8 holds: group g
     * takes bytes 0-7 (g < 2) or 8-15, nibbles 0-3 (even g) or 4-7 of each 4-byte word; within a
     * group, even lanes read the first word and odd lanes the second. Nibble n of the word at byte
     * 4w is byte 4w + n / 2's low (n even: value 4w + n / 2) or high nibble (value 4w + n / 2 + 16).
     */
    private static int valueInLane(int lane) {
        int group = lane / 8;
        int l = lane % 8;
        int word = 2 * (group / 2) + l % 2;
        int nibble = 4 * (group % 2) + l / 2;
        return 4 * word + nibble / 2 + (nibble % 2) * HALF;
    }

    /** sum(scale * (q - 8) * x) per block = scale * sum(q * x) - 8 * scale * sum(x); the second term needs only the block sums. */
    @Override
    public float dot(long offset, RowOperand x, int n) {
        if (WIDENING_KERNEL) {
            return widenedDot(offset / BLOCK_SIZE, x.values(), x.blockSums(), n / BLOCK_SIZE);
        }
        if (NIBBLE_KERNEL) {
            return nibbleDot(offset / BLOCK_SIZE, x.values(), x.blockSums(), n / BLOCK_SIZE);
        }
        return super.dot(offset, x, n);
    }

    private float widenedDot(long firstBlock, float[] x, float[] sums, int blocks) {
        FloatVector acc = FloatVector.zero(WIDE_FLOATS);
        float offsetTerm = 0;
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            int v = b * BLOCK_SIZE;
            IntVector packed = (IntVector) ByteVector.fromMemorySegment(PACKED, data, at + 2, ByteOrder.LITTLE_ENDIAN)
                    .convertShape(VectorOperators.B2I, WIDE_INTS, 0);
            FloatVector low = (FloatVector) packed.and(0xF).convert(VectorOperators.I2F, 0);
            FloatVector high = (FloatVector) packed.lanewise(VectorOperators.LSHR, 4).and(0xF).convert(VectorOperators.I2F, 0);
            FloatVector sum = high.fma(FloatVector.fromArray(WIDE_FLOATS, x, v + HALF), low.mul(FloatVector.fromArray(WIDE_FLOATS, x, v)));
            float scale = f16(data, at);
            acc = sum.fma(FloatVector.broadcast(WIDE_FLOATS, scale), acc);
            offsetTerm += scale * sums[b];
        }
        return acc.reduceLanes(VectorOperators.ADD) - 8 * offsetTerm;
    }

    private float nibbleDot(long firstBlock, float[] values, float[] sums, int blocks) {
        FloatVector acc = FloatVector.zero(ROW_FLOATS);
        float offsetTerm = 0;
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            int v = b * BLOCK_SIZE;
            IntVector first = words(at + 2);
            IntVector second = words(at + 10);
            FloatVector sum = nibbles(first, FIRST_NIBBLES).mul(FloatVector.fromArray(ROW_FLOATS, values, v));
            sum = nibbles(first, SECOND_NIBBLES).fma(FloatVector.fromArray(ROW_FLOATS, values, v + 8), sum);
            sum = nibbles(second, FIRST_NIBBLES).fma(FloatVector.fromArray(ROW_FLOATS, values, v + 16), sum);
            sum = nibbles(second, SECOND_NIBBLES).fma(FloatVector.fromArray(ROW_FLOATS, values, v + 24), sum);
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

    /**
     * d = (the value of largest magnitude) / -8, so that value maps exactly to code 0 and the
     * codes 0..15 cover [-8d, 7d]; q = x / d + 8, rounded, capped at 15.
     */
    static void quantizeBlock(float[] values, int from, ByteBuffer out) {
        float amax = 0;
        float max = 0;
        for (int i = 0; i < 32; i++) {
            float v = values[from + i];
            if (Math.abs(v) > amax) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -8;
        float inverse = d != 0 ? 1 / d : 0;
        out.putShort(Float.floatToFloat16(d));
        for (int i = 0; i < 16; i++) {
            int first = Math.min(15, (int) (values[from + i] * inverse + 8.5f));
            int second = Math.min(15, (int) (values[from + 16 + i] * inverse + 8.5f));
            out.put((byte) (first | second << 4));
        }
    }
}
