package dev.dossier.runtime.compute;

import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;

/**
 * Runs of IEEE half-precision floats (the Java engine's KV cache, F16 weights) to and from floats. Written as
 * plain loops on purpose: the JIT vectorizes {@link Float#float16ToFloat} and
 * {@link Float#floatToFloat16} over a segment into the CPU's own conversion instructions
 * ({@code vcvtph2ps}, {@code vcvtps2ph}), about 12 times faster here than widening the bits with
 * Vector API integer arithmetic (see BENCHMARKS.md).
 */
public final class Halves {
    private static final ValueLayout.OfShort HALF = ValueLayout.JAVA_SHORT_UNALIGNED;

    private Halves() {
    }

    /** Decodes the {@code n} native-order halves from byte {@code byteOffset} of {@code segment} into {@code out}. */
    public static void decode(MemorySegment segment, long byteOffset, float[] out, int outOffset, int n) {
        for (int i = 0; i < n; i++) {
            out[outOffset + i] = Float.float16ToFloat(segment.get(HALF, byteOffset + 2L * i));
        }
    }

    /** Rounds {@code n} floats of {@code in} to native-order halves from byte {@code byteOffset} of {@code segment} on. */
    public static void encode(float[] in, int inOffset, MemorySegment segment, long byteOffset, int n) {
        for (int i = 0; i < n; i++) {
            segment.set(HALF, byteOffset + 2L * i, Float.floatToFloat16(in[inOffset + i]));
        }
    }
}
