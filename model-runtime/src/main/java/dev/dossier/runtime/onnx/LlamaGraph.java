package dev.dossier.runtime.onnx;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.attention.Rope;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.LlamaConfig;
import dev.dossier.runtime.model.LlamaWeights;
import dev.dossier.runtime.onnx.proto.OnnxProto.ModelProto;
import dev.dossier.runtime.onnx.proto.OnnxProto.TensorProto.DataType;
import dev.dossier.runtime.tensor.FloatTensor;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteBuffer;
import java.nio.ByteOrder;
import java.util.ArrayList;
import java.util.List;

/**
 * Writes the Llama decoder as an ONNX graph that runs one block of new tokens against the cached
 * keys and values, with attention positioned exactly as dca.md specifies.
 *
 * <p>Inputs: {@code tokens} and their absolute {@code positions} (int64 [T]); {@code logits_from}
 * (int64 [1]: the first block row that needs logits); and, per layer l and KV head h, the cached
 * {@code past_key.l.h} / {@code past_value.l.h} (float [P, headSize]: each a zero-copy view of one
 * KV cache segment). Outputs: {@code logits} [T - logits_from, vocab] and per layer the new
 * tokens' rotated {@code key.l} and {@code value.l} [kvHeads, T, headSize], which the caller
 * appends to its cache. So no call returns the whole cache.
 *
 * <p>DCA in operators: keys are rotated once at {@code j mod L}; each query is rotated three ways
 * (intra {@code i mod L}, successive {@code min(L + i mod L, CS)}, inter {@code min(2L-1, CS)});
 * the chunk distance {@code floor(i/L) - floor(j/L)} picks, per query/key pair, which of the three
 * score matrices applies; then one causal softmax over all keys. Plain RoPE is the one-rotation
 * case. Q4_0 matrices stay quantized ({@code MatMulNBits}), and Q8_0 ones on CUDA; other types
 * are widened to float.
 */
final class LlamaGraph {
    static final String TOKENS = "tokens";
    static final String POSITIONS = "positions";
    static final String LOGITS_FROM = "logits_from";
    static final String LOGITS = "logits";

    static String pastKey(int layer, int head) {
        return "past_key." + layer + "." + head;
    }

    static String pastValue(int layer, int head) {
        return "past_value." + layer + "." + head;
    }

    static String newKey(int layer) {
        return "key." + layer;
    }

    static String newValue(int layer) {
        return "value." + layer;
    }

    private final GraphBuilder g;
    private final LlamaConfig config;
    private final LlamaWeights weights;
    private final AttentionConfig attention;
    private final int headSize;
    private final int pairs;
    private final boolean q8Quantized;

    // Per-block values every layer shares: rotation tables gathered at each position set, masks.
    private String keyCos;
    private String keySin;
    private final List<String[]> queryRotations = new ArrayList<>(); // {cos, sin} per DCA part
    private String intraMask;
    private String successiveMask;
    private String futureMask;

    private LlamaGraph(Llama model, AttentionConfig attention, boolean q8Quantized, WeightsFile weightsFile) {
        this.q8Quantized = q8Quantized;
        this.config = model.config();
        this.weights = model.weights();
        this.attention = attention;
        this.headSize = config.headSize();
        this.pairs = config.ropeDimensions() / 2;
        this.g = new GraphBuilder("dossier-llama-" + attention, weightsFile);
    }

    /**
     * The graph for {@code attention} whose rotary table covers positions below
     * {@code rotaryPositions}; weights go to (or are already in) {@code weightsFile}. Q8_0 matrices
     * stay quantized only when {@code q8Quantized} (for CUDA; see {@link #linear}).
     */
    static ModelProto build(Llama model, AttentionConfig attention, int rotaryPositions, boolean q8Quantized, WeightsFile weightsFile) {
        return new LlamaGraph(model, attention, q8Quantized, weightsFile).build(rotaryPositions);
    }

    private ModelProto build(int rotaryPositions) {
        int layers = config.layers();
        int kvHeads = config.kvHeads();
        g.input(TOKENS, DataType.INT64, "T");
        g.input(POSITIONS, DataType.INT64, "T");
        g.input(LOGITS_FROM, DataType.INT64, 1);
        for (int l = 0; l < layers; l++) {
            for (int h = 0; h < kvHeads; h++) {
                g.input(pastKey(l, h), DataType.FLOAT, "P", headSize);
                g.input(pastValue(l, h), DataType.FLOAT, "P", headSize);
            }
        }
        positionsAndMasks(rotaryPositions);

        String embedding = g.floats("token_embd.f32", new long[] {config.vocabularySize(), config.dim()},
                () -> dequantize(weights.tokenEmbedding()));
        String x = g.gather(embedding, TOKENS, 0);
        for (int l = 0; l < layers; l++) {
            x = layer(l, x);
        }
        String last = g.op("Slice", x, LOGITS_FROM, g.longs(Long.MAX_VALUE), g.longs(0));
        String normed = rmsNorm(last, "output_norm", weights.outputNorm());
        String logits = linear(normed, weights.output(), "output", config.vocabularySize(), config.dim());
        g.output(logits, LOGITS, DataType.FLOAT, "R", config.vocabularySize());
        return g.build();
    }

