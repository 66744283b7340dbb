package dev.dossier.runtime.tensor;

import dev.dossier.runtime.compute.Halves;
import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A Q4_0 weight matrix repacked for decoding: each row's blocks in groups of 32 side by side, so
 * that lane b of a vector belongs to block b. A group's nibbles are 16 chunks of 32 bytes (chunk k
 * holds byte k of every block: value k in its low nibble, value k + 16 in its high one); a row is
 * all its scales as halves (decoded to floats once per row), then its groups' nibbles, 576 bytes
 * per 32 blocks like the blocks it replaces. Scales first keeps a row's reads in address order,
 * which the CPU's prefetcher follows: with the scales after the nibbles, the jump to them and
 * back cost a third of the speed from memory (BENCHMARKS.md, session 8). A row's last group may hold only 16 blocks
 * (TinyLlama's 5632 columns are 5.5 groups); it is padded with zero scales.
 *
 * <p>Why: {@link Q4_0Tensor}'s row kernel converts each block's 32 products to floats to apply the
 * block's scale, about 14 vector instructions per block. Here the vector is quantized to 8 bits per
 * block ({@link #rowOperand}, as llama.cpp does for these products) and laid out the same way, a
 * block's products add up as 16-bit integers in its own lane, and the conversion to floats, the -8
 * offset and both scales come once per 32 blocks: about 4 instructions per block, 1.5-2x the speed
 * (BENCHMARKS.md, session 7). The 8-bit vector moves a row's result by under 1% of its largest
 * terms.
 *
 * <p>Prefill decodes rows to floats in the repacked order ({@link #columnOrder}, {@link
 * #dequantizeInColumnOrder}): a dot product does not care in which order its columns are summed, as
 * long as both sides use the same one. Everything else ({@link #getFloat}, {@link #dequantize},
 * {@link #data}) still reads the file's own bytes, for the onnx engine and the slow paths.
 */
public final class InterleavedQ4_0Tensor extends FloatTensor {
    private static final int BLOCK_SIZE = 32;
    private static final int GROUP = 32;
    private static final int HALF_GROUP = GROUP / 2;
    /** Chunks of nibbles per group: byte k of each block. */
    private static final int CHUNKS = BLOCK_SIZE / 2;
    private static final int NIBBLE_BYTES = CHUNKS * GROUP;
    private static final int GROUP_BYTES = NIBBLE_BYTES + 2 * GROUP;
    private static final int SOURCE_BLOCK_BYTES = 18;
    private static final VectorSpecies<Byte> CHUNK = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_512;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_512;
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_512;

    private final Q4_0Tensor file;
    private final MemorySegment repacked;
    private final int cols;
    private final int groupsPerRow;
    private final int[] columnOrder;

    /** Whether rows of {@code cols} values can be repacked: whole half groups. */
    public static boolean fits(int cols) {
        return cols % (HALF_GROUP * BLOCK_SIZE) == 0;
    }

    /**
     * Whether repacking rows of {@code cols} values pays on this CPU: the kernels fill 512-bit
     * vectors of 32 shorts, which narrower CPUs would run piece by piece.
     */
    public static boolean pays(int cols) {
        return fits(cols) && FloatVector.SPECIES_PREFERRED.vectorBitSize() >= 512;
    }

    /** The bytes a repacked matrix of {@code rows x cols} takes, for {@link #repack}'s target. */
    public static long byteSize(int rows, int cols) {
        return (long) rows * groupsPerRow(cols) * GROUP_BYTES;
    }

    /** Repacks {@code file} (a {@code rows x cols} Q4_0 matrix) into {@code target} of {@link #byteSize}. */
    public static InterleavedQ4_0Tensor repack(Q4_0Tensor file, int rows, int cols, MemorySegment target) {
        if (!fits(cols)) {
            throw new IllegalArgumentException("rows of " + cols + " values cannot be repacked");
        }
        int groupsPerRow = groupsPerRow(cols);
        int blocksPerRow = cols / BLOCK_SIZE;
        MemorySegment source = file.data();
        byte[] row = new byte[groupsPerRow * GROUP_BYTES];
        int nibbles = scaleBytes(groupsPerRow);
        for (int r = 0; r < rows; r++) {
            Arrays.fill(row, (byte) 0);
            for (int b = 0; b < blocksPerRow; b++) {
                long at = ((long) r * blocksPerRow + b) * SOURCE_BLOCK_BYTES;
                row[2 * b] = source.get(ValueLayout.JAVA_BYTE, at);
                row[2 * b + 1] = source.get(ValueLayout.JAVA_BYTE, at + 1);
                int lane = nibbles + b / GROUP * NIBBLE_BYTES + b % GROUP;
                for (int k = 0; k < CHUNKS; k++) {
                    row[lane + k * GROUP] = source.get(ValueLayout.JAVA_BYTE, at + 2 + k);
                }
            }
            MemorySegment.copy(row, 0, target, ValueLayout.JAVA_BYTE, (long) r * row.length, row.length);
        }
        return new InterleavedQ4_0Tensor(file, target, cols);
    }

    private InterleavedQ4_0Tensor(Q4_0Tensor file, MemorySegment repacked, int cols) {
        super(file.data(), file.size());
        this.file = file;
        this.repacked = repacked;
        this.cols = cols;
        this.groupsPerRow = groupsPerRow(cols);
        this.columnOrder = columnOrder(cols);
    }

    private static int groupsPerRow(int cols) {
        return (cols / BLOCK_SIZE + GROUP - 1) / GROUP;
    }

    /** Where a row's nibbles start, after its scales: a multiple of 64 bytes, so they stay aligned. */
    private static int scaleBytes(int groupsPerRow) {
        return groupsPerRow * GROUP * Short.BYTES;
    }

    /**
     * The repacked order of a row: per group, chunk after chunk, first the low nibbles of its blocks
     * (value k of each), then the high ones (value k + 16).
     */
    private static int[] columnOrder(int cols) {
        int[] order = new int[cols];
        int position = 0;
        for (int first = 0; first < cols / BLOCK_SIZE; first += GROUP) {
            int blocks = Math.min(GROUP, cols / BLOCK_SIZE - first);
            for (int k = 0; k < CHUNKS; k++) {
                for (int half = 0; half < 2; half++) {
                    for (int lane = 0; lane < blocks; lane++) {
                        order[position++] = (first + lane) * BLOCK_SIZE + k + half * CHUNKS;
                    }
                }
            }
        }
        return order;
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q4_0;
    }

    @Override
    public float getFloat(long index) {
        return file.getFloat(index);
    }

    @Override
    protected float dotBlocks(long firstBlock, int blocks, float[] that, int thatOffset) {
        return file.dotBlocks(firstBlock, blocks, that, thatOffset);
    }

    @Override
    protected void dequantizeBlocks(long firstBlock, int blocks, float[] out, int outOffset) {
        file.dequantizeBlocks(firstBlock, blocks, out, outOffset);
    }

    @Override
    public int[] columnOrder() {
        return columnOrder;
    }

    /** Whole rows from {@code offset} in {@link #columnOrder}: per chunk, 32 blocks' values at once, scaled by a vector of their scales. */
    @Override
    public void dequantizeInColumnOrder(long offset, float[] out, int outOffset, int n) {
        float[] scales = new float[groupsPerRow * GROUP];
        int firstRow = (int) (offset / cols);
        int o = outOffset;
        for (int row = firstRow; row < firstRow + n / cols; row++) {
            long rowBase = rowBase(row);
            Halves.decode(repacked, rowBase, scales, 0, scales.length);
            for (int g = 0; g < groupsPerRow; g++) {
                long base = rowBase + scaleBytes(groupsPerRow) + (long) g * NIBBLE_BYTES;
                int blocks = Math.min(GROUP, cols / BLOCK_SIZE - g * GROUP);
                for (int k = 0; k < CHUNKS; k++) {
                    ByteVector packed = ByteVector.fromMemorySegment(CHUNK, repacked, base + (long) k * GROUP, ByteOrder.LITTLE_ENDIAN);
                    for (int part = 0; part < blocks / HALF_GROUP; part++) {
                        IntVector codes = (IntVector) packed.convertShape(VectorOperators.ZERO_EXTEND_B2I, INTS, part);
                        FloatVector scale = FloatVector.fromArray(FLOATS, scales, g * GROUP + part * HALF_GROUP);
                        ((FloatVector) codes.and(0xF).sub(8).convert(VectorOperators.I2F, 0)).mul(scale)
                                .intoArray(out, o + part * HALF_GROUP);
                        ((FloatVector) codes.lanewise(VectorOperators.LSHR, 4).sub(8).convert(VectorOperators.I2F, 0)).mul(scale)
                                .intoArray(out, o + blocks + part * HALF_GROUP);
                    }
                    o += 2 * blocks;
                }
            }
        }
    }

    /**
     * The vector quantized to 8 bits per block of 32 (scale = largest magnitude / 127, codes
     * rounded) and laid out like the weights: code k of block b at {@code group * 1024 + k * 32 +
     * b % 32}; padded blocks are zero.
     */
    @Override
    public RowOperand rowOperand(float[] x, int n) {
        int blocks = n / BLOCK_SIZE;
        int padded = groupsPerRow * GROUP;
        short[] codes = new short[padded * BLOCK_SIZE];
        float[] scales = new float[padded];
        int[] offsets = new int[padded];
        for (int b = 0; b < blocks; b++) {
            int base = b * BLOCK_SIZE;
            float largest = 0;
            for (int i = 0; i < BLOCK_SIZE; i++) {
                largest = Math.max(largest, Math.abs(x[base + i]));
            }
            float scale = largest / 127;
            float inverse = scale == 0 ? 0 : 1 / scale;
            int first = b / GROUP * GROUP * BLOCK_SIZE + b % GROUP;
            int sum = 0;
            for (int i = 0; i < BLOCK_SIZE; i++) {
                int code = Math.round(x[base + i] * inverse);
                codes[first + i * GROUP] = (short) code;
                sum += code;
            }
            scales[b] = scale;
            offsets[b] = 8 * sum;
        }
        return new QuantizedVector(x, codes, scales, offsets);
    }

    /** {@link #rowOperand}'s result: the vector as is (for the file-order paths) and as 8-bit codes. */
    private static final class QuantizedVector extends RowOperand {
        final short[] codes;
        final float[] scales;
        /** 8 x each block's sum of codes: the weights' -8 offset taken out of the loop. */
        final int[] offsets;

        QuantizedVector(float[] values, short[] codes, float[] scales, int[] offsets) {
            super(values, NO_BLOCK_SUMS);
            this.codes = codes;
            this.scales = scales;
            this.offsets = offsets;
        }
    }

    @Override
    public float dot(long offset, RowOperand x, int n) {
        if (n != cols || offset % cols != 0 || !(x instanceof QuantizedVector quantized)) {
            return super.dot(offset, x, n);
        }
        return rowDot((int) (offset / cols), quantized, new float[groupsPerRow * GROUP]);
    }

    @Override
    public void dotRows(RowOperand x, int n, float[] out, int from, int to) {
        if (n != cols || !(x instanceof QuantizedVector quantized)) {
            super.dotRows(x, n, out, from, to);
            return;
        }
        float[] scales = new float[groupsPerRow * GROUP];
        for (int row = from; row < to; row++) {
            out[row] = rowDot(row, quantized, scales);
        }
    }

    private long rowBase(int row) {
        return (long) row * groupsPerRow * GROUP_BYTES;
    }

    /** {@code scales}: room for the row's scales as floats, reused from row to row. */
    private float rowDot(int row, QuantizedVector x, float[] scales) {
        long rowBase = rowBase(row);
        Halves.decode(repacked, rowBase, scales, 0, scales.length);
        FloatVector first = FloatVector.zero(FLOATS);
        FloatVector second = FloatVector.zero(FLOATS);
        for (int g = 0; g < groupsPerRow; g++) {
            long base = rowBase + scaleBytes(groupsPerRow) + (long) g * NIBBLE_BYTES;
            int codes = g * GROUP * BLOCK_SIZE;
            ShortVector low = ShortVector.zero(SHORTS);
            ShortVector high = ShortVector.zero(SHORTS);
            for (int k = 0; k < CHUNKS; k++) {
                ShortVector packed = (ShortVector) ByteVector.fromMemorySegment(CHUNK, repacked, base + (long) k * GROUP, ByteOrder.LITTLE_ENDIAN)
                        .convertShape(VectorOperators.ZERO_EXTEND_B2S, SHORTS, 0);
                low = low.add(packed.and((short) 0xF).mul(ShortVector.fromArray(SHORTS, x.codes, codes + k * GROUP)));
                high = high.add(packed.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(SHORTS, x.codes, codes + (k + CHUNKS) * GROUP)));
            }
            int block = g * GROUP;
            IntVector sums = ((IntVector) low.convertShape(VectorOperators.S2I, INTS, 0))
                    .add((IntVector) high.convertShape(VectorOperators.S2I, INTS, 0))
                    .sub(IntVector.fromArray(INTS, x.offsets, block));
            first = ((FloatVector) sums.convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(FLOATS, scales, block).mul(FloatVector.fromArray(FLOATS, x.scales, block)), first);
            sums = ((IntVector) low.convertShape(VectorOperators.S2I, INTS, 1))
                    .add((IntVector) high.convertShape(VectorOperators.S2I, INTS, 1))
                    .sub(IntVector.fromArray(INTS, x.offsets, block + HALF_GROUP));
            second = ((FloatVector) sums.convert(VectorOperators.I2F, 0))
                    .fma(FloatVector.fromArray(FLOATS, scales, block + HALF_GROUP).mul(FloatVector.fromArray(FLOATS, x.scales, block + HALF_GROUP)), second);
        }
        return first.add(second).reduceLanes(VectorOperators.ADD);
    }
}
