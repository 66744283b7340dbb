package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.function.IntUnaryOperator;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * Blocks of 32 (22 bytes): an f16 scale d, a little-endian 32-bit word qh whose bit j is the
 * fifth (top) bit of value j, then 16 bytes of low 4 bits laid out as in Q4_0: the low nibble
 * of byte j is value j and the high nibble value j + 16. value = d * (q - 16), q in 0..31.
 */
public final class Q5_0Tensor extends FloatTensor {
    private static final int BLOCK_SIZE = 32;
    private static final int HALF = BLOCK_SIZE / 2;
    private static final int BLOCK_BYTES = 2 + 4 + HALF;
    private static final int QH = 2;          // byte offsets within a block
    private static final int NIBBLES = 6;

    static final ValueLayout.OfInt I32_LE = ValueLayout.JAVA_INT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    /** For {@link #withFifthBits}: int lanes of the byte vector's width, and per byte lane k the byte (k / 8) and bit (k % 8) it tests. */
    private static final VectorSpecies<Integer> WORD_LANES = B_SPECIES.withLanes(int.class);
    private static final ByteVector SPREAD = laneTable(k -> k / 8);
    private static final ByteVector LANE_BITS = laneTable(k -> 1 << (k % 8));

    private static ByteVector laneTable(IntUnaryOperator lane) {
        byte[] table = new byte[B_SPECIES.length()];
        for (int k = 0; k < table.length; k++) {
            table[k] = (byte) lane.applyAsInt(k);
        }
        return ByteVector.fromArray(B_SPECIES, table, 0);
    }

    public Q5_0Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q5_0;
    }

    @Override
    public float getFloat(long index) {
        long at = index / BLOCK_SIZE * BLOCK_BYTES;
        int within = (int) (index % BLOCK_SIZE);
        int packed = u8(data, at + NIBBLES + within % HALF);
        int low = within < HALF ? packed & 0xF : packed >>> 4;
        int high = (data.get(I32_LE, at + QH) >>> within) & 1;
        return f16(data, at) * ((low | high << 4) - 16);
    }

    /**
     * {@code nibbles} (values v.. of a block) with 16 added where their fifth bit is set; bit k of
     * {@code bits} is lane k's. Each lane gets its byte of {@code bits} (byte k / 8) by a byte
     * shuffle and tests its own bit in it. (A mask made straight from the bits with
     * {@code VectorMask.fromLong} reads better, but made the whole kernel 5x slower on AVX2.)
     */
    static ByteVector withFifthBits(ByteVector nibbles, int bits) {
        ByteVector words = ((IntVector) IntVector.broadcast(WORD_LANES, bits)).reinterpretAsBytes();
        VectorMask<Byte> set = SPREAD.selectFrom(words).and(LANE_BITS).compare(VectorOperators.NE, 0);
        return nibbles.add((byte) 16, set);
    }

    /** The -16 offset is taken out of the loop: sum((q - 16) * x) = sum(q * x) - 16 * sum(x). */
    @Override
    protected float dotBlocks(long firstBlock, int blocks, float[] that, int thatOffset) {
        FloatVector acc = FloatVector.zero(F_SPECIES);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            int qh = data.get(I32_LE, at + QH);
            int x = thatOffset + b * BLOCK_SIZE;
            FloatVector sum = FloatVector.zero(F_SPECIES);
            FloatVector xSum = FloatVector.zero(F_SPECIES);
            for (int i = 0; i < HALF; i += B_SPECIES.length()) {
                ByteVector packed = loadBytes(data, at + NIBBLES + i);
                ByteVector first = withFifthBits(packed.and((byte) 0xF), qh >>> i);
                ByteVector second = withFifthBits(packed.lanewise(VectorOperators.LSHR, 4), qh >>> (HALF + i));
                for (int part = 0; part < PARTS; part++) {
                    int lane = x + i + part * F_SPECIES.length();
                    FloatVector firstX = FloatVector.fromArray(F_SPECIES, that, lane);
                    FloatVector secondX = FloatVector.fromArray(F_SPECIES, that, lane + HALF);
                    xSum = xSum.add(firstX).add(secondX);
                    sum = widen(first, part).fma(firstX, widen(second, part).fma(secondX, sum));
                }
            }
            acc = xSum.mul(-16f).add(sum).fma(FloatVector.broadcast(F_SPECIES, f16(data, at)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    protected void dequantizeBlocks(long firstBlock, int blocks, float[] out, int outOffset) {
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            FloatVector scale = FloatVector.broadcast(F_SPECIES, f16(data, at));
            int qh = data.get(I32_LE, at + QH);
            int o = outOffset + b * BLOCK_SIZE;
            for (int i = 0; i < HALF; i += B_SPECIES.length()) {
                ByteVector packed = loadBytes(data, at + NIBBLES + i);
                ByteVector first = withFifthBits(packed.and((byte) 0xF), qh >>> i).sub((byte) 16);
                ByteVector second = withFifthBits(packed.lanewise(VectorOperators.LSHR, 4), qh >>> (HALF + i)).sub((byte) 16);
                for (int part = 0; part < PARTS; part++) {
                    int lane = i + part * F_SPECIES.length();
                    widen(first, part).mul(scale).intoArray(out, o + lane);
                    widen(second, part).mul(scale).intoArray(out, o + HALF + lane);
                }
            }
        }
    }

    /**
     * As Q4_0 with one more bit: d = (the value of largest magnitude) / -16, so that value maps
     * exactly to code 0 and the codes cover [-16d, 15d]; q = x / d + 16, rounded, capped at 31.
     */
    static void quantizeBlock(float[] values, int from, ByteBuffer out) {
        float amax = 0;
        float max = 0;
        for (int i = 0; i < BLOCK_SIZE; i++) {
            float v = values[from + i];
            if (Math.abs(v) > amax) {
                amax = Math.abs(v);
                max = v;
            }
        }
        float d = max / -16;
        float inverse = d != 0 ? 1 / d : 0;
        int[] q = new int[BLOCK_SIZE];
        int qh = 0;
        for (int i = 0; i < BLOCK_SIZE; i++) {
            q[i] = Math.min(31, (int) (values[from + i] * inverse + 16.5f));
            qh |= (q[i] >>> 4) << i;
        }
        out.putShort(Float.floatToFloat16(d));
        out.putInt(qh);
        for (int j = 0; j < HALF; j++) {
            out.put((byte) ((q[j] & 0xF) | (q[j + HALF] & 0xF) << 4));
        }
    }
}
