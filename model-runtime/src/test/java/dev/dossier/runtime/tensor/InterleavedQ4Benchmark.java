package dev.dossier.runtime.tensor;

import dev.dossier.runtime.gguf.GgmlType;
import java.lang.foreign.Arena;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.util.Arrays;
import java.util.Random;
import jdk.incubator.vector.ByteVector;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.ShortVector;
import jdk.incubator.vector.VectorOperators;
import jdk.incubator.vector.VectorSpecies;

/**
 * A measured design, not a test and not yet the runtime's kernel: a Q4_0 decode kernel on 16-bit
 * integers with the blocks laid out across the vector's lanes, timed against the runtime's
 * {@link Q4_0Tensor} row kernel. See BENCHMARKS.md, session 7.
 *
 * <p>The runtime's kernel converts every block's 32 products to floats to apply the block's scale,
 * about 14 vector instructions per block. Here 32 blocks are repacked side by side (16 chunks of
 * 32 bytes: chunk k holds byte k of each block, so lane b of a 512-bit vector of shorts belongs to
 * block b) and the activations are quantized to 8 bits per block of 32 and transposed the same
 * way. A whole block's products then accumulate in its own 16-bit lane (two accumulators, values
 * 0-15 and 16-31, each at most 16 x 15 x 127 = 30480), and the conversion to floats and the
 * scaling happen once per 32 blocks: about 4 vector instructions per block.
 *
 * <p>Run: java --add-modules=jdk.incubator.vector -cp target/classes:target/test-classes dev.dossier.runtime.tensor.InterleavedQ4Benchmark [ROWS]
 */
public final class InterleavedQ4Benchmark {
    private static final int COLS = 2048;
    private static final int GROUP = 32;
    private static final int ROUNDS = 41;
    private static final int WARMUP_ROUNDS = 10;
    private static final VectorSpecies<Byte> CHUNK = ByteVector.SPECIES_256;
    private static final VectorSpecies<Short> SHORTS = ShortVector.SPECIES_512;
    private static final VectorSpecies<Integer> INTS = IntVector.SPECIES_512;
    private static final VectorSpecies<Float> FLOATS = FloatVector.SPECIES_512;

    public static void main(String[] args) {
        int rows = args.length > 0 ? Integer.parseInt(args[0]) : 2048;
        Random random = new Random(1);
        float[] weights = new float[rows * COLS];
        for (int i = 0; i < weights.length; i++) weights[i] = (float) random.nextGaussian() * 0.05f;
        byte[] q4 = Quantizer.quantize(GgmlType.Q4_0, weights);
        FloatTensor tensor = ReferenceBlocks.tensor(GgmlType.Q4_0, q4);
        Interleaved interleaved = new Interleaved(q4, rows);
        float[] x = new float[COLS];
        for (int i = 0; i < COLS; i++) x[i] = (float) random.nextGaussian();

        float[] expected = new float[rows];
        float[] actual = new float[rows];
        long[][] nanos = new long[2][ROUNDS];
        for (int round = 0; round < ROUNDS; round++) {
            long start = System.nanoTime();
            FloatTensor.RowOperand operand = tensor.rowOperand(x, COLS);
            for (int r = 0; r < rows; r++) expected[r] = tensor.dot((long) r * COLS, operand, COLS);
            nanos[0][round] = System.nanoTime() - start;
            start = System.nanoTime();
            Activations activations = new Activations(x);
            for (int r = 0; r < rows; r++) actual[r] = interleaved.dot(r, activations);
            nanos[1][round] = System.nanoTime() - start;
        }
        double largest = 0;
        double error = 0;
        for (int r = 0; r < rows; r++) {
            largest = Math.max(largest, Math.abs(expected[r]));
            error = Math.max(error, Math.abs(expected[r] - actual[r]));
        }
        double bytes = q4.length;
        System.out.printf("Q4_0 %d x %d (%.1f MB), one thread, GB/s of Q4_0 weights, median / best of %d rounds%n",
                rows, COLS, bytes / 1e6, ROUNDS - WARMUP_ROUNDS);
        System.out.printf("runtime row kernel (floats)      %s%n", speeds(bytes, nanos[0]));
        System.out.printf("interleaved 16-bit integers      %s   largest difference %.2g of the largest result%n",
                speeds(bytes, nanos[1]), error / largest);
    }

    private static String speeds(double bytes, long[] nanos) {
        long[] measured = Arrays.copyOfRange(nanos, WARMUP_ROUNDS, nanos.length);
        Arrays.sort(measured);
        return String.format("%.2f / %.2f", bytes / measured[measured.length / 2], bytes / measured[0]);
    }

