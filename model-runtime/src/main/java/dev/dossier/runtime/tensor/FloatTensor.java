package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorSpecies;

/**
 * A read-only tensor of {@code size} values stored in a {@link MemorySegment} (usually a slice
 * of a memory-mapped GGUF file) in one of the GGML encodings. Each encoding is one subclass
 * with its own vectorized dot product; everything above this package sees only floats.
 * Offsets and lengths are in elements; dot products start on a block boundary.
 */
public abstract sealed class FloatTensor
        permits F32Tensor, F16Tensor, BF16Tensor, Q8_0Tensor, Q4_0Tensor, Q4_KTensor, Q6_KTensor {

    /** The widest float vector of this CPU; chosen at run time by the JVM. */
    protected static final VectorSpecies<Float> F_SPECIES = FloatVector.SPECIES_PREFERRED;
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

    public final long size() {
        return size;
    }

    /** The value at {@code index}, decoded. Slow path: for tests, embeddings and odd cases. */
    public abstract float getFloat(long index);

    /** {@code sum(this[offset + i] * that[thatOffset + i])} for {@code i < n}; {@code offset} on a block boundary. */
    public abstract float dot(long offset, float[] that, int thatOffset, int n);

    /** Decodes {@code n} values starting at {@code offset} into {@code out}. */
    public void dequantize(long offset, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = getFloat(offset + i);
        }
    }

    protected static float f16(MemorySegment segment, long byteOffset) {
        return Float.float16ToFloat(segment.get(I16_LE, byteOffset));
    }
}