    /** Rotation tables at the key and query positions, and the masks that choose DCA parts. */
    private void positionsAndMasks(int rotaryPositions) {
        Rope rope = new Rope(headSize, config.ropeDimensions(), config.ropeBase(), rotaryPositions);
        long[] tableShape = {rotaryPositions, pairs};
        String cosTable = g.floats("rope_cos." + rotaryPositions, tableShape, rope::cosines);
        String sinTable = g.floats("rope_sin." + rotaryPositions, tableShape, rope::sines);

        String keyPositions;
        List<String> queryPositions = new ArrayList<>();
        String lastPosition = g.gather(POSITIONS, g.scalar(-1L), 0);
        String keyIndex = g.op("Range", g.scalar(0L), g.add(lastPosition, g.scalar(1L)), g.scalar(1L)); // [N]
        String queryColumn = g.unsqueeze(POSITIONS, 1); // [T, 1]
        String keyRow = g.unsqueeze(keyIndex, 0);       // [1, N]
        futureMask = g.op("Greater", keyRow, queryColumn);
        if (attention.dca()) {
            long length = attention.chunkLength();
            long chunkSize = attention.chunkSize();
            String chunkLength = g.scalar(length);
            keyPositions = g.op("Mod", POSITIONS, chunkLength);
            queryPositions.add(keyPositions);                                                   // intra
            queryPositions.add(g.op("Min", g.add(keyPositions, chunkLength), g.scalar(chunkSize))); // successive
            queryPositions.add(g.op("Expand", g.scalar(Math.min(2 * length - 1, chunkSize)), g.op("Shape", POSITIONS))); // inter
            String chunkDistance = g.sub(g.div(queryColumn, chunkLength), g.div(keyRow, chunkLength)); // [T, N]
            intraMask = g.op("Equal", chunkDistance, g.scalar(0L));
            successiveMask = g.op("Equal", chunkDistance, g.scalar(1L));
        } else {
            keyPositions = POSITIONS;
            queryPositions.add(POSITIONS);
        }
        keyCos = g.unsqueeze(g.gather(cosTable, keyPositions, 0), 1); // [T, 1, pairs]: broadcast over heads
        keySin = g.unsqueeze(g.gather(sinTable, keyPositions, 0), 1);
        for (String positions : queryPositions) {
            queryRotations.add(new String[] {
                    g.unsqueeze(g.gather(cosTable, positions, 0), 1),
                    g.unsqueeze(g.gather(sinTable, positions, 0), 1)});
        }
    }

    private String layer(int l, String x) {
        LlamaWeights.Layer w = weights.layers()[l];
        String p = "blk." + l + ".";
        int dim = config.dim();
        int kvDim = config.kvDim();
        int hidden = config.hiddenDim();
        int heads = config.heads();
        int kvHeads = config.kvHeads();
        int group = config.queriesPerKvHead();

        String h = rmsNorm(x, p + "attn_norm", w.attentionNorm());
        String q = g.reshape(linear(h, w.query(), p + "attn_q", dim, dim), 0, heads, headSize);       // [T, H, d]
        String k = g.reshape(linear(h, w.key(), p + "attn_k", kvDim, dim), 0, kvHeads, headSize);     // [T, kvH, d]
        String v = g.reshape(linear(h, w.value(), p + "attn_v", kvDim, dim), 0, kvHeads, headSize);

        String rotatedKeys = rotate(k, keyCos, keySin);
        g.output(g.transpose(rotatedKeys, 1, 0, 2), newKey(l), DataType.FLOAT, kvHeads, "T", headSize);
        g.output(g.transpose(v, 1, 0, 2), newValue(l), DataType.FLOAT, kvHeads, "T", headSize);

        String scaledQ = g.mul(q, g.scalar((float) (1.0 / Math.sqrt(headSize))));
        List<String> rotatedQueries = new ArrayList<>();
        for (String[] rotation : queryRotations) {
            rotatedQueries.add(rotate(scaledQ, rotation[0], rotation[1]));
        }
        List<String> headOutputs = new ArrayList<>();
        for (int kv = 0; kv < kvHeads; kv++) {
            headOutputs.add(attendGroup(l, kv, group, rotatedQueries, rotatedKeys, v));
        }
        String attended = headOutputs.size() == 1 ? headOutputs.get(0) : g.concat(headOutputs, 0);       // [H, T, d]
        String merged = g.reshape(g.transpose(attended, 1, 0, 2), 0, dim);                               // [T, dim]
        x = g.add(x, linear(merged, w.attentionOutput(), p + "attn_output", dim, dim));

        String f = rmsNorm(x, p + "ffn_norm", w.feedForwardNorm());
        String gate = linear(f, w.gate(), p + "ffn_gate", hidden, dim);
        String up = linear(f, w.up(), p + "ffn_up", hidden, dim);
        String swiglu = g.mul(g.mul(gate, g.op("Sigmoid", gate)), up);
        return g.add(x, linear(swiglu, w.down(), p + "ffn_down", dim, hidden));
    }

