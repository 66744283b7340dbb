package dev.dossier.runtime.compute;

import dev.dossier.runtime.tensor.FloatTensor;
import java.util.Arrays;
import java.util.function.IntUnaryOperator;
import jdk.incubator.vector.FloatVector;
import jdk.incubator.vector.IntVector;
import jdk.incubator.vector.VectorSpecies;

/** Weight-matrix products. A weight matrix is a {@link FloatTensor} of {@code rows x cols}, row-major. */
public final class MatMul {
    private static final VectorSpecies<Float> F = FloatVector.SPECIES_PREFERRED;
    private static final VectorSpecies<Integer> INTS = F.withLanes(int.class);
    private static final VectorSpecies<Float> EIGHT = FloatVector.SPECIES_256;
    /** Tokens per vector: one vector load holds one column of this many tokens. */
    static final int LANES = F.length();
    /**
     * 512-bit vectors mean AVX-512 and its 32 vector registers, room for the 24 accumulators of
     * the 8 x 3 tile; AVX2 has 16, where that tile spills most of them to the stack, so it gets
     * a 6 x 2 tile (12 accumulators, the shape BLIS uses there).
     */
    static final boolean MANY_REGISTERS = F.vectorBitSize() >= 512;
    /** Weight rows decoded together and kept in registers' reach: each is then used for every token of the block. */
    static final int PANEL = MANY_REGISTERS ? 8 : 6;
    /**
     * Whether the tiles read a decoded panel column by column ({@link #interleave}): the 8 x 3
     * tile then reads its weights at one address plus constant offsets, where eight rows in place
     * took eight addresses a column, more registers than the accumulators leave, and ran at 90% of
     * the FMA peak against 99% (BENCHMARKS.md, session 15). The 6 x 2 tile for 16 registers
     * spilled an accumulator that way and ran at two thirds of its speed, so it reads rows.
     */
    static final boolean INTERLEAVED_PANELS = MANY_REGISTERS;
    /**
     * Whether transposes move 8 x 16 blocks through vector shuffles ({@link
     * #transposeEightBySixteen}), which needs 16 lanes: about a tenth of a nanosecond a value, where
     * copying value by value took 0.3-0.9.
     */
    private static final boolean SHUFFLES = LANES == 16;

    /**
     * Columns a transpose copies per pass over the tokens: one cache line of each token's values.
     * Token rows lie a power of two apart, so column by column the tile's 48 lines would fall into
     * the same few L1 sets and be evicted before their next column.
     */
    private static final int TRANSPOSE_COLUMNS = 16;
    /** Bytes of decoded panels that meet every token tile together: a quarter of a 1 MB L2 cache. */
    static final int GROUP_BYTES = 256 * 1024;
    /** A group of decoded panels in the tiles' layout ({@link #decodeGroup}), one buffer per worker thread. */
    private static final ThreadLocal<float[]> GROUP = ThreadLocal.withInitial(() -> new float[0]);
    /** One panel's rows before {@link #interleave}, one buffer per worker thread. */
    private static final ThreadLocal<float[]> ROWS = ThreadLocal.withInitial(() -> new float[0]);
    /** The block in token tiles ({@link #transpose}) of the calling thread, reused across calls. */
    private static final ThreadLocal<float[]> COLUMNS = ThreadLocal.withInitial(() -> new float[0]);
    /** One panel's results before they are scattered to the output, one per worker thread. */
    private static final ThreadLocal<float[]> TILE = ThreadLocal.withInitial(() -> new float[PANEL * 3 * LANES]);

    private MatMul() {
    }

    /** One of the products of a shared input: {@code rows} rows of {@code weights}, the results to {@code out}. */
    public record Product(FloatTensor weights, int rows, float[] out) {
    }

    /** {@link #apply(float[], int, int, Product...)} for one weight matrix. */
    public static void apply(FloatTensor weights, int rows, int cols, float[] in, float[] out, int tokens) {
        apply(in, cols, tokens, new Product(weights, rows, out));
    }

