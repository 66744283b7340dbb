package dev.dossier.runtime.compute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorMask;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/**
 * IEEE half-precision floats (F16 weights, the KV cache) widened to floats, a vector at a time.
 * The Vector API has no half-to-float conversion, so it is done with integer arithmetic: shifting
 * a half's exponent and mantissa into a float's place gives the value scaled by 2^-112 (the
 * difference of the exponent biases), exact for normals and subnormals alike, and multiplying by
 * 2^112 undoes it. Infinities and NaNs are patched in only when a vector has one. The widening
 * sign-extends, so bit 31 is the sign.
 */
public final class Halves {
    /**
     * The float vectors halves widen to: this CPU's widest, but at most 512 bits, the weight
     * kernels' species too. The species are constants: a species computed at run time would keep
     * the JIT from compiling the vector operations to instructions.
     */
    public static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_PREFERRED.vectorBitSize() > 512
            ? FloatVector.SPECIES_512 : FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Short> HALVES = VectorSpecies.of(short.class, VectorShape.forBitSize(FLOATS.length() * Short.SIZE));
    private static final VectorSpecies<Integer> INTS = FLOATS.withLanes(int.class);
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED;

    private Halves() {
    }

    /** The {@code FLOATS.length()} halves at {@code byteOffset} of {@code segment} (in {@code order}) as floats. */
    public static FloatVector load(MemorySegment segment, long byteOffset, ByteOrder order) {
        ShortVector halves = ShortVector.fromMemorySegment(HALVES, segment, byteOffset, order);
        IntVector bits = (IntVector) halves.convertShape(VectorOperators.S2I, INTS, 0);
        IntVector magnitude = bits.and(0x7FFF);
        IntVector shifted = magnitude.lanewise(VectorOperators.LSHL, 13);
        IntVector value = shifted.reinterpretAsFloats().mul(0x1p112f).reinterpretAsInts();
        VectorMask<Integer> infOrNaN = magnitude.compare(VectorOperators.GE, 0x7C00);
        if (infOrNaN.anyTrue()) {
            value = value.blend(shifted.or(0x7F80_0000), infOrNaN);
        }
        return value.or(bits.and(Integer.MIN_VALUE)).reinterpretAsFloats();
    }

    /** Decodes the {@code n} native-order halves from byte {@code byteOffset} of {@code segment} into {@code out}. */
    public static void decode(MemorySegment segment, long byteOffset, float[] out, int outOffset, int n) {
        int bound = FLOATS.loopBound(n);
        int i = 0;
        for (; i < bound; i += FLOATS.length()) {
            load(segment, byteOffset + (long) i * Short.BYTES, ByteOrder.nativeOrder()).intoArray(out, outOffset + i);
        }
        for (; i < n; i++) {
            out[outOffset + i] = Float.float16ToFloat(segment.get(HALF, byteOffset + (long) i * Short.BYTES));
        }
    }

    /** Rounds {@code n} floats of {@code in} to native-order halves from byte {@code byteOffset} of {@code segment} on. */
    public static void encode(float[] in, int inOffset, MemorySegment segment, long byteOffset, int n) {
        for (int i = 0; i < n; i++) {
            segment.set(HALF, byteOffset + (long) i * Short.BYTES, Float.floatToFloat16(in[inOffset + i]));
        }
    }
}
