package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.util.Arrays;
import java.util.Random;
import jdk.incubator.vector.FloatVector;

/**
 * A row-kernel timing, not a test: one thread runs the matrix-vector product exactly as decoding
 * does ({@link FloatTensor#rowOperand} once, then {@link FloatTensor#dotRows} over the rows),
 * on rows of 2048 values (TinyLlama's width), for each type. Two working sets: "hot"
 * re-reads the same 8 rows (the kernel's own speed, data in L1) and "memory" streams 256 MB (what
 * decoding sees). "TYPE-repacked" is the matrix as the runtime repacks it for decoding ({@link InterleavedTensor}).
 * Types are interleaved round by round so a noisy machine slows them alike; the
 * median and best round are printed.
 * Run: java --add-modules=jdk.incubator.vector -cp target/classes:target/test-classes dev.dossier.runtime.tensor.DotBenchmark [TYPE|TYPE-repacked ...]
 */
public final class DotBenchmark {
    private static final int COLS = 2048;
    private static final long MEMORY_BYTES = 256L << 20;
    private static final int HOT_ROWS = 8;
    private static final int ROUNDS = 25;
    /** A type's name with this suffix: the matrix repacked for decoding, as the runtime loads it on AVX-512 CPUs. */
    private static final String REPACKED = "-repacked";
    /** Rounds left out of the statistics while the JIT compiler is still at work. */
    private static final int WARMUP_ROUNDS = 5;

    public static void main(String[] args) {
        System.out.println("float species: " + FloatTensor.F_SPECIES + " (preferred " + FloatVector.SPECIES_PREFERRED + ")");
        Random random = new Random(1);
        float[] x = new float[COLS];
        for (int i = 0; i < COLS; i++) x[i] = (float) random.nextGaussian();
        String[] names = args.length > 0 ? args : new String[] {"F32", "F16", "BF16", "Q8_0", "Q8_0" + REPACKED, "Q4_0", "Q4_0" + REPACKED, "Q4_K", "Q4_K" + REPACKED,
                "Q6_K", "Q6_K" + REPACKED};
        GgmlType[] types = new GgmlType[names.length];
        FloatTensor[] matrices = new FloatTensor[names.length];
        int[] rows = new int[names.length];
        for (int i = 0; i < names.length; i++) {
            boolean repacked = names[i].endsWith(REPACKED);
            types[i] = GgmlType.valueOf(names[i].replace(REPACKED, ""));
            rows[i] = (int) (MEMORY_BYTES / types[i].byteSize(COLS));
            matrices[i] = randomMatrix(types[i], rows[i] * COLS, random);
            if (repacked) {
                matrices[i] = InterleavedTensor.repack(matrices[i], rows[i], COLS,
                        Arena.ofAuto().allocate(InterleavedTensor.byteSize(types[i], rows[i], COLS), 64));
            }
        }
        long[][] hot = new long[types.length][ROUNDS];
        long[][] memory = new long[types.length][ROUNDS];
        float sink = 0;
        float[] out = new float[Arrays.stream(rows).max().orElseThrow()];
        for (int round = 0; round < ROUNDS; round++) {
            for (int i = 0; i < types.length; i++) {
                FloatTensor.RowOperand operand = matrices[i].rowOperand(x, COLS);
                long start = System.nanoTime();
                for (int r = 0; r < rows[i]; r += HOT_ROWS) {
                    matrices[i].dotRows(operand, COLS, out, 0, HOT_ROWS);
                }
                hot[i][round] = System.nanoTime() - start;
                sink += out[0];
                start = System.nanoTime();
                matrices[i].dotRows(operand, COLS, out, 0, rows[i]);
                memory[i][round] = System.nanoTime() - start;
                sink += out[rows[i] / 2];
            }
        }
        System.out.printf("%-13s %22s %22s   (GB/s of encoded weights, median / best of %d rounds; sink %s)%n",
                "type", "hot (8 rows)", "memory (256 MB)", ROUNDS - WARMUP_ROUNDS, sink);
        for (int i = 0; i < names.length; i++) {
            double bytes = types[i].byteSize((long) rows[i] * COLS);
            System.out.printf("%-13s %22s %22s%n", names[i], speeds(bytes, hot[i]), speeds(bytes, memory[i]));
        }
    }

    /** "median / best" in GB/s of the rounds after the warm-up ones. */
    private static String speeds(double bytes, long[] nanos) {
        long[] measured = Arrays.copyOfRange(nanos, WARMUP_ROUNDS, nanos.length);
        Arrays.sort(measured);
        return String.format("%.2f / %.2f", bytes / measured[measured.length / 2], bytes / measured[0]);
    }

    private static FloatTensor randomMatrix(GgmlType type, int values, Random random) {
        float[] floats = new float[values];
        for (int i = 0; i < values; i++) floats[i] = (float) random.nextGaussian() * 0.05f;
        return ReferenceBlocks.tensor(type, Quantizer.quantize(type, floats));
    }
}