    /**
     * The {@code group} query heads sharing KV head {@code kv}: [group, T, d]. The cached keys and
     * values are read where they lie (Gemm with transB), never concatenated with the new ones, so
     * a call copies nothing of the cache; only the small score matrices are joined.
     */
    private String attendGroup(int l, int kv, int group, List<String> rotatedQueries, String keys, String values) {
        String pastKeys = pastKey(l, kv);
        String pastValues = pastValue(l, kv);
        String newKeys = headOf(keys, kv);     // [T, d]
        String newValues = headOf(values, kv);
        List<String> scores = new ArrayList<>();
        for (String rotated : rotatedQueries) {
            String q = g.reshape(g.transpose(g.op("Slice", rotated, g.longs((long) kv * group), g.longs((long) (kv + 1) * group), g.longs(1)), 1, 0, 2),
                    -1, headSize);                                                                     // [g*T, d]
            String past = g.op("Gemm", List.of(q, pastKeys), GraphBuilder.integer("transB", 1));      // [g*T, P]
            String fresh = g.op("Gemm", List.of(q, newKeys), GraphBuilder.integer("transB", 1));      // [g*T, T]
            scores.add(g.reshapeKeepingLast(g.concat(List.of(past, fresh), 1), group, -1));             // [g, T, N]
        }
        String combined = attention.dca()
                ? g.where(intraMask, scores.get(0), g.where(successiveMask, scores.get(1), scores.get(2)))
                : scores.get(0);
        String masked = g.where(futureMask, g.scalar(Float.NEGATIVE_INFINITY), combined);
        String probabilities = g.reshapeKeepingLast(g.op("Softmax", List.of(masked), GraphBuilder.integer("axis", -1)), -1); // [g*T, N]
        String pastLength = g.op("Shape", List.of(pastKeys), GraphBuilder.integer("end", 1));
        String pastPart = g.op("Slice", probabilities, g.longs(0), pastLength, g.longs(1));
        String freshPart = g.op("Slice", probabilities, pastLength, g.longs(Long.MAX_VALUE), g.longs(1));
        String out = g.add(g.matMul(pastPart, pastValues), g.matMul(freshPart, newValues));               // [g*T, d]
        return g.reshape(out, group, -1, headSize);
    }

    /** KV head {@code kv} of [T, kvH, d] as [T, d]. */
    private String headOf(String x, int kv) {
        return g.op("Squeeze", g.op("Slice", x, g.longs(kv), g.longs(kv + 1), g.longs(1)), g.longs(1));
    }

    /** GGML's "normal" RoPE: adjacent pairs of the first rotated dimensions of each head turn. */
    private String rotate(String x, String cos, String sin) {
        int rotated = config.ropeDimensions();
        String head = x;
        String rest = null;
        if (rotated < headSize) {
            head = g.op("Slice", x, g.longs(0), g.longs(rotated), g.longs(2));
            rest = g.op("Slice", x, g.longs(rotated), g.longs(headSize), g.longs(2));
        }
        String pairsOf = g.reshape(head, 0, 0, pairs, 2);
        String x0 = g.gather(pairsOf, g.scalar(0L), 3);
        String x1 = g.gather(pairsOf, g.scalar(1L), 3);
        String out0 = g.sub(g.mul(x0, cos), g.mul(x1, sin));
        String out1 = g.add(g.mul(x0, sin), g.mul(x1, cos));
        String turned = g.reshape(g.concat(List.of(g.unsqueeze(out0, 3), g.unsqueeze(out1, 3)), 3), 0, 0, rotated);
        return rest == null ? turned : g.concat(List.of(turned, rest), 2);
    }

