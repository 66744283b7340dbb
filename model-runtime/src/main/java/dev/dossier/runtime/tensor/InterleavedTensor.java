package dev.dossier.runtime.tensor;

import dev.dossier.runtime.compute.Halves;
import dev.dossier.runtime.compute.Parallel;
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
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A Q4_0, Q8_0 or K-quant (Q3_K, Q4_K, Q5_K, Q6_K) weight matrix repacked for decoding: each row's blocks of 32 values
 * (a K-quant's sub-blocks) in groups of {@link #GROUP} (32 with AVX-512, 16 with AVX2) side by
 * side, each block in a lane of its own. A group's codes are chunks of {@code GROUP} bytes (chunk
 * k holds byte k of every block's codes); a row is all its scales (its metadata, decoded to floats
 * once per row by {@link #decodeScales}), then its groups' chunks. Q4_0 and Q8_0 keep the file's
 * bytes per block; a K-quant's codes are regrouped so that each block's codes are its own (a Q4_K
 * block's 32 codes as Q4_0 keeps them, a Q6_K block's as 16 bytes of low nibbles and 8 of top bit
 * pairs), and its scales stay integers beside its super-blocks' f16 scales: Q6_K in the file's
 * bytes, Q4_K in 2.8% more (a byte for each 6-bit scale and min). The lanes hold the group's two halves in turn ({@link
 * #lane}: blocks 0, h, 1, h + 1, ... for h = {@link #HALF_GROUP}), so that a short vector read as
 * ints has the first half's blocks in the low shorts and the second half's in the high ones, in
 * order ({@link #firstHalf}, {@link #secondHalf}): widening a group's 16-bit sums to 32 bits is
 * then two shifts within each lane, where widening halves in lane order took a shuffle across the
 * vector (BENCHMARKS.md, session 14). A row's last group may hold only half
 * its blocks (TinyLlama's 5632 columns are 5.5 groups of 32); it is padded with zero scales.
 * Scales first keeps a row's reads in address order, which the CPU's prefetcher follows: with the
 * scales after the codes, the jump to them and back cost a third of the speed from memory
 * (BENCHMARKS.md, session 8).
 *
 * <p>Why: the file-order row kernels convert each block's 32 products to floats to apply the
 * block's scale. Here the vector is quantized to 8 bits per block ({@link #rowOperand}, as
 * llama.cpp does for these products) and laid out the same way, a block's products add up as
 * integers in its own lane, and the conversion to floats and both scales come once per group
 * (BENCHMARKS.md, sessions 7 and 8). The 8-bit vector moves a row's result by under 1% of its
 * largest terms.
 *
 * <p>Prefill decodes rows to floats in the repacked order ({@link #columnPositions}, {@link
 * #dequantizeInColumnOrder}): a dot product does not care in which order its columns are summed, as
 * long as both sides use the same one. Everything else ({@link #getFloat}, {@link #dequantize},
 * {@link #data}) still reads the file's own bytes, for the onnx engine and the slow paths.
 */
public abstract sealed class InterleavedTensor extends FloatTensor permits InterleavedQ4_0Tensor, InterleavedQ8_0Tensor, InterleavedQ4_KTensor, InterleavedQ6_KTensor,
        InterleavedQ5_KTensor, InterleavedQ3_KTensor {
    protected static final int BLOCK_SIZE = 32;
    /** A K-quant's super-block: 8 blocks, sharing its f16 scales. */
    protected static final int SUPER_BLOCK = 256;
    protected static final int BLOCKS_PER_SUPER = SUPER_BLOCK / BLOCK_SIZE;
    static final String WIDTH_PROPERTY = "dossier.repacked.bits";
    /**
     * The products' short vector: 32 lanes with AVX-512, 16 with AVX2 (chosen when the class loads,
     * so the compiler sees constants). A group is as many blocks as it has lanes, and the layout in
     * memory follows: a repacked matrix is made by the machine that reads it. The system property
     * {@value #WIDTH_PROPERTY} (256 or 512) sets the width instead, so that the tests check both
     * layouts on any CPU (a width the CPU lacks runs in plain Java, slowly).
     */
    protected static final VectorSpecies<Short> SHORTS = Integer.getInteger(WIDTH_PROPERTY, ShortVector.SPECIES_PREFERRED.vectorBitSize()) >= 512
            ? ShortVector.SPECIES_512 : ShortVector.SPECIES_256;
    protected static final int GROUP = SHORTS.length();
    protected static final int HALF_GROUP = GROUP / 2;
    /** One byte per block of a group: a chunk. */
    protected static final VectorSpecies<Byte> CHUNK = VectorSpecies.of(byte.class, VectorShape.forBitSize(GROUP * Byte.SIZE));
    /** Half a group's blocks per vector: a short vector widens into two of these. */
    protected static final VectorSpecies<Integer> INTS = VectorSpecies.of(int.class, VectorShape.forBitSize(HALF_GROUP * Integer.SIZE));
    protected static final VectorSpecies<Float> FLOATS = VectorSpecies.of(float.class, VectorShape.forBitSize(HALF_GROUP * Float.SIZE));
    /** Chunks per 64-byte cache line, the kernels' step for {@link #touchAhead}. */
    protected static final int CHUNKS_PER_LINE = 64 / GROUP;
    /**
     * How far ahead of its reads a decoding kernel touches its row (one byte per 64 read). Why: the
     * kernels do enough arithmetic per cache line that the CPU's out-of-order window holds only a
     * few lines' loads, too few to cover the memory's latency, so each thread's time for a line was
     * its arithmetic plus its wait. Java has no prefetch instruction; a load whose value is kept
     * starts the line's fetch all the same. Q8_0 decoding 12 -> 15 tok/s, Q4_0 +5% (BENCHMARKS.md,
     * session 10); 384 to 1024 bytes measured alike.
     */
    private static final long READ_AHEAD = 768;

    private final FloatTensor file;
    protected final MemorySegment repacked;
    protected final int cols;
    protected final int groupsPerRow;
    /** Bytes of codes per group: a chunk per code byte of a block. */
    protected final int codeBytes;
    /** Bytes of a row's metadata, before its codes. */
    private final int metadataBytes;
    /** Blocks per row with the last group's padding: the length of each plane of {@link #decodeScales}'s floats. */
    protected final int paddedBlocks;
    private final int[] columnPositions;
    private final int rowBytes;

    /** Whether {@code matrix} (of rows of {@code cols} values) has a repacked form: Q4_0, Q8_0, Q3_K, Q4_K, Q5_K or Q6_K, whole half groups. */
    public static boolean fits(FloatTensor matrix, int cols) {
        return (matrix instanceof Q4_0Tensor || matrix instanceof Q8_0Tensor || matrix instanceof Q4_KTensor || matrix instanceof Q6_KTensor
                || matrix instanceof Q5_KTensor || matrix instanceof Q3_KTensor)
                && cols % (HALF_GROUP * BLOCK_SIZE) == 0 && cols % matrix.type().blockSize() == 0;
    }

    /**
     * Whether repacking pays on this CPU: with 256-bit vectors or wider (AVX2, AVX-512). Narrower
     * CPUs would run the kernels piece by piece.
     */
    public static boolean pays(FloatTensor matrix, int cols) {
        return fits(matrix, cols) && ShortVector.SPECIES_PREFERRED.vectorBitSize() >= 256;
    }

    /** The bytes a repacked {@code rows x cols} matrix of {@code type} takes, for {@link #repack}'s target. */
    public static long byteSize(GgmlType type, int rows, int cols) {
        return (long) rows * rowBytes(type, cols);
    }

    private static int rowBytes(GgmlType type, int cols) {
        int groups = groupsPerRow(cols);
        return metadataBytes(type, groups * GROUP) + groups * GROUP * codesPerBlock(type);
    }

    /** Code bytes per block of 32. */
    private static int codesPerBlock(GgmlType type) {
        return switch (type) {
            case Q4_0, Q4_K -> BLOCK_SIZE / 2;
            case Q8_0 -> BLOCK_SIZE;
            case Q6_K -> BLOCK_SIZE / 2 + BLOCK_SIZE / 4;
            case Q5_K -> BLOCK_SIZE / 2 + BLOCK_SIZE / 8;
            case Q3_K -> BLOCK_SIZE / 4 + BLOCK_SIZE / 8;
            default -> throw new IllegalArgumentException(type + " is not repacked");
        };
    }

    /**
     * Bytes of a row's metadata for {@code blocks} blocks (padding included): an f16 scale per block
     * for Q4_0 and Q8_0; for the K-quants planes of a byte per block (Q4_K and Q5_K: 6-bit scales,
     * then mins; Q6_K: the 8-bit scales of each block's first and second 16 values; Q3_K: the low 4
     * bits of its two 6-bit scales, then half a byte per block for their top bits), then planes of
     * an f16 per super-block (Q4_K and Q5_K: d, then dmin; Q6_K and Q3_K: d). Rounded up to 32
     * bytes, so that the codes stay aligned.
     */
    private static int metadataBytes(GgmlType type, int blocks) {
        int superBlocks = blocks / (SUPER_BLOCK / BLOCK_SIZE);
        int bytes = switch (type) {
            case Q4_0, Q8_0 -> blocks * Short.BYTES;
            case Q4_K, Q5_K -> 2 * blocks + 2 * superBlocks * Short.BYTES;
            case Q6_K -> 2 * blocks + superBlocks * Short.BYTES;
            case Q3_K -> blocks + blocks / 2 + superBlocks * Short.BYTES;
            default -> throw new IllegalArgumentException(type + " is not repacked");
        };
        return (bytes + 31) / 32 * 32;
    }

    /**
     * Repacks {@code file} (a {@code rows x cols} matrix that {@link #fits}) into {@code target} of
     * {@link #byteSize}. Rows are split across the pool, each read from the file in one copy: byte
     * by byte from the mapping, a 1.2 GB Q8_0 model took 2.7 s more to load than unrepacked.
     */
    public static InterleavedTensor repack(FloatTensor file, int rows, int cols, MemorySegment target) {
        if (!fits(file, cols)) {
            throw new IllegalArgumentException(file.type() + " rows of " + cols + " values cannot be repacked");
        }
        GgmlType type = file.type();
        int blocksPerRow = cols / BLOCK_SIZE;
        int fileRowBytes = (int) type.byteSize(cols);
        int rowBytes = rowBytes(type, cols);
        int paddedBlocks = groupsPerRow(cols) * GROUP;
        RowPacker packer = switch (file) {
            case Q4_0Tensor q4 -> (in, row, codes) -> packScaledBlocks(in, row, blocksPerRow, BLOCK_SIZE / 2, codes);
            case Q8_0Tensor q8 -> (in, row, codes) -> packScaledBlocks(in, row, blocksPerRow, BLOCK_SIZE, codes);
            case Q4_KTensor q4k -> (in, row, codes) -> InterleavedQ4_KTensor.packRow(in, row, blocksPerRow, paddedBlocks, codes);
            case Q6_KTensor q6k -> (in, row, codes) -> InterleavedQ6_KTensor.packRow(in, row, blocksPerRow, paddedBlocks, codes);
            case Q5_KTensor q5k -> (in, row, codes) -> InterleavedQ5_KTensor.packRow(in, row, blocksPerRow, paddedBlocks, codes);
            case Q3_KTensor q3k -> (in, row, codes) -> InterleavedQ3_KTensor.packRow(in, row, blocksPerRow, paddedBlocks, codes);
            default -> throw new AssertionError(type);
        };
        MemorySegment source = file.data();
        int codes = metadataBytes(type, paddedBlocks);
        Parallel.forRange(rows, rowBytes, (from, to) -> {
            byte[] in = new byte[fileRowBytes];
            byte[] row = new byte[rowBytes];
            CodePlacer placer = new CodePlacer(row, codes, codesPerBlock(type));
            for (int r = from; r < to; r++) {
                MemorySegment.copy(source, ValueLayout.JAVA_BYTE, (long) r * fileRowBytes, in, 0, fileRowBytes);
                Arrays.fill(row, (byte) 0);
                packer.pack(in, row, placer);
                MemorySegment.copy(row, 0, target, ValueLayout.JAVA_BYTE, (long) r * rowBytes, rowBytes);
            }
        });
        return switch (file) {
            case Q4_0Tensor q4 -> new InterleavedQ4_0Tensor(q4, target, cols);
            case Q8_0Tensor q8 -> new InterleavedQ8_0Tensor(q8, target, cols);
            case Q4_KTensor q4k -> new InterleavedQ4_KTensor(q4k, target, cols);
            case Q6_KTensor q6k -> new InterleavedQ6_KTensor(q6k, target, cols);
            case Q5_KTensor q5k -> new InterleavedQ5_KTensor(q5k, target, cols);
            case Q3_KTensor q3k -> new InterleavedQ3_KTensor(q3k, target, cols);
            default -> throw new AssertionError(type);
        };
    }

    /** Writes one repacked row from the file's bytes of that row: its metadata into {@code row}, each block's codes through the placer. */
    @FunctionalInterface
    private interface RowPacker {
        void pack(byte[] in, byte[] row, CodePlacer codes);
    }

    /** Puts a block's code bytes where its lane's chunks are: byte k of block b in chunk k of b's group, lane {@link #lane}. */
    static final class CodePlacer {
        private final byte[] row;
        private final int start;
        private final int perBlock;

        CodePlacer(byte[] row, int start, int perBlock) {
            this.row = row;
            this.start = start;
            this.perBlock = perBlock;
        }

        /** Code byte {@code k} of block {@code block}. */
        void put(int block, int k, int value) {
            row[start + block / GROUP * GROUP * perBlock + k * GROUP + lane(block % GROUP)] = (byte) value;
        }
    }

    /** Q4_0 and Q8_0: each block's f16 scale into the metadata as it is, then its code bytes as they are. */
    private static void packScaledBlocks(byte[] in, byte[] row, int blocks, int codesPerBlock, CodePlacer codes) {
        int blockBytes = Short.BYTES + codesPerBlock;
        for (int b = 0; b < blocks; b++) {
            int at = b * blockBytes;
            row[2 * b] = in[at];
            row[2 * b + 1] = in[at + 1];
            for (int k = 0; k < codesPerBlock; k++) {
                codes.put(b, k, in[at + 2 + k]);
            }
        }
    }

    /**
     * @param valuesPerByte 2 for Q4_0 (byte k holds values k and k + 16), 1 for Q8_0
     */
    protected InterleavedTensor(FloatTensor file, MemorySegment repacked, int cols, int valuesPerByte) {
        super(file.data(), file.size());
        this.file = file;
        this.repacked = repacked;
        this.cols = cols;
        this.groupsPerRow = groupsPerRow(cols);
        this.paddedBlocks = groupsPerRow * GROUP;
        this.codeBytes = GROUP * codesPerBlock(file.type());
        this.metadataBytes = metadataBytes(file.type(), paddedBlocks);
        this.rowBytes = rowBytes(file.type(), cols);
        this.columnPositions = columnPositions(cols, BLOCK_SIZE / valuesPerByte, valuesPerByte);
    }

    /** The lane of a group's block {@code block}: the two halves' blocks alternate. */
    protected static int lane(int block) {
        return block < HALF_GROUP ? 2 * block : 2 * (block - HALF_GROUP) + 1;
    }

    /** The sums of the group's first half of blocks, in order: the low shorts of {@code sums} read as ints, sign-extended. */
    protected static IntVector firstHalf(ShortVector sums) {
        return sums.reinterpretAsInts().lanewise(VectorOperators.LSHL, 16).lanewise(VectorOperators.ASHR, 16);
    }

    /** The sums of the group's second half of blocks, in order: the high shorts of {@code sums} read as ints. */
    protected static IntVector secondHalf(ShortVector sums) {
        return sums.reinterpretAsInts().lanewise(VectorOperators.ASHR, 16);
    }

    private static int groupsPerRow(int cols) {
        return (cols / BLOCK_SIZE + GROUP - 1) / GROUP;
    }

    /**
     * Where each column lands in the repacked order of a row: per group, chunk after chunk, each
     * chunk's values in the order of the bytes' halves (value k of every block, then value k +
     * chunks of every block).
     */
    private static int[] columnPositions(int cols, int chunks, int valuesPerByte) {
        int[] positions = new int[cols];
        int position = 0;
        for (int first = 0; first < cols / BLOCK_SIZE; first += GROUP) {
            int blocks = Math.min(GROUP, cols / BLOCK_SIZE - first);
            for (int k = 0; k < chunks; k++) {
                for (int half = 0; half < valuesPerByte; half++) {
                    for (int lane = 0; lane < blocks; lane++) {
                        positions[(first + lane) * BLOCK_SIZE + k + half * chunks] = position++;
                    }
                }
            }
        }
        return positions;
    }

    @Override
    public final float getFloat(long index) {
        return file.getFloat(index);
    }

    @Override
    protected final float dotBlocks(long firstBlock, int blocks, float[] that, int thatOffset) {
        return file.dotBlocks(firstBlock, blocks, that, thatOffset);
    }

    @Override
    protected final void dequantizeBlocks(long firstBlock, int blocks, float[] out, int outOffset) {
        file.dequantizeBlocks(firstBlock, blocks, out, outOffset);
    }

    @Override
    public final int[] columnPositions() {
        return columnPositions;
    }

    /** Whole rows from {@code offset} in {@link #columnPositions}, group by group. */
    @Override
    public final void dequantizeInColumnOrder(long offset, float[] out, int outOffset, int n) {
        float[] scales = rowScratch();
        int firstRow = (int) (offset / cols);
        int o = outOffset;
        for (int row = firstRow; row < firstRow + n / cols; row++) {
            decodeScales(row, scales);
            for (int g = 0; g < groupsPerRow; g++) {
                int blocks = Math.min(GROUP, cols / BLOCK_SIZE - g * GROUP);
                decodeGroup(codesAt(row, g), scales, g * GROUP, blocks, out, o);
                o += blocks * BLOCK_SIZE;
            }
        }
    }

    /**
     * Writes the {@code blocks} blocks of the group whose codes start at byte {@code at} as floats
     * in {@link #columnPositions}, scaled by {@code scales[firstScale ..]}.
     */
    protected abstract void decodeGroup(long at, float[] scales, int firstScale, int blocks, float[] out, int outOffset);

    /**
     * The vector quantized to 8 bits per block of 32 (scale = largest magnitude / 127, codes
     * rounded half away from zero, as llama.cpp rounds them) and laid out like the weights: code k
     * of block b at {@code group * GROUP * 32 + k * GROUP + lane(b % GROUP)}; padded blocks are zero. In
     * vectors: decoding quantizes one vector per product on the calling thread alone, and the
     * scalar version took 4% of decoding (BENCHMARKS.md, session 10). The codes stay bytes,
     * widened by the kernels as they load them ({@link QuantizedVector#chunk}): as shorts, a
     * 5632-value vector's codes (12 KB padded) and the two rows streaming past them crowded the 32
     * KB L1 cache, and long rows ran a third slower per byte than short ones (BENCHMARKS.md,
     * session 12).
     */
    @Override
    public final RowOperand rowOperand(float[] x, int n) {
        int blocks = n / BLOCK_SIZE;
        int padded = groupsPerRow * GROUP;
        byte[] codes = new byte[padded * BLOCK_SIZE];
        float[] scales = new float[padded];
        int[] sums = new int[padded];
        int[] block = new int[BLOCK_SIZE];
        for (int b = 0; b < blocks; b++) {
            FloatVector magnitudes = FloatVector.zero(FLOATS);
            for (int i = 0; i < BLOCK_SIZE; i += FLOATS.length()) {
                magnitudes = magnitudes.max(FloatVector.fromArray(FLOATS, x, b * BLOCK_SIZE + i).abs());
            }
            float scale = magnitudes.reduceLanes(VectorOperators.MAX) / 127;
            float inverse = scale == 0 ? 0 : 1 / scale;
            IntVector sum = IntVector.zero(INTS);
            for (int i = 0; i < BLOCK_SIZE; i += FLOATS.length()) {
                IntVector part = roundHalfAway(FloatVector.fromArray(FLOATS, x, b * BLOCK_SIZE + i).mul(inverse));
                part.intoArray(block, i);
                sum = sum.add(part);
            }
            int first = b / GROUP * GROUP * BLOCK_SIZE + lane(b % GROUP);
            for (int i = 0; i < BLOCK_SIZE; i++) {
                codes[first + i * GROUP] = (byte) block[i];
            }
            scales[b] = scale;
            sums[b] = sum.reduceLanes(VectorOperators.ADD);
        }
        return new QuantizedVector(x, codes, scales, sums);
    }

    private static IntVector roundHalfAway(FloatVector v) {
        FloatVector half = FloatVector.broadcast(FLOATS, 0.5f).blend(-0.5f, v.lt(0));
        return (IntVector) v.add(half).convert(VectorOperators.F2I, 0);
    }

    /** {@link #rowOperand}'s result: the vector as is (for the file-order paths) and as 8-bit codes. */
    protected static final class QuantizedVector extends RowOperand {
        final byte[] codes;
        final float[] scales;
        /** Each block's sum of codes (Q4_0 takes its weights' -8 offset out of the loop with it). */
        final int[] sums;

        QuantizedVector(float[] values, byte[] codes, float[] scales, int[] sums) {
            super(values, NO_BLOCK_SUMS);
            this.codes = codes;
            this.scales = scales;
            this.sums = sums;
        }

        /** The chunk of {@link #GROUP} codes from {@code at}, widened to shorts for the kernels' products. */
        ShortVector chunk(int at) {
            return (ShortVector) ByteVector.fromArray(CHUNK, codes, at).convertShape(VectorOperators.B2S, SHORTS, 0);
        }
    }

    @Override
    public final float dot(long offset, RowOperand x, int n) {
        if (n != cols || offset % cols != 0 || !(x instanceof QuantizedVector quantized)) {
            return super.dot(offset, x, n);
        }
        int row = (int) (offset / cols);
        float[] result = new float[2];
        rowDots(row, row, quantized, rowScratch(), rowScratch(), result);
        return result[0];
    }

    @Override
    public final void dotRows(RowOperand x, int n, float[] out, int from, int to) {
        if (n != cols || !(x instanceof QuantizedVector quantized)) {
            super.dotRows(x, n, out, from, to);
            return;
        }
        float[] scalesA = rowScratch();
        float[] scalesB = rowScratch();
        float[] results = new float[2];
        int half = (to - from + 1) / 2;
        for (int a = from; a < from + half; a++) {
            int b = a + half < to ? a + half : a; // an odd share's last row pairs with itself
            rowDots(a, b, quantized, scalesA, scalesB, results);
            out[a] = results[0];
            out[b] = results[1];
        }
    }

    /**
     * Rows {@code rowA} and {@code rowB} times the quantized vector, into {@code results[0]} and
     * {@code results[1]}; {@code scalesA} and {@code scalesB}: {@link #rowScratch}es, reused from
     * pair to pair. {@link #dotRows} pairs each row of the first half of a thread's share with one
     * of the second half. Why two rows far apart: each is a stream the CPU fetches on its own, so
     * twice as many lines are on their way as with one row at a time: Q4_0 decoding 23.1 -> 26.3
     * tok/s, Q8_0 15.5 -> 16.8 (BENCHMARKS.md, session 10). The vector's codes are loaded once
     * for both.
     */
    protected abstract void rowDots(int rowA, int rowB, QuantizedVector x, float[] scalesA, float[] scalesB, float[] results);

    /** Room for a row's {@link #decodeScales}, then one slot for {@link #keepTouched}. */
    private float[] rowScratch() {
        return new float[scalePlanes() * paddedBlocks + 1];
    }

    /** The byte {@link #READ_AHEAD} bytes past {@code at} (or the matrix's last), read only to bring its cache line in early. */
    protected final int touchAhead(long at) {
        return repacked.get(ValueLayout.JAVA_BYTE, Math.min(at + READ_AHEAD, repacked.byteSize() - 1));
    }

    /**
     * Keeps the sum of a row's {@link #touchAhead} bytes in the calling thread's own scratch, so
     * that the compiler cannot drop those loads as unused (a shared field would bounce a cache
     * line between the threads).
     */
    protected static void keepTouched(float[] scales, int touched) {
        scales[scales.length - 1] = touched;
    }

    /** Where row {@code row}'s metadata starts. */
    protected final long rowBase(int row) {
        return (long) row * rowBytes;
    }

    /** Planes of {@link #paddedBlocks} floats that {@link #decodeScales} writes: 1 (scales) unless a subclass says otherwise. */
    protected int scalePlanes() {
        return 1;
    }

    /**
     * The row's scales as floats, into {@code scales}: one per block, padding included, in {@link
     * #scalePlanes} planes of {@link #paddedBlocks}. Here Q4_0's and Q8_0's f16 scales.
     */
    protected void decodeScales(int row, float[] scales) {
        Halves.decode(repacked, rowBase(row), scales, 0, paddedBlocks);
    }

    /** The chunk of {@link #GROUP} code bytes at {@code at}, zero-extended to shorts. */
    protected final ShortVector unsignedChunk(long at) {
        return (ShortVector) ByteVector.fromMemorySegment(CHUNK, repacked, at, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.ZERO_EXTEND_B2S, SHORTS, 0);
    }

    /** A K-quant super-block's 8 signed metadata bytes (one per block) from {@code at}, as floats. */
    protected final FloatVector superBlockIntegers(long at) {
        return (FloatVector) ByteVector.fromMemorySegment(ByteVector.SPECIES_64, repacked, at, ByteOrder.LITTLE_ENDIAN)
                .convertShape(VectorOperators.B2F, FloatVector.SPECIES_256, 0);
    }

    /**
     * Q4_K's and Q5_K's metadata, a plane of 6-bit scales, one of mins, then the super-blocks' d and
     * dmin as halves, into {@code scales[b] = d * scale} and {@code scales[paddedBlocks + b] = -dmin * min}.
     */
    protected final void decodeScalesAndMins(int row, float[] scales) {
        long base = rowBase(row);
        int superBlocks = paddedBlocks / BLOCKS_PER_SUPER;
        long halves = base + 2L * paddedBlocks;
        for (int s = 0; s < superBlocks; s++) {
            int b = s * BLOCKS_PER_SUPER;
            float d = f16(repacked, halves + 2L * s);
            float dmin = f16(repacked, halves + 2L * (superBlocks + s));
            superBlockIntegers(base + b).mul(d).intoArray(scales, b);
            superBlockIntegers(base + paddedBlocks + b).mul(-dmin).intoArray(scales, paddedBlocks + b);
        }
    }

    /** Copies the half at {@code at} of a file row to {@code row[to]}. */
    static void putHalf(byte[] row, int to, MemorySegment file, long at) {
        row[to] = file.get(ValueLayout.JAVA_BYTE, at);
        row[to + 1] = file.get(ValueLayout.JAVA_BYTE, at + 1);
    }

    /** Where group {@code group}'s codes of row {@code row} start. */
    protected final long codesAt(int row, int group) {
        return rowBase(row) + metadataBytes + (long) group * codeBytes;
    }
}
