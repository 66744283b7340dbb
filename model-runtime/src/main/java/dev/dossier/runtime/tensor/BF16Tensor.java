package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorShape;
import jdk.incubator.vector.VectorSpecies;

/** bfloat16: the top 16 bits of a float32. */
public final class BF16Tensor extends FloatTensor {
    /** One bfloat16 per float lane. */
    private static final VectorSpecies<Short> S_SPECIES =
            VectorSpecies.of(short.class, VectorShape.forBitSize(F_SPECIES.length() * Short.SIZE));
    private static final VectorSpecies<Integer> I_SPECIES = F_SPECIES.withLanes(int.class);

    public BF16Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.BF16;
    }

    @Override
    public float getFloat(long index) {
        return Float.intBitsToFloat(data.get(I16_LE, index * 2) << 16);
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

    private FloatVector load(long index) {
        ShortVector halves = ShortVector.fromMemorySegment(S_SPECIES, data, index * 2, ByteOrder.LITTLE_ENDIAN);
        // Sign extension is harmless: the shift pushes the extended bits out.
        IntVector bits = (IntVector) halves.convertShape(VectorOperators.S2I, I_SPECIES, 0);
        return bits.lanewise(VectorOperators.LSHL, 16).reinterpretAsFloats();
    }
}
