package dev.dossier.runtime.compute;

import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.nio.ByteOrder;
import java.util.concurrent.atomic.DoubleAdder;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * This machine's two ceilings for the forward pass, measured on the worker pool: the float
 * multiply-add rate (what bounds prefill, whose products are compute-bound) and the memory read
 * rate (what bounds decoding, which streams every weight once per token). Machines of one kind
 * differ (vector width, clock, neighbours), so a speed means little without them.
 */
public record MachineLimits(int threads, int vectorBits, double gmacPerSecond, double readGbPerSecond) {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final long READ_BYTES_PER_THREAD = 256L << 20;
    private static final int ROUNDS = 3;

    /** Measures both rates on all of {@link Parallel#threads()}; takes a few seconds and 256 MB per thread, freed after. */
    public static MachineLimits measure() {
        int threads = Parallel.threads();
        double gmac = 0;
        double read = 0;
        try (Arena arena = Arena.ofShared()) {
            MemorySegment[] slices = new MemorySegment[threads];
            for (int t = 0; t < threads; t++) {
                slices[t] = arena.allocate(READ_BYTES_PER_THREAD, 64);
                slices[t].fill((byte) 1); // touch every page before timing
            }
            for (int round = 0; round < ROUNDS; round++) {
                gmac = Math.max(gmac, perSecondOnAllThreads(threads, t -> fmaLoop(200_000_000L / F.length())) / 1e9);
                read = Math.max(read, perSecondOnAllThreads(threads, t -> readAll(slices[t])) / 1e9);
            }
        }
        return new MachineLimits(threads, F.vectorBitSize(), gmac, read);
    }

    /** Tokens per second if every token had to read {@code bytesPerToken} from memory and nothing else. */
    public double decodeCeiling(double bytesPerToken) {
        return readGbPerSecond * 1e9 / bytesPerToken;
    }

    /** Tokens per second if every token's {@code macsPerToken} multiply-adds ran at the float peak and nothing else. */
    public double prefillCeiling(double macsPerToken) {
        return gmacPerSecond * 1e9 / macsPerToken;
    }

    private interface Work {
        /** Does the thread's share and returns how many units (multiply-adds or bytes) it did. */
        double run(int thread);
    }

    /** Units per second of wall time with every thread working at once. */
    private static double perSecondOnAllThreads(int threads, Work work) {
        DoubleAdder units = new DoubleAdder();
        long start = System.nanoTime();
        Parallel.forEach(threads, Long.MAX_VALUE / threads, t -> units.add(work.run(t)));
        return units.sum() / ((System.nanoTime() - start) / 1e9);
    }

    /** Ten independent chains of vector FMAs in registers: enough in flight to fill both FMA pipes. */
    private static double fmaLoop(long steps) {
        FloatVector b = FloatVector.broadcast(F, 0.999f);
        FloatVector c = FloatVector.broadcast(F, 1e-3f);
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0, a8 = a0, a9 = a0;
        for (long i = 0; i < steps; i++) {
            a0 = a0.fma(b, c); a1 = a1.fma(b, c); a2 = a2.fma(b, c); a3 = a3.fma(b, c); a4 = a4.fma(b, c);
            a5 = a5.fma(b, c); a6 = a6.fma(b, c); a7 = a7.fma(b, c); a8 = a8.fma(b, c); a9 = a9.fma(b, c);
        }
        float sum = a0.add(a1).add(a2).add(a3).add(a4).add(a5).add(a6).add(a7).add(a8).add(a9).reduceLanes(VectorOperators.ADD);
        return sum == 42f ? 0 : 10.0 * steps * F.length(); // reads the sum so the loop is not dead code
    }

    /** Sums a slice with four vector loads in flight per step; returns the bytes read. */
    private static double readAll(MemorySegment slice) {
        FloatVector a = FloatVector.zero(F), b = a, c = a, d = a;
        long step = 4L * F.vectorByteSize();
        long end = slice.byteSize() / step * step;
        for (long o = 0; o < end; o += step) {
            a = a.add(FloatVector.fromMemorySegment(F, slice, o, ByteOrder.nativeOrder()));
            b = b.add(FloatVector.fromMemorySegment(F, slice, o + F.vectorByteSize(), ByteOrder.nativeOrder()));
            c = c.add(FloatVector.fromMemorySegment(F, slice, o + 2L * F.vectorByteSize(), ByteOrder.nativeOrder()));
            d = d.add(FloatVector.fromMemorySegment(F, slice, o + 3L * F.vectorByteSize(), ByteOrder.nativeOrder()));
        }
        float sum = a.add(b).add(c).add(d).reduceLanes(VectorOperators.ADD);
        return sum == 42f ? 0 : end;
    }
}