    /**
     * {@code out[t][r] = sum_c weights[r][c] * in[t][c]} for each product, for a block of {@code
     * tokens} vectors laid out one after another. Products of the same input (a layer's query, key
     * and value; its gate and up projections) run as one job: the pool meets once, not once per
     * matrix, and prefill transposes the input once.
     *
     * <p>One token (decoding) is memory-bound: each row is streamed once through the tensor's own
     * dot product. Several tokens (prefill) are compute-bound: the block is transposed once into
     * token tiles ({@link #tileWidth} tokens each, column after column, so one vector load holds
     * one column of {@link #LANES} tokens), rows are decoded to floats {@link #PANEL} at a time,
     * and a register tile of {@link #PANEL} rows x one token tile is accumulated by broadcasting
     * each decoded weight against the tile's token vectors (an outer product per column). Every
     * value loaded then feeds several FMAs, so the kernel runs near the FMA limit instead of the
     * load limit.
     *
     * <p>Decoded panels come in groups of up to {@link #GROUP_BYTES}, and each group meets every
     * token tile before the next is decoded: a panel's decoding (and its wait for the weights from
     * memory) is shared by the whole block, while what the tiles stream stays one token tile's
     * columns plus the group, inside the core's L2 cache, whatever the block's size.
     */
    public static void apply(float[] in, int cols, int tokens, Product... products) {
        if (tokens == 1) {
            FloatTensor.RowOperand[] operands = new FloatTensor.RowOperand[products.length];
            for (int i = 0; i < products.length; i++) {
                FloatTensor weights = products[i].weights();
                boolean sameLayout = i > 0 && weights.getClass() == products[i - 1].weights().getClass();
                operands[i] = sameLayout ? operands[i - 1] : weights.rowOperand(in, cols);
            }
            forEachPart(products, 1, cols, (product, i, from, to) ->
                    product.weights().dotRows(operands[i], cols, product.out(), from, to));
            return;
        }
        int[] positions = products[0].weights().columnPositions();
        for (Product product : products) {
            if (!Arrays.equals(product.weights().columnPositions(), positions)) { // their columns need two transposes
                for (Product each : products) {
                    apply(in, cols, tokens, each);
                }
                return;
            }
        }
        int stride = (tokens + LANES - 1) / LANES * LANES;
        float[] columns = transpose(in, tokens, cols, stride, positions);
        forEachPart(products, PANEL, (long) PANEL * cols * tokens, (product, i, from, to) ->
                multiplyPanels(product, from, to, cols, in, columns, tokens, stride));
    }

    /** A body over rows {@code [from, to)} of product {@code index}. */
    @FunctionalInterface
    private interface PartBody {
        void run(Product product, int index, int from, int to);
    }

    /**
     * Runs {@code body} over all products' rows in one parallel job, in units of {@code unitRows}
     * rows (a product's last unit may be shorter), each piece of the job cut where products meet.
     */
    private static void forEachPart(Product[] products, int unitRows, long costPerUnit, PartBody body) {
        int[] firstUnit = new int[products.length + 1];
        for (int i = 0; i < products.length; i++) {
            firstUnit[i + 1] = firstUnit[i] + (products[i].rows() + unitRows - 1) / unitRows;
        }
        Parallel.forRange(firstUnit[products.length], costPerUnit, (from, to) -> {
            for (int i = 0; i < products.length; i++) {
                int first = Math.max(from, firstUnit[i]);
                int last = Math.min(to, firstUnit[i + 1]);
                if (first < last) {
                    int rows = products[i].rows();
                    body.run(products[i], i, (first - firstUnit[i]) * unitRows, Math.min(rows, (last - firstUnit[i]) * unitRows));
                }
            }
        });
    }

