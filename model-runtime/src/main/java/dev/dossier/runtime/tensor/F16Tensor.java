package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** IEEE half-precision floats. */
public final class F16Tensor extends FloatTensor {
    /** One half per float lane. */
    private static final VectorSpecies<Short> S_SPECIES =
            VectorSpecies.of(short.class, VectorShape.forBitSize(F_SPECIES.length() * Short.SIZE));
    private static final VectorSpecies<Integer> I_SPECIES = F_SPECIES.withLanes(int.class);

    public F16Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.F16;
    }

    @Override
    public float getFloat(long index) {
        return f16(data, index * 2);
    }

    @Override
    public float dot(long offset, float[] that, int thatOffset, int n) {
        FloatVector acc = FloatVector.zero(F_SPECIES);
        int upper = F_SPECIES.loopBound(n);
        int i = 0;
        for (; i < upper; i += F_SPECIES.length()) {
            acc = load(offset + i).fma(FloatVector.fromArray(F_SPECIES, that, thatOffset + i), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD) + scalarDot(offset + i, that, thatOffset + i, n - i);
    }

    @Override
    public void dequantize(long offset, float[] out, int outOffset, int n) {
        int upper = F_SPECIES.loopBound(n);
        int i = 0;
        for (; i < upper; i += F_SPECIES.length()) {
            load(offset + i).intoArray(out, outOffset + i);
        }
        scalarDequantize(offset + i, out, outOffset + i, n - i);
    }

    /**
     * Halves widened to floats with integer arithmetic (the Vector API has no half-to-float
     * conversion): shifting a half's exponent and mantissa into a float's place gives the value
     * scaled by 2^-112 (the difference of the exponent biases), exact for normals and subnormals
     * alike, and multiplying by 2^112 undoes it. Infinities and NaNs, which weights do not hold,
     * are patched in only when a vector has one. The widening sign-extends, so bit 31 is the sign.
     */
    private FloatVector load(long index) {
        ShortVector halves = ShortVector.fromMemorySegment(S_SPECIES, data, index * 2, ByteOrder.LITTLE_ENDIAN);
        IntVector bits = (IntVector) halves.convertShape(VectorOperators.S2I, I_SPECIES, 0);
        IntVector magnitude = bits.and(0x7FFF);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector value = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        VectorMask<Integer> infOrNaN = magnitude.compare(VectorOperators.GE, 0x7C00);
        if (infOrNaN.anyTrue()) {
            value = value.blend(shifted.or(0x7F80_0000), infOrNaN);
        }
        return value.or(bits.and(Integer.MIN_VALUE)).reinterpretAsFloats();
    }
}