    private String rmsNorm(String x, String name, float[] weight) {
        String meanSquare = g.op("ReduceMean", List.of(g.mul(x, x)), GraphBuilder.ints("axes", -1), GraphBuilder.integer("keepdims", 1));
        String inverse = g.op("Reciprocal", g.op("Sqrt", g.add(meanSquare, g.scalar(config.rmsEpsilon()))));
        String w = g.floats(name + ".weight", new long[] {weight.length}, () -> weight);
        return g.mul(g.mul(x, inverse), w);
    }

    /** {@code x [T, cols] -> [T, rows]} with a {@code rows x cols} GGUF matrix. */
    private String linear(String x, FloatTensor weight, String name, int rows, int cols) {
        return switch (weight.type()) {
            case Q4_0 -> matMulNBits(x, weight, name, rows, cols, 4);
            // ONNX Runtime's exact 8-bit MatMulNBits is a slow fallback on the CPU (TinyLlama shape,
            // 2 cores: prefill 18 and decode 0.33 tok/s, against 78 and 4.6 widened to float; its
            // int8-activation mode is fast but off by 3% of the logits), so there Q8_0 is widened.
            case Q8_0 -> q8Quantized ? matMulNBits(x, weight, name, rows, cols, 8) : gemm(x, weight, name, rows, cols);
            default -> gemm(x, weight, name, rows, cols);
        };
    }

    private String gemm(String x, FloatTensor weight, String name, int rows, int cols) {
        String w = g.floats(name + ".f32", new long[] {rows, cols}, () -> dequantize(weight));
        return g.op("Gemm", List.of(x, w), GraphBuilder.integer("transB", 1));
    }

    /**
     * ONNX Runtime's block-quantized matmul. Q4_0 and Q8_0 blocks are 32 values {@code d * (q - z)}
     * with the default zero point {@code z} = 8 resp. 128, so only the packing changes: GGML keeps
     * value j and j+16 in one Q4_0 byte, MatMulNBits values 2i and 2i+1.
     */
    private String matMulNBits(String x, FloatTensor weight, String name, int rows, int cols, int bits) {
        int blocksPerRow = cols / 32;
        int blockBytes = 32 * bits / 8;
        long blocks = (long) rows * blocksPerRow;
        String packed = g.external(name + ".q" + bits, DataType.UINT8, new long[] {rows, blocksPerRow, blockBytes},
                () -> repack(weight.data(), blocks, bits));
        String scales = g.external(name + ".scales", DataType.FLOAT, new long[] {blocks},
                () -> scales(weight.data(), blocks, 2 + blockBytes));
        return g.microsoft("MatMulNBits", List.of(x, packed, scales),
                GraphBuilder.integer("K", cols), GraphBuilder.integer("N", rows),
                GraphBuilder.integer("bits", bits), GraphBuilder.integer("block_size", 32),
                GraphBuilder.integer("accuracy_level", 0));
    }

    private static final ValueLayout.OfShort F16 = ValueLayout.JAVA_SHORT_UNALIGNED.withOrder(ByteOrder.LITTLE_ENDIAN);

    private static ByteBuffer repack(MemorySegment data, long blocks, int bits) {
        int blockBytes = 32 * bits / 8;
        int stride = 2 + blockBytes;
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(blocks * blockBytes));
        byte[] block = new byte[blockBytes];
        for (long b = 0; b < blocks; b++) {
            MemorySegment.copy(data, ValueLayout.JAVA_BYTE, b * stride + 2, block, 0, blockBytes);
            if (bits == 8) {
                for (byte q : block) {
                    out.put((byte) (q + 128)); // signed q -> unsigned q + 128
                }
            } else {
                for (int i = 0; i < 16; i++) {
                    int even = 2 * i < 16 ? block[2 * i] & 0x0F : (block[2 * i - 16] >> 4) & 0x0F;
                    int odd = 2 * i + 1 < 16 ? block[2 * i + 1] & 0x0F : (block[2 * i + 1 - 16] >> 4) & 0x0F;
                    out.put((byte) (even | odd << 4));
                }
            }
        }
        return out.flip();
    }

    private static ByteBuffer scales(MemorySegment data, long blocks, int stride) {
        ByteBuffer out = ByteBuffer.allocate(Math.toIntExact(blocks * Float.BYTES)).order(ByteOrder.LITTLE_ENDIAN);
        for (long b = 0; b < blocks; b++) {
            out.putFloat(Float.float16ToFloat(data.get(F16, b * stride)));
        }
        return out.flip();
    }

    private static float[] dequantize(FloatTensor tensor) {
        float[] values = new float[Math.toIntExact(tensor.size())];
        tensor.dequantize(0, values, 0, values.length);
        return values;
    }
}
