package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.MemorySegment;
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

    /**
     * Each block's products are summed unscaled and multiplied by its scale once. Two blocks per
     * step, into two accumulators: the loop's overhead (bounds checks, address arithmetic) is paid
     * once for both, and the two chains of multiply-adds overlap. The second block is written out
     * rather than left to a helper method: a helper that the JIT does not inline returns its vector
     * as an object (decoding 8% slower in the model, see BENCHMARKS.md).
     */
    @Override
    protected float dotBlocks(long firstBlock, int blocks, float[] that, int thatOffset) {
        FloatVector even = FloatVector.zero(F_SPECIES);
        FloatVector odd = even;
        int b = 0;
        for (; b + 2 <= blocks; b += 2) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            int x = thatOffset + b * BLOCK_SIZE;
            FloatVector sum0 = FloatVector.zero(F_SPECIES);
            FloatVector sum1 = sum0;
            for (int i = 0; i < BLOCK_SIZE; i += B_SPECIES.length()) {
                ByteVector q0 = loadBytes(data, at + 2 + i);
                ByteVector q1 = loadBytes(data, at + BLOCK_BYTES + 2 + i);
                for (int part = 0; part < PARTS; part++) {
                    int lane = x + i + part * F_SPECIES.length();
                    sum0 = widen(q0, part).fma(FloatVector.fromArray(F_SPECIES, that, lane), sum0);
                    sum1 = widen(q1, part).fma(FloatVector.fromArray(F_SPECIES, that, lane + BLOCK_SIZE), sum1);
                }
            }
            even = sum0.fma(FloatVector.broadcast(F_SPECIES, f16(data, at)), even);
            odd = sum1.fma(FloatVector.broadcast(F_SPECIES, f16(data, at + BLOCK_BYTES)), odd);
        }
        for (; b < blocks; b++) {
            long at = (firstBlock + b) * BLOCK_BYTES;
            int x = thatOffset + b * BLOCK_SIZE;
            FloatVector sum = FloatVector.zero(F_SPECIES);
            for (int i = 0; i < BLOCK_SIZE; i += B_SPECIES.length()) {
                ByteVector q = loadBytes(data, at + 2 + i);
                for (int part = 0; part < PARTS; part++) {
                    sum = widen(q, part).fma(FloatVector.fromArray(F_SPECIES, that, x + i + part * F_SPECIES.length()), sum);
                }
            }
            even = sum.fma(FloatVector.broadcast(F_SPECIES, f16(data, at)), even);
        }
        return even.add(odd).reduceLanes(VectorOperators.ADD);
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
}