    /** Rows {@code [from, to)} (whole panels, but for a product's last rows) of a product times the token tiles. */
    private static void multiplyPanels(Product product, int from, int to, int cols, float[] in, float[] columns, int tokens, int stride) {
        FloatTensor weights = product.weights();
        int rows = product.rows();
        float[] out = product.out();
        float[] tile = TILE.get();
        int wholePanels = Math.min(to, rows) / PANEL;
        int group = Math.max(1, GROUP_BYTES / (PANEL * cols * Float.BYTES));
        for (int first = from / PANEL; first < wholePanels; first += group) {
            int count = Math.min(group, wholePanels - first);
            float[] decoded = decodeGroup(weights, first, count, cols);
            for (int t = 0, width; t < stride; t += width) {
                width = tileWidth(stride - t);
                for (int p = 0; p < count; p++) {
                    multiplyTile(decoded, p * PANEL * cols, cols, columns, t, width, tile);
                    scatter(tile, width, t, tokens, out, rows, (first + p) * PANEL);
                }
            }
        }
        int rest = to - Math.max(from, wholePanels * PANEL);
        if (rest > 0) {
            int row = to - rest;
            float[] decoded = buffer(ROWS, rest * cols);
            weights.dequantize((long) row * cols, decoded, 0, rest * cols);
            multiplyRows(decoded, rest, cols, in, tokens, out, rows, row);
        }
    }

    /**
     * Panels {@code first .. first + count - 1} of {@code weights} decoded in the tiles' layout, in
     * this thread's buffer: with {@link #INTERLEAVED_PANELS} each panel {@link #interleave}d, else
     * row after row.
     */
    private static float[] decodeGroup(FloatTensor weights, int first, int count, int cols) {
        int panelSize = PANEL * cols;
        float[] group = buffer(GROUP, count * panelSize);
        if (!INTERLEAVED_PANELS) {
            weights.dequantizeInColumnOrder((long) first * panelSize, group, 0, count * panelSize);
            return group;
        }
        float[] rows = buffer(ROWS, panelSize);
        for (int p = 0; p < count; p++) {
            weights.dequantizeInColumnOrder((long) (first + p) * panelSize, rows, 0, panelSize);
            interleave(rows, cols, group, p * panelSize);
        }
        return group;
    }

    /**
     * The register tile for the next {@code remaining} tokens (padded to whole vectors): with
     * AVX-512 3 vectors wide, or 2 when 2 or 4 are left (a 1-vector tile does 8 FMAs per 9 loads and
     * runs at two thirds of the speed); with AVX2 2 wide; 1 for an odd last vector.
     */
    private static int tileWidth(int remaining) {
        int vectors = remaining / LANES;
        if (!MANY_REGISTERS) {
            return vectors >= 2 ? 2 * LANES : LANES;
        }
        if (vectors == 2 || vectors == 4) {
            return 2 * LANES;
        }
        return vectors >= 3 ? 3 * LANES : LANES;
    }

    /** One panel of decoded rows (from {@code w[base]}) times the token tile of {@code width} tokens from token {@code first}. */
    private static void multiplyTile(float[] w, int base, int cols, float[] columns, int first, int width, float[] tile) {
        int at = first * cols; // the tile's columns: column c at at + c * width
        if (!MANY_REGISTERS) {
            if (width == 2 * LANES) {
                sixTimes2(w, base, cols, columns, width, at, tile);
            } else {
                sixTimes1(w, base, cols, columns, width, at, tile);
            }
        } else if (width == 3 * LANES) {
            panelTimes3(w, base, cols, columns, width, at, tile);
        } else if (width == 2 * LANES) {
            panelTimes2(w, base, cols, columns, width, at, tile);
        } else {
            panelTimes1(w, base, cols, columns, width, at, tile);
        }
    }

