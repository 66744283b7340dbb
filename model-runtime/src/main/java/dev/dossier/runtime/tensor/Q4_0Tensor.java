package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
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
     * The row kernel unpacks 4 packed bytes (8 nibbles) into 8 int lanes with one broadcast and one
     * per-lane shift instead of widening bytes lane by lane, which the Vector API compiles poorly
     * on AVX2 (decoding 20-30% faster there, see BENCHMARKS.md). It needs 8 float lanes (AVX2,
     * AVX-512, SVE-256); narrower CPUs use {@link #dotBlocks}.
     */
    private static final VectorSpecies<Integer> NIBBLE_LANES = IntVector.SPECIES_256;
    private static final VectorSpecies<Float> ROW_FLOATS = FloatVector.SPECIES_256;
    private static final boolean NIBBLE_KERNEL = F_SPECIES.vectorBitSize() >= 256;
    private static final IntVector NIBBLE_SHIFTS = IntVector.fromArray(NIBBLE_LANES, new int[] {0, 4, 8, 12, 16, 20, 24, 28}, 0);
    private static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

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
     * Reorders each block of 32 as the nibble kernel reads it: word k of a block's packed bytes
     * (bytes 4k..4k+3) holds values 4k, 4k+16, 4k+1, 4k+17, ... in its successive nibbles. Also
     * each block's sum, for the -8 offset.
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
            for (int j = 0; j < HALF; j++) {
                float low = x[base + j];
                float high = x[base + j + HALF];
                values[base + 2 * j] = low;
                values[base + 2 * j + 1] = high;
                sum += low + high;
            }
            sums[b] = sum;
        }
        return new RowOperand(values, sums);
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
            FloatVector sum = nibbles(at + 2).mul(FloatVector.fromArray(ROW_FLOATS, values, v));
            sum = nibbles(at + 6).fma(FloatVector.fromArray(ROW_FLOATS, values, v + 8), sum);
            sum = nibbles(at + 10).fma(FloatVector.fromArray(ROW_FLOATS, values, v + 16), sum);
            sum = nibbles(at + 14).fma(FloatVector.fromArray(ROW_FLOATS, values, v + 24), sum);
            float scale = f16(data, at);
            acc = sum.fma(FloatVector.broadcast(ROW_FLOATS, scale), acc);
            offsetTerm += scale * sums[b];
        }
        return acc.reduceLanes(VectorOperators.ADD) - 8 * offsetTerm;
    }

    /** The 8 nibbles of the 4 bytes at {@code byteOffset}, low nibble first, as floats 0..15. */
    private FloatVector nibbles(long byteOffset) {
        return (FloatVector) IntVector.broadcast(NIBBLE_LANES, data.get(I32_LE, byteOffset))
                .lanewise(VectorOperators.LSHR, NIBBLE_SHIFTS)
                .and(0xF)
                .convert(VectorOperators.I2F, 0);
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