    /** The vector quantized to 8 bits per block of 32 and transposed per group of 32 blocks like the weights. */
    static final class Activations {
        final short[] transposed;
        final float[] scales;
        /** 8 x the block's sum of codes: the weights' -8 offset taken out of the loop. */
        final int[] offsets;

        Activations(float[] x) {
            int blocks = x.length / 32;
            transposed = new short[x.length];
            scales = new float[blocks];
            offsets = new int[blocks];
            for (int b = 0; b < blocks; b++) {
                float max = 0;
                for (int i = 0; i < 32; i++) max = Math.max(max, Math.abs(x[b * 32 + i]));
                float scale = max / 127;
                float inverse = scale == 0 ? 0 : 1 / scale;
                int sum = 0;
                for (int i = 0; i < 32; i++) {
                    int code = Math.round(x[b * 32 + i] * inverse);
                    transposed[b / GROUP * GROUP * 32 + i * GROUP + b % GROUP] = (short) code;
                    sum += code;
                }
                scales[b] = scale;
                offsets[b] = 8 * sum;
            }
        }
    }

    /** Q4_0 rows repacked in groups of 32 blocks: byte k of every block side by side; the scales as floats apart. */
    static final class Interleaved {
        final MemorySegment nibbles;
        final float[] scales;
        final int groupsPerRow = COLS / 32 / GROUP;

        Interleaved(byte[] q4, int rows) {
            int blocks = rows * COLS / 32;
            nibbles = Arena.ofAuto().allocate((long) blocks * 16, 64);
            scales = new float[blocks];
            for (int b = 0; b < blocks; b++) {
                int at = b * 18;
                scales[b] = Float.float16ToFloat((short) ((q4[at] & 0xFF) | q4[at + 1] << 8));
                for (int k = 0; k < 16; k++) {
                    nibbles.set(ValueLayout.JAVA_BYTE, (long) (b / GROUP) * GROUP * 16 + k * GROUP + b % GROUP, q4[at + 2 + k]);
                }
            }
        }

        float dot(int row, Activations x) {
            FloatVector first = FloatVector.zero(FLOATS);
            FloatVector second = FloatVector.zero(FLOATS);
            for (int g = 0; g < groupsPerRow; g++) {
                long chunks = ((long) row * groupsPerRow + g) * GROUP * 16;
                int codes = g * GROUP * 32;
                ShortVector low = ShortVector.zero(SHORTS);
                ShortVector high = ShortVector.zero(SHORTS);
                for (int k = 0; k < 16; k++) {
                    ShortVector packed = (ShortVector) ByteVector.fromMemorySegment(CHUNK, nibbles, chunks + k * GROUP, ByteOrder.LITTLE_ENDIAN)
                            .convertShape(VectorOperators.ZERO_EXTEND_B2S, SHORTS, 0);
                    low = low.add(packed.and((short) 0xF).mul(ShortVector.fromArray(SHORTS, x.transposed, codes + k * GROUP)));
                    high = high.add(packed.lanewise(VectorOperators.LSHR, 4).mul(ShortVector.fromArray(SHORTS, x.transposed, codes + (k + 16) * GROUP)));
                }
                int block = g * GROUP;
                int weightBlock = row * groupsPerRow * GROUP + block;
                first = blockSums(low, high, 0, x.offsets, block)
                        .fma(FloatVector.fromArray(FLOATS, scales, weightBlock).mul(FloatVector.fromArray(FLOATS, x.scales, block)), first);
                second = blockSums(low, high, 1, x.offsets, block + 16)
                        .fma(FloatVector.fromArray(FLOATS, scales, weightBlock + 16).mul(FloatVector.fromArray(FLOATS, x.scales, block + 16)), second);
            }
            return first.add(second).reduceLanes(VectorOperators.ADD);
        }

        /** Blocks {@code 16 part .. 16 part + 15} of the group: sum((q - 8) * code) as floats. */
        private static FloatVector blockSums(ShortVector low, ShortVector high, int part, int[] offsets, int block) {
            IntVector sums = ((IntVector) low.convertShape(VectorOperators.S2I, INTS, part))
                    .add((IntVector) high.convertShape(VectorOperators.S2I, INTS, part))
                    .sub(IntVector.fromArray(INTS, offsets, block));
            return (FloatVector) sums.convert(VectorOperators.I2F, 0);
        }
    }
}