    /**
     * {@code in} (tokens x cols, token after token) as token tiles ({@link #tileWidth}): column c
     * of the tile that starts at token {@code first} holds its tokens at {@code columns[first *
     * cols + c * width ..]}, zero past {@code tokens}; split over the pool, or the other workers
     * would wait through it. With column positions (the weights decode their panels in that
     * order), column {@code c} goes to place {@code positions[c]}. The loop runs over the input's
     * own columns, so each cache line of a token's values serves 16 columns in a row.
     */
    private static float[] transpose(float[] in, int tokens, int cols, int stride, int[] positions) {
        float[] target = buffer(COLUMNS, stride * cols);
        Parallel.forRange(cols, stride, (from, to) -> {
            float[] block = new float[8 * 16];
            for (int first = 0, width; first < stride; first += width) {
                width = tileWidth(stride - first);
                int end = Math.min(tokens, first + width);
                int tile = first * cols - first; // token t of column position p at tile + p * width + t
                for (int c0 = from; c0 < to; c0 += TRANSPOSE_COLUMNS) {
                    int c1 = Math.min(to, c0 + TRANSPOSE_COLUMNS);
                    int t = first;
                    if (SHUFFLES && c1 - c0 == 16) {
                        for (; t + 8 <= end; t += 8) { // 8 tokens' 16 columns at a time
                            transposeEightBySixteen(in, t * cols + c0, cols, block, 0);
                            for (int j = 0; j < 16; j++) {
                                FloatVector.fromArray(EIGHT, block, j * 8).intoArray(target, tile + place(positions, c0 + j) * width + t);
                            }
                        }
                    }
                    for (; t < end; t++) {
                        int row = t * cols;
                        for (int c = c0; c < c1; c++) {
                            target[tile + place(positions, c) * width + t] = in[row + c];
                        }
                    }
                    for (int c = c0; c < c1; c++) {
                        int o = tile + place(positions, c) * width;
                        Arrays.fill(target, o + end, o + first + width, 0f);
                    }
                }
            }
        });
        return target;
    }

    /** Where a transpose puts column {@code c}: its place in the weights' column order, if they have one. */
    private static int place(int[] positions, int c) {
        return positions == null ? c : positions[c];
    }

    /** Copies a panel's results ({@code tile[r * width + j]} for token {@code first + j}) to {@code out[t][row + r]}. */
    private static void scatter(float[] tile, int width, int first, int tokens, float[] out, int rows, int row) {
        int end = Math.min(tokens, first + width);
        for (int t = first; t < end; t++) {
            int o = t * rows + row;
            int j = t - first;
            for (int r = 0; r < PANEL; r++) {
                out[o + r] = tile[r * width + j];
            }
        }
    }

