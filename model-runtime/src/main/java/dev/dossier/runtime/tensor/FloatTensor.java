package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * A read-only tensor of {@code size} values stored in a {@link MemorySegment} (usually a slice
 * of a memory-mapped GGUF file) in one of the GGML encodings. Each encoding is one subclass
 * with its own vectorized dot product; everything above this package sees only floats.
 * Offsets and lengths are in elements.
 *
 * <p>Quantized subclasses implement {@link #dotBlocks} and {@link #dequantizeBlocks} over whole
 * blocks; {@link #dot} and {@link #dequantize} hand them the whole blocks of a range and do any
 * partial block at either end value by value (rows are whole blocks, so that path is rare).
 */
public abstract sealed class FloatTensor
        permits F32Tensor, F16Tensor, BF16Tensor, Q8_0Tensor, Q4_0Tensor, Q4_1Tensor, Q5_0Tensor, Q5_1Tensor, IQ4_NLTensor,
        Q2_KTensor, Q3_KTensor, Q4_KTensor, Q5_KTensor, Q6_KTensor, IQ4_XSTensor, InterleavedTensor {

    /**
     * The widest float vector of this CPU (chosen at run time by the JVM), but at most 512 bits:
     * the quantized kernels decode runs of 16 packed values, so 16 lanes is the most they can fill.
     */
    protected static final VectorSpecies<Float> F_SPECIES = FloatVector.SPECIES_PREFERRED.vectorBitSize() > 512
            ? FloatVector.SPECIES_512 : FloatVector.SPECIES_PREFERRED;

    /**
     * Packed bytes loaded per step: one per float lane, so widening a byte vector gives exactly one
     * float vector. A byte vector cannot be narrower than 64 bits, so with 128-bit floats (4 lanes)
     * one byte vector widens into {@link #PARTS} = 2 float vectors.
     */
    protected static final VectorSpecies<Byte> B_SPECIES =
            VectorSpecies.of(byte.class, VectorShape.forBitSize(Math.max(64, F_SPECIES.length() * Byte.SIZE)));
    protected static final int PARTS = B_SPECIES.length() / F_SPECIES.length();

    protected static final ValueLayout.OfFloat F32_LE = ValueLayout.JAVA_FLOAT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);
    protected static final ValueLayout.OfShort I16_LE = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    protected final MemorySegment data;
    protected final long size;

    protected FloatTensor(MemorySegment data, long size) {
        long expected = type().byteSize(size);
        if (data.byteSize() < expected) {
            throw new IllegalArgumentException(type() + " tensor of " + size + " values needs " + expected + " bytes, got " + data.byteSize());
        }
        this.data = data;
        this.size = size;
    }

    public abstract GgmlType type();

    /** The encoded bytes, as in the GGUF file (for engines that repack them). */
    public final MemorySegment data() {
        return data;
    }

    public final long size() {
        return size;
    }

    /** The value at {@code index}, decoded. Slow path: for tests, embeddings and odd cases. */
    public abstract float getFloat(long index);

    /** {@code sum(this[offset + i] * that[thatOffset + i])} for {@code i < n}. */
    public float dot(long offset, float[] that, int thatOffset, int n) {
        int blockSize = type().blockSize();
        int head = (int) Math.min(n, Math.floorMod(-offset, blockSize));
        int blocks = (n - head) / blockSize;
        int done = head + blocks * blockSize;
        return scalarDot(offset, that, thatOffset, head)
                + dotBlocks((offset + head) / blockSize, blocks, that, thatOffset + head)
                + scalarDot(offset + done, that, thatOffset + done, n - done);
    }

    /**
     * The vector of a matrix-vector product, made once per product and read by every row's
     * {@link #dot(long, RowOperand, int)}: an encoding whose fastest row kernel wants the vector in
     * another order, or with per-block sums, prepares it here. {@code values} has the vector's
     * {@code n} values in the encoding's order; {@code blockSums} is empty where unused.
     */
    public static class RowOperand {
        private final float[] values;
        private final float[] blockSums;

        public RowOperand(float[] values, float[] blockSums) {
            this.values = values;
            this.blockSums = blockSums;
        }

        public float[] values() {
            return values;
        }

        public float[] blockSums() {
            return blockSums;
        }
    }

    protected static final float[] NO_BLOCK_SUMS = new float[0];

    /** {@code x[0 .. n)} prepared for {@link #dot(long, RowOperand, int)}; as is, unless the encoding overrides it. */
    public RowOperand rowOperand(float[] x, int n) {
        return new RowOperand(x, NO_BLOCK_SUMS);
    }

    /** The dot product of the {@code n} values at {@code offset} (a row of a matrix: whole blocks) with a prepared vector. */
    public float dot(long offset, RowOperand x, int n) {
        return dot(offset, x.values(), 0, n);
    }

    /** {@code out[r] = row r . x} for rows {@code from .. to - 1} of a matrix with rows of {@code n} values: decoding's product. */
    public void dotRows(RowOperand x, int n, float[] out, int from, int to) {
        for (int r = from; r < to; r++) {
            out[r] = dot((long) r * n, x, n);
        }
    }

    /**
     * Where {@link #dequantizeInColumnOrder} writes each column of a row ({@code positions[c]} is
     * the place of column {@code c}), or null for the columns' own order. An encoding laid out for
     * its kernels may decode faster in its own order; a product's other side is then laid out in
     * the same order.
     */
    public int[] columnPositions() {
        return null;
    }

    /** Decodes whole rows ({@code n} values from {@code offset}), each in the order of {@link #columnPositions}. */
    public void dequantizeInColumnOrder(long offset, float[] out, int outOffset, int n) {
        dequantize(offset, out, outOffset, n);
    }

    /** Decodes {@code n} values starting at {@code offset} into {@code out}. */
    public void dequantize(long offset, float[] out, int outOffset, int n) {
        int blockSize = type().blockSize();
        int head = (int) Math.min(n, Math.floorMod(-offset, blockSize));
        int blocks = (n - head) / blockSize;
        int done = head + blocks * blockSize;
        scalarDequantize(offset, out, outOffset, head);
        dequantizeBlocks((offset + head) / blockSize, blocks, out, outOffset + head);
        scalarDequantize(offset + done, out, outOffset + done, n - done);
    }

    /** The dot product of {@code blocks} whole blocks from block {@code firstBlock} on; subclasses vectorize it. */
    protected float dotBlocks(long firstBlock, int blocks, float[] that, int thatOffset) {
        int blockSize = type().blockSize();
        return scalarDot(firstBlock * blockSize, that, thatOffset, blocks * blockSize);
    }

    /** Decodes {@code blocks} whole blocks from block {@code firstBlock} on; subclasses vectorize it. */
    protected void dequantizeBlocks(long firstBlock, int blocks, float[] out, int outOffset) {
        int blockSize = type().blockSize();
        scalarDequantize(firstBlock * blockSize, out, outOffset, blocks * blockSize);
    }

    protected final float scalarDot(long offset, float[] that, int thatOffset, int n) {
        float sum = 0;
        for (int i = 0; i < n; i++) {
            sum += getFloat(offset + i) * that[thatOffset + i];
        }
        return sum;
    }

    protected final void scalarDequantize(long offset, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = getFloat(offset + i);
        }
    }

    protected static float f16(MemorySegment segment, long byteOffset) {
        return Float.float16ToFloat(segment.get(I16_LE, byteOffset));
    }

    protected static int u8(MemorySegment segment, long byteOffset) {
        return Byte.toUnsignedInt(segment.get(ValueLayout.JAVA_BYTE, byteOffset));
    }

    protected static ByteVector loadBytes(MemorySegment segment, long byteOffset) {
        return ByteVector.fromMemorySegment(B_SPECIES, segment, byteOffset, ByteOrder.LITTLE_ENDIAN);
    }

    /** Part {@code part} (below {@link #PARTS}) of {@code bytes}, sign-extended to floats. */
    protected static FloatVector widen(ByteVector bytes, int part) {
        return (FloatVector) bytes.convertShape(VectorOperators.B2F, F_SPECIES, part);
    }
}
