package dev.dossier.runtime.onnx;

import ai.djl.Model;
import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import dev.dossier.runtime.attention.KvCache;
import dev.dossier.runtime.model.LlamaConfig;
import dev.dossier.runtime.model.Session;
import java.lang.foreign.MemorySegment;
import java.lang.foreign.ValueLayout;
import java.nio.ByteOrder;
import java.nio.FloatBuffer;
import java.nio.LongBuffer;
import java.util.ArrayList;
import java.util.List;

/**
 * One loaded {@link LlamaGraph}: runs a block of tokens against a {@link KvCache} and appends
 * the block's keys and values to it. The cached keys and values go in as zero-copy views of the
 * cache's off-heap segments; only the block's own keys, values and wanted logits come back.
 */
final class OnnxDecoder implements AutoCloseable {
    private final Model model;
    private final Block block;
    private final LlamaConfig config;
    private final List<String> inputNames = new ArrayList<>();
    private final List<String> outputNames = new ArrayList<>();
    private final CallTimings timings = new CallTimings();

    OnnxDecoder(Model model, LlamaConfig config) {
        this.model = model;
        this.block = model.getBlock();
        this.config = config;
        inputNames.add(LlamaGraph.TOKENS);
        inputNames.add(LlamaGraph.POSITIONS);
        inputNames.add(LlamaGraph.LOGITS_FROM);
        for (int l = 0; l < config.layers(); l++) {
            for (int h = 0; h < config.kvHeads(); h++) {
                inputNames.add(LlamaGraph.pastKey(l, h));
                inputNames.add(LlamaGraph.pastValue(l, h));
            }
        }
        for (int l = 0; l < config.layers(); l++) {
            outputNames.add(LlamaGraph.newKey(l));
            outputNames.add(LlamaGraph.newValue(l));
        }
        outputNames.add(LlamaGraph.LOGITS);
        // DJL feeds inputs by position, so the session's order must be the graph's (outputs are checked by name).
        if (!block.describeInput().keys().equals(inputNames)) {
            throw new IllegalStateException("ONNX Runtime reordered the graph's inputs: " + block.describeInput().keys());
        }
    }

    /**
     * Runs {@code tokens[offset..offset+n)} at positions {@code position..position+n-1}, with
     * {@code position} tokens already in {@code cache}; writes their keys and values to the cache
     * and hands {@code sink} the logits of block rows {@code logitsFrom..n-1}. The graph reads
     * and writes floats, so the cache must be {@link KvCache.Precision#F32}.
     */
    void forward(int[] tokens, int offset, int n, int position, int logitsFrom, KvCache cache, Session.LogitsSink sink) {
        if (cache.precision() != KvCache.Precision.F32) {
            throw new IllegalArgumentException("the onnx engine reads an F32 KV cache, not " + cache.precision());
        }
        long start = System.nanoTime();
        int headSize = config.headSize();
        try (NDManager manager = model.getNDManager().newSubManager()) {
            long[] ids = new long[n];
            long[] positions = new long[n];
            for (int t = 0; t < n; t++) {
                ids[t] = tokens[offset + t];
                positions[t] = position + t;
            }
            NDList inputs = new NDList(inputNames.size());
            inputs.add(manager.create(LongBuffer.wrap(ids), new Shape(n), DataType.INT64));
            inputs.add(manager.create(LongBuffer.wrap(positions), new Shape(n), DataType.INT64));
            inputs.add(manager.create(LongBuffer.wrap(new long[] {logitsFrom}), new Shape(1), DataType.INT64));
            Shape past = new Shape(position, headSize);
            for (int l = 0; l < config.layers(); l++) {
                for (int h = 0; h < config.kvHeads(); h++) {
                    inputs.add(manager.create(view(cache.keys(l, h), position), past, DataType.FLOAT32));
                    inputs.add(manager.create(view(cache.values(l, h), position), past, DataType.FLOAT32));
                }
            }
            long prepared = System.nanoTime();
            NDList outputs = block.forward(new ParameterStore(manager, false), inputs, false);
            long ran = System.nanoTime();
            for (int i = 0; i < outputNames.size(); i++) {
                if (!outputNames.get(i).equals(outputs.get(i).getName())) {
                    throw new IllegalStateException("ONNX Runtime returned " + outputs.get(i).getName() + " where " + outputNames.get(i) + " belongs");
                }
            }
            for (int l = 0; l < config.layers(); l++) {
                append(outputs.get(2 * l), cache, l, true, position, n);
                append(outputs.get(2 * l + 1), cache, l, false, position, n);
            }
            float[] logits = outputs.get(2 * config.layers()).toFloatArray();
            int vocabulary = config.vocabularySize();
            timings.record(prepared - start, ran - prepared, System.nanoTime() - ran);
            for (int t = logitsFrom; t < n; t++) {
                sink.accept(position + t, logits, (t - logitsFrom) * vocabulary);
            }
        }
    }

    CallTimings timings() {
        return timings;
    }

    /** The first {@code tokens} rows of a cache segment as a direct buffer ONNX Runtime reads in place. */
    private FloatBuffer view(MemorySegment segment, int tokens) {
        long bytes = (long) tokens * config.headSize() * Float.BYTES;
        return segment.asSlice(0, bytes).asByteBuffer().order(ByteOrder.nativeOrder()).asFloatBuffer();
    }

    /** Copies the block's [kvHeads, n, headSize] keys or values behind the cached ones. */
    private void append(NDArray fresh, KvCache cache, int layer, boolean keys, int position, int n) {
        float[] values = fresh.toFloatArray();
        int headSize = config.headSize();
        for (int h = 0; h < config.kvHeads(); h++) {
            MemorySegment target = keys ? cache.keys(layer, h) : cache.values(layer, h);
            MemorySegment.copy(values, h * n * headSize, target, ValueLayout.JAVA_FLOAT, (long) position * headSize * Float.BYTES, n * headSize);
        }
    }

    @Override
    public void close() {
        model.close();
    }
}
