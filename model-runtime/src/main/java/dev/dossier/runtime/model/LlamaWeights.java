package dev.dossier.runtime.model;

import dev.dossier.runtime.gguf.GgmlType;
import dev.dossier.runtime.gguf.GgufFile;
import dev.dossier.runtime.gguf.GgufFormatException;
import dev.dossier.runtime.gguf.GgufTensorInfo;
import dev.dossier.runtime.tensor.FloatTensor;
import dev.dossier.runtime.tensor.InterleavedTensor;
import dev.dossier.runtime.tensor.Q4_0Tensor;
import dev.dossier.runtime.tensor.Tensors;
import java.util.Arrays;
import java.util.LinkedHashMap;
import java.util.Map;
import java.util.function.IntConsumer;

/**
 * The weights of a Llama model. Matrices stay in the memory-mapped file in their GGUF
 * encoding; the small normalisation vectors are decoded to float arrays.
 */
public record LlamaWeights(
        FloatTensor tokenEmbedding,
        Layer[] layers,
        float[] outputNorm,
        FloatTensor output) {

    /** One transformer block. Matrices are {@code rows x cols} with rows = outputs. */
    public record Layer(
            float[] attentionNorm,
            FloatTensor query,
            FloatTensor key,
            FloatTensor value,
            FloatTensor attentionOutput,
            float[] feedForwardNorm,
            FloatTensor gate,
            FloatTensor down,
            FloatTensor up) {
    }

    /** Checks every tensor's presence and shape, then wraps them; {@code progress} hears each layer done. */
    static LlamaWeights fromGguf(GgufFile gguf, LlamaConfig config, Llama.DecodeProducts products, IntConsumer progress) {
        boolean repack = products == Llama.DecodeProducts.FAST;
        int dim = config.dim();
        int kvDim = config.kvDim();
        int hidden = config.hiddenDim();
        int vocab = config.vocabularySize();
        FloatTensor embedding = matrix(gguf, "token_embd.weight", dim, vocab);
        Layer[] layers = new Layer[config.layers()];
        for (int i = 0; i < layers.length; i++) {
            String p = "blk." + i + ".";
            layers[i] = new Layer(
                    vector(gguf, p + "attn_norm.weight", dim),
                    productMatrix(gguf, repack, p + "attn_q.weight", dim, dim),
                    productMatrix(gguf, repack, p + "attn_k.weight", dim, kvDim),
                    productMatrix(gguf, repack, p + "attn_v.weight", dim, kvDim),
                    productMatrix(gguf, repack, p + "attn_output.weight", dim, dim),
                    vector(gguf, p + "ffn_norm.weight", dim),
                    productMatrix(gguf, repack, p + "ffn_gate.weight", dim, hidden),
                    productMatrix(gguf, repack, p + "ffn_down.weight", hidden, dim),
                    productMatrix(gguf, repack, p + "ffn_up.weight", dim, hidden));
            progress.accept(i + 1);
        }
        float[] outputNorm = vector(gguf, "output_norm.weight", dim);
        // Models with tied embeddings (like stories260K) have no output.weight.
        FloatTensor output = gguf.tensors().containsKey("output.weight")
                ? productMatrix(gguf, repack, "output.weight", dim, vocab)
                : embedding;
        return new LlamaWeights(embedding, layers, outputNorm, output);
    }

    /** A GGUF matrix of {@code cols x rows} in ggml order (ne0 = cols, the row length). */
    private static FloatTensor matrix(GgufFile gguf, String name, int cols, int rows) {
        GgufTensorInfo info = gguf.requireTensor(name);
        long[] expected = {cols, rows};
        if (!Arrays.equals(info.dimensions(), expected)) {
            throw new GgufFormatException("tensor '" + name + "' has shape " + Arrays.toString(info.dimensions())
                    + ", expected " + Arrays.toString(expected));
        }
        if (cols % info.type().blockSize() != 0) {
            throw new GgufFormatException("tensor '" + name + "': rows of " + cols + " are not whole " + info.type() + " blocks");
        }
        return Tensors.of(info.type(), gguf.tensorData(info), info.elementCount());
    }

    /**
     * A matrix that only matrix products read (not the embedding, read row by row): with {@code
     * repack}, Q4_0 and Q8_0 ones are repacked for the faster decode kernels where they pay ({@link InterleavedTensor}), and the
     * file's pages for them are given back, so resident memory stays the file's size.
     */
    private static FloatTensor productMatrix(GgufFile gguf, boolean repack, String name, int cols, int rows) {
        FloatTensor matrix = matrix(gguf, name, cols, rows);
        if (!repack || !InterleavedTensor.pays(matrix, cols)) {
            return matrix;
        }
        FloatTensor repacked = InterleavedTensor.repack(matrix, rows, cols, gguf.allocate(InterleavedTensor.byteSize(matrix.type(), rows, cols)));
        gguf.release(gguf.requireTensor(name));
        return repacked;
    }

    private static float[] vector(GgufFile gguf, String name, int length) {
        GgufTensorInfo info = gguf.requireTensor(name);
        if (info.elementCount() != length) {
            throw new GgufFormatException("tensor '" + name + "' has " + info.elementCount() + " values, expected " + length);
        }
        float[] values = new float[length];
        Tensors.of(info.type(), gguf.tensorData(info), length).dequantize(0, values, 0, length);
        return values;
    }

    /** Tensor count per type, for {@code info}. */
    Map<GgmlType, Integer> typeCounts() {
        Map<GgmlType, Integer> counts = new LinkedHashMap<>();
        java.util.function.Consumer<FloatTensor> count = t -> counts.merge(t.type(), 1, Integer::sum);
        count.accept(tokenEmbedding);
        for (Layer layer : layers) {
            for (FloatTensor t : new FloatTensor[] {layer.query, layer.key, layer.value, layer.attentionOutput, layer.gate, layer.down, layer.up}) {
                count.accept(t);
            }
        }
        if (output != tokenEmbedding) {
            count.accept(output);
        }
        return counts;
    }
}