    /**
     * 8 decoded rows, {@link #interleave}d (row r's column c at {@code w[base + c * 8 + r]}), times 3
     * x {@link #LANES} tokens from {@code first}: 24 accumulators, for 32-register CPUs.
     */
    private static void panelTimes3(float[] w, int base, int cols, float[] x, int stride, int first, float[] tile) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a02 = a00, a10 = a00, a11 = a00, a12 = a00;
        FloatVector a20 = a00, a21 = a00, a22 = a00, a30 = a00, a31 = a00, a32 = a00;
        FloatVector a40 = a00, a41 = a00, a42 = a00, a50 = a00, a51 = a00, a52 = a00;
        FloatVector a60 = a00, a61 = a00, a62 = a00, a70 = a00, a71 = a00, a72 = a00;
        int l = LANES;
        for (int c = 0; c < cols; c++) {
            int at = c * stride + first;
            int wc = base + c * PANEL;
            FloatVector x0 = FloatVector.fromArray(F, x, at);
            FloatVector x1 = FloatVector.fromArray(F, x, at + l);
            FloatVector x2 = FloatVector.fromArray(F, x, at + 2 * l);
            FloatVector w0 = FloatVector.broadcast(F, w[wc]);
            a00 = w0.fma(x0, a00); a01 = w0.fma(x1, a01); a02 = w0.fma(x2, a02);
            FloatVector w1 = FloatVector.broadcast(F, w[wc + 1]);
            a10 = w1.fma(x0, a10); a11 = w1.fma(x1, a11); a12 = w1.fma(x2, a12);
            FloatVector w2 = FloatVector.broadcast(F, w[wc + 2]);
            a20 = w2.fma(x0, a20); a21 = w2.fma(x1, a21); a22 = w2.fma(x2, a22);
            FloatVector w3 = FloatVector.broadcast(F, w[wc + 3]);
            a30 = w3.fma(x0, a30); a31 = w3.fma(x1, a31); a32 = w3.fma(x2, a32);
            FloatVector w4 = FloatVector.broadcast(F, w[wc + 4]);
            a40 = w4.fma(x0, a40); a41 = w4.fma(x1, a41); a42 = w4.fma(x2, a42);
            FloatVector w5 = FloatVector.broadcast(F, w[wc + 5]);
            a50 = w5.fma(x0, a50); a51 = w5.fma(x1, a51); a52 = w5.fma(x2, a52);
            FloatVector w6 = FloatVector.broadcast(F, w[wc + 6]);
            a60 = w6.fma(x0, a60); a61 = w6.fma(x1, a61); a62 = w6.fma(x2, a62);
            FloatVector w7 = FloatVector.broadcast(F, w[wc + 7]);
            a70 = w7.fma(x0, a70); a71 = w7.fma(x1, a71); a72 = w7.fma(x2, a72);
        }
        int s = 3 * l;
        a00.intoArray(tile, 0); a01.intoArray(tile, l); a02.intoArray(tile, 2 * l);
        a10.intoArray(tile, s); a11.intoArray(tile, s + l); a12.intoArray(tile, s + 2 * l);
        a20.intoArray(tile, 2 * s); a21.intoArray(tile, 2 * s + l); a22.intoArray(tile, 2 * s + 2 * l);
        a30.intoArray(tile, 3 * s); a31.intoArray(tile, 3 * s + l); a32.intoArray(tile, 3 * s + 2 * l);
        a40.intoArray(tile, 4 * s); a41.intoArray(tile, 4 * s + l); a42.intoArray(tile, 4 * s + 2 * l);
        a50.intoArray(tile, 5 * s); a51.intoArray(tile, 5 * s + l); a52.intoArray(tile, 5 * s + 2 * l);
        a60.intoArray(tile, 6 * s); a61.intoArray(tile, 6 * s + l); a62.intoArray(tile, 6 * s + 2 * l);
        a70.intoArray(tile, 7 * s); a71.intoArray(tile, 7 * s + l); a72.intoArray(tile, 7 * s + 2 * l);
    }

    /** 8 interleaved rows times 2 x {@link #LANES} tokens from {@code first}: 16 accumulators (a block's last 2 vectors). */
    private static void panelTimes2(float[] w, int base, int cols, float[] x, int stride, int first, float[] tile) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00, a30 = a00, a31 = a00;
        FloatVector a40 = a00, a41 = a00, a50 = a00, a51 = a00, a60 = a00, a61 = a00, a70 = a00, a71 = a00;
        int l = LANES;
        for (int c = 0; c < cols; c++) {
            int at = c * stride + first;
            int wc = base + c * PANEL;
            FloatVector x0 = FloatVector.fromArray(F, x, at);
            FloatVector x1 = FloatVector.fromArray(F, x, at + l);
            FloatVector w0 = FloatVector.broadcast(F, w[wc]);
            a00 = w0.fma(x0, a00); a01 = w0.fma(x1, a01);
            FloatVector w1 = FloatVector.broadcast(F, w[wc + 1]);
            a10 = w1.fma(x0, a10); a11 = w1.fma(x1, a11);
            FloatVector w2 = FloatVector.broadcast(F, w[wc + 2]);
            a20 = w2.fma(x0, a20); a21 = w2.fma(x1, a21);
            FloatVector w3 = FloatVector.broadcast(F, w[wc + 3]);
            a30 = w3.fma(x0, a30); a31 = w3.fma(x1, a31);
            FloatVector w4 = FloatVector.broadcast(F, w[wc + 4]);
            a40 = w4.fma(x0, a40); a41 = w4.fma(x1, a41);
            FloatVector w5 = FloatVector.broadcast(F, w[wc + 5]);
            a50 = w5.fma(x0, a50); a51 = w5.fma(x1, a51);
            FloatVector w6 = FloatVector.broadcast(F, w[wc + 6]);
            a60 = w6.fma(x0, a60); a61 = w6.fma(x1, a61);
            FloatVector w7 = FloatVector.broadcast(F, w[wc + 7]);
            a70 = w7.fma(x0, a70); a71 = w7.fma(x1, a71);
        }
        int s = 2 * l;
        a00.intoArray(tile, 0); a01.intoArray(tile, l);
        a10.intoArray(tile, s); a11.intoArray(tile, s + l);
        a20.intoArray(tile, 2 * s); a21.intoArray(tile, 2 * s + l);
        a30.intoArray(tile, 3 * s); a31.intoArray(tile, 3 * s + l);
        a40.intoArray(tile, 4 * s); a41.intoArray(tile, 4 * s + l);
        a50.intoArray(tile, 5 * s); a51.intoArray(tile, 5 * s + l);
        a60.intoArray(tile, 6 * s); a61.intoArray(tile, 6 * s + l);
        a70.intoArray(tile, 7 * s); a71.intoArray(tile, 7 * s + l);
    }

    /** 8 interleaved rows times {@link #LANES} tokens from {@code first}: 8 accumulators. */
    private static void panelTimes1(float[] w, int base, int cols, float[] x, int stride, int first, float[] tile) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0, a6 = a0, a7 = a0;
        for (int c = 0; c < cols; c++) {
            int wc = base + c * PANEL;
            FloatVector x0 = FloatVector.fromArray(F, x, c * stride + first);
            a0 = FloatVector.broadcast(F, w[wc]).fma(x0, a0);
            a1 = FloatVector.broadcast(F, w[wc + 1]).fma(x0, a1);
            a2 = FloatVector.broadcast(F, w[wc + 2]).fma(x0, a2);
            a3 = FloatVector.broadcast(F, w[wc + 3]).fma(x0, a3);
            a4 = FloatVector.broadcast(F, w[wc + 4]).fma(x0, a4);
            a5 = FloatVector.broadcast(F, w[wc + 5]).fma(x0, a5);
            a6 = FloatVector.broadcast(F, w[wc + 6]).fma(x0, a6);
            a7 = FloatVector.broadcast(F, w[wc + 7]).fma(x0, a7);
        }
        int l = LANES;
        a0.intoArray(tile, 0); a1.intoArray(tile, l); a2.intoArray(tile, 2 * l); a3.intoArray(tile, 3 * l);
        a4.intoArray(tile, 4 * l); a5.intoArray(tile, 5 * l); a6.intoArray(tile, 6 * l); a7.intoArray(tile, 7 * l);
    }

    /** 6 decoded rows times 2 x {@link #LANES} tokens from {@code first}: 12 accumulators, for 16-register CPUs. */
    private static void sixTimes2(float[] w, int base, int cols, float[] x, int stride, int first, float[] tile) {
        FloatVector a00 = FloatVector.zero(F), a01 = a00, a10 = a00, a11 = a00, a20 = a00, a21 = a00;
        FloatVector a30 = a00, a31 = a00, a40 = a00, a41 = a00, a50 = a00, a51 = a00;
        int l = LANES;
        int at = first;
        for (int c = 0; c < cols; c++, at += stride) {
            FloatVector x0 = FloatVector.fromArray(F, x, at);
            FloatVector x1 = FloatVector.fromArray(F, x, at + l);
            FloatVector w0 = FloatVector.broadcast(F, w[base + c]);
            a00 = w0.fma(x0, a00); a01 = w0.fma(x1, a01);
            FloatVector w1 = FloatVector.broadcast(F, w[base + cols + c]);
            a10 = w1.fma(x0, a10); a11 = w1.fma(x1, a11);
            FloatVector w2 = FloatVector.broadcast(F, w[base + 2 * cols + c]);
            a20 = w2.fma(x0, a20); a21 = w2.fma(x1, a21);
            FloatVector w3 = FloatVector.broadcast(F, w[base + 3 * cols + c]);
            a30 = w3.fma(x0, a30); a31 = w3.fma(x1, a31);
            FloatVector w4 = FloatVector.broadcast(F, w[base + 4 * cols + c]);
            a40 = w4.fma(x0, a40); a41 = w4.fma(x1, a41);
            FloatVector w5 = FloatVector.broadcast(F, w[base + 5 * cols + c]);
            a50 = w5.fma(x0, a50); a51 = w5.fma(x1, a51);
        }
        int s = 2 * l;
        a00.intoArray(tile, 0); a01.intoArray(tile, l);
        a10.intoArray(tile, s); a11.intoArray(tile, s + l);
        a20.intoArray(tile, 2 * s); a21.intoArray(tile, 2 * s + l);
        a30.intoArray(tile, 3 * s); a31.intoArray(tile, 3 * s + l);
        a40.intoArray(tile, 4 * s); a41.intoArray(tile, 4 * s + l);
        a50.intoArray(tile, 5 * s); a51.intoArray(tile, 5 * s + l);
    }

    /** 6 decoded rows times {@link #LANES} tokens from {@code first}: a block's odd last vector on 16-register CPUs. */
    private static void sixTimes1(float[] w, int base, int cols, float[] x, int stride, int first, float[] tile) {
        FloatVector a0 = FloatVector.zero(F), a1 = a0, a2 = a0, a3 = a0, a4 = a0, a5 = a0;
        int at = first;
        for (int c = 0; c < cols; c++, at += stride) {
            FloatVector x0 = FloatVector.fromArray(F, x, at);
            a0 = FloatVector.broadcast(F, w[base + c]).fma(x0, a0);
            a1 = FloatVector.broadcast(F, w[base + cols + c]).fma(x0, a1);
            a2 = FloatVector.broadcast(F, w[base + 2 * cols + c]).fma(x0, a2);
            a3 = FloatVector.broadcast(F, w[base + 3 * cols + c]).fma(x0, a3);
            a4 = FloatVector.broadcast(F, w[base + 4 * cols + c]).fma(x0, a4);
            a5 = FloatVector.broadcast(F, w[base + 5 * cols + c]).fma(x0, a5);
        }
        int l = LANES;
        a0.intoArray(tile, 0); a1.intoArray(tile, l); a2.intoArray(tile, 2 * l);
        a3.intoArray(tile, 3 * l); a4.intoArray(tile, 4 * l); a5.intoArray(tile, 5 * l);
    }

    private static float[] buffer(ThreadLocal<float[]> buffers, int size) {
        float[] buffer = buffers.get();
        if (buffer.length < size) {
            buffer = new float[size];
            buffers.set(buffer);
        }
        return buffer;
    }

    /**
     * A panel of {@link #PANEL} decoded rows ({@code cols} values each, row after row) into the
     * tiles' layout: column after column, each column's {@link #PANEL} values together: 8 x 16
     * blocks at a time where there are {@link #SHUFFLES}, any last columns one by one.
     */
    static void interleave(float[] rows, int cols, float[] out, int outOffset) {
        int c = 0;
        if (SHUFFLES && PANEL == 8) {
            for (; c + 16 <= cols; c += 16) {
                transposeEightBySixteen(rows, c, cols, out, outOffset + c * PANEL);
            }
        }
        for (; c < cols; c++) {
            for (int r = 0; r < PANEL; r++) {
                out[outOffset + c * PANEL + r] = rows[r * cols + c];
            }
        }
    }

    /** Index vectors of two-vector selections: lane i takes lane {@code from(i)} of the pair (16 and up: the second vector). */
    private static IntVector selection(IntUnaryOperator from) {
        int[] lanes = new int[LANES];
        for (int i = 0; i < LANES; i++) {
            lanes[i] = from.applyAsInt(i);
        }
        return IntVector.fromArray(INTS, lanes, 0);
    }

    // The three rounds of an 8 x 16 transpose: rows in pairs (lanes alternate), in fours (pairs
    // alternate), in eights (fours alternate); LOW takes the first half of each input, HIGH the second.
    private static final IntVector PAIRS_LOW = selection(i -> (i % 2) * 16 + i / 2);
    private static final IntVector PAIRS_HIGH = selection(i -> (i % 2) * 16 + 8 + i / 2);
    private static final IntVector FOURS_LOW = selection(i -> (i / 2 % 2) * 16 + i / 4 * 2 + i % 2);
    private static final IntVector FOURS_HIGH = selection(i -> (i / 2 % 2) * 16 + 8 + i / 4 * 2 + i % 2);
    private static final IntVector EIGHTS_LOW = selection(i -> (i / 4 % 2) * 16 + i / 8 * 4 + i % 4);
    private static final IntVector EIGHTS_HIGH = selection(i -> (i / 4 % 2) * 16 + 8 + i / 8 * 4 + i % 4);

    /** A float vector's bits as ints: the shuffles' index vectors are ints, and float ones were converted on every use. */
    private static IntVector load(float[] values, int offset) {
        return FloatVector.fromArray(F, values, offset).reinterpretAsInts();
    }

    /** Columns {@code c .. c + 15} of 8 rows (row r at {@code rows[r * cols ..]}) as 16 columns of 8 values from {@code out[o]}. */
    private static void transposeEightBySixteen(float[] rows, int c, int cols, float[] out, int o) {
        IntVector r0 = load(rows, c), r1 = load(rows, c + cols);
        IntVector r2 = load(rows, c + 2 * cols), r3 = load(rows, c + 3 * cols);
        IntVector r4 = load(rows, c + 4 * cols), r5 = load(rows, c + 5 * cols);
        IntVector r6 = load(rows, c + 6 * cols), r7 = load(rows, c + 7 * cols);
        IntVector p0 = PAIRS_LOW.selectFrom(r0, r1), p1 = PAIRS_HIGH.selectFrom(r0, r1); // rows 0-1: columns 0-7, 8-15
        IntVector p2 = PAIRS_LOW.selectFrom(r2, r3), p3 = PAIRS_HIGH.selectFrom(r2, r3);
        IntVector p4 = PAIRS_LOW.selectFrom(r4, r5), p5 = PAIRS_HIGH.selectFrom(r4, r5);
        IntVector p6 = PAIRS_LOW.selectFrom(r6, r7), p7 = PAIRS_HIGH.selectFrom(r6, r7);
        IntVector f0 = FOURS_LOW.selectFrom(p0, p2), f1 = FOURS_HIGH.selectFrom(p0, p2); // rows 0-3: columns 0-3, 4-7
        IntVector f2 = FOURS_LOW.selectFrom(p1, p3), f3 = FOURS_HIGH.selectFrom(p1, p3); // rows 0-3: columns 8-11, 12-15
        IntVector f4 = FOURS_LOW.selectFrom(p4, p6), f5 = FOURS_HIGH.selectFrom(p4, p6); // rows 4-7
        IntVector f6 = FOURS_LOW.selectFrom(p5, p7), f7 = FOURS_HIGH.selectFrom(p5, p7);
        EIGHTS_LOW.selectFrom(f0, f4).reinterpretAsFloats().intoArray(out, o);
        EIGHTS_HIGH.selectFrom(f0, f4).reinterpretAsFloats().intoArray(out, o + 16);
        EIGHTS_LOW.selectFrom(f1, f5).reinterpretAsFloats().intoArray(out, o + 32);
        EIGHTS_HIGH.selectFrom(f1, f5).reinterpretAsFloats().intoArray(out, o + 48);
        EIGHTS_LOW.selectFrom(f2, f6).reinterpretAsFloats().intoArray(out, o + 64);
        EIGHTS_HIGH.selectFrom(f2, f6).reinterpretAsFloats().intoArray(out, o + 80);
        EIGHTS_LOW.selectFrom(f3, f7).reinterpretAsFloats().intoArray(out, o + 96);
        EIGHTS_HIGH.selectFrom(f3, f7).reinterpretAsFloats().intoArray(out, o + 112);
    }

    /** The last rows (fewer than a panel): {@code n} decoded rows times every token, one dot at a time. */
    private static void multiplyRows(float[] w, int n, int cols, float[] in, int tokens, float[] out, int rows, int row) {
        for (int t = 0; t < tokens; t++) {
            for (int i = 0; i < n; i++) {
                out[t * rows + row + i] = VectorOps.dot(w, i * cols, in, t * cols, cols);
            }
        }
    }
}
