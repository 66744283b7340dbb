package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
import java.nio.ByteBuffer;
import java.lang.foreign.ValueLayout;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;

/** Blocks of 32 (34 bytes): an f16 scale, then 32 signed bytes; value = scale * q. */
public final class Q8_0Tensor extends FloatTensor {
    private static final int BLOCK_SIZE = 32;
    private static final int BLOCK_BYTES = 2 + BLOCK_SIZE;

    public Q8_0Tensor(MemorySegment data, long size) {
        super(data, size);
    }

    @Override
    public GgmlType type() {
        return GgmlType.Q8_0;
    }

    @Override
    public float getFloat(long index) {
        long at = index / BLOCK_SIZE * BLOCK_BYTES;
        int within = (int) (index % BLOCK_SIZE);
        return f16(data, at) * data.get(ValueLayout.JAVA_BYTE, at + 2 + within);
    }

    @Override
    protected float dotBlocks(long firstBlock, int blocks, float[] that, int thatOffset) {
        FloatVector acc = FloatVector.zero(F_SPECIES);
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            int x = thatOffset + b * BLOCK_SIZE;
            // The block's products are summed unscaled and multiplied by its scale once.
            FloatVector sum = FloatVector.zero(F_SPECIES);
            for (int i = 0; i < BLOCK_SIZE; i += B_SPECIES.length()) {
                ByteVector q = loadBytes(data, at + 2 + i);
                for (int part = 0; part < PARTS; part++) {
                    sum = widen(q, part).fma(FloatVector.fromArray(F_SPECIES, that, x + i + part * F_SPECIES.length()), sum);
                }
            }
            acc = sum.fma(FloatVector.broadcast(F_SPECIES, f16(data, at)), acc);
        }
        return acc.reduceLanes(VectorOperators.ADD);
    }

    @Override
    protected void dequantizeBlocks(long firstBlock, int blocks, float[] out, int outOffset) {
        for (int b = 0; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            FloatVector scale = FloatVector.broadcast(F_SPECIES, f16(data, at));
            int o = outOffset + b * BLOCK_SIZE;
            for (int i = 0; i < BLOCK_SIZE; i += B_SPECIES.length()) {
                ByteVector q = loadBytes(data, at + 2 + i);
                for (int part = 0; part < PARTS; part++) {
                    widen(q, part).mul(scale).intoArray(out, o + i + part * F_SPECIES.length());
                }
            }
        }
    }

    /** d = max|x| / 127, q = round(x / d) (halves away from zero, like C's roundf). */
    static void quantizeBlock(float[] values, int from, ByteBuffer out) {
        float amax = 0;
        for (int i = 0; i < 32; i++) amax = Math.max(amax, Math.abs(values[from + i]));
        float d = amax / 127;
        float inverse = d != 0 ? 1 / d : 0;
        out.putShort(Float.floatToFloat16(d));
        for (int i = 0; i < 32; i++) {
            out.put((byte) Quantizer.roundHalfAwayFromZero(values[from + i] * inverse));
        }
    }
}
