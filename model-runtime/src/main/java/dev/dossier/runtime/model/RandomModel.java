package dev.dossier.runtime.model;

import dev.dossier.runtime.gguf.GgmlType;
import dev.dossier.runtime.gguf.GgufWriter;
import java.io.IOException;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Writes a Llama-2-architecture GGUF with random weights, for benchmarks that need a model of a
 * given shape and type without a download. Matrices are N(0, 0.02) (as at initialisation, which
 * keeps activations finite), norms are 1. Tensors are generated row by row while the file is
 * written, so memory stays small whatever the model's size. The vocabulary is one the tokenizer
 * accepts: {@code <unk>}, {@code <s>}, {@code </s>}, the 256 byte tokens, then filler pieces.
 */
public final class RandomModel {
    /** The shape of the model; the defaults of {@link #TINY_LLAMA} are TinyLlama 1.1B's. */
    public record Shape(int dim, int layers, int heads, int kvHeads, int hiddenDim, int vocabularySize, int contextLength) {
        public static final Shape TINY_LLAMA = new Shape(2048, 22, 32, 4, 5632, 32000, 4096);

        public Shape {
            if (dim <= 0 || layers <= 0 || heads <= 0 || kvHeads <= 0 || hiddenDim <= 0 || contextLength <= 0) {
                throw new IllegalArgumentException("model sizes must be positive");
            }
            if (dim % heads != 0 || heads % kvHeads != 0) {
                throw new IllegalArgumentException("the embedding (" + dim + ") must be a multiple of the heads (" + heads
                        + "), and the heads of the KV heads (" + kvHeads + ")");
            }
            if (vocabularySize < FIRST_FILLER) {
                throw new IllegalArgumentException("the vocabulary needs at least " + FIRST_FILLER + " tokens, got " + vocabularySize);
            }
        }
    }

    /** Tokens 0..2 are unk, BOS, EOS; 3..258 the bytes; fillers follow. */
    public static final int FIRST_FILLER = 3 + 256;

    private static final float WEIGHT_STD = 0.02f;
    private static final int TYPE_NORMAL = 1;
    private static final int TYPE_UNKNOWN = 2;
    private static final int TYPE_CONTROL = 3;
    private static final int TYPE_BYTE = 6;

    private RandomModel() {
    }

    /** Every matrix in {@code type} (llama-quantize's {@code --pure}). */
    public static void write(Path path, Shape shape, GgmlType type, long seed) throws IOException {
        for (int cols : new int[] {shape.dim(), shape.hiddenDim()}) {
            if (cols % type.blockSize() != 0) {
                throw new IllegalArgumentException("rows of " + cols + " values are not whole " + type + " blocks");
            }
        }
        write(path, shape, type.name(), -1, (role, layer, cols) -> type, seed);
    }

    /** Each matrix in the type that {@code fileType} gives it, as {@code llama-quantize} would. */
    public static void write(Path path, Shape shape, FileType fileType, long seed) throws IOException {
        int queriesPerKvHead = shape.heads() / shape.kvHeads();
        write(path, shape, fileType.name(), fileType.id(), (role, layer, cols) ->
                fileType.typeOf(role, layer, shape.layers(), cols, queriesPerKvHead), seed);
    }

    /** The type of each matrix. */
    @FunctionalInterface
    private interface Types {
        GgmlType of(FileType.Role role, int layer, int cols);
    }

    private static void write(Path path, Shape shape, String typeName, int fileTypeId, Types types, long seed) throws IOException {
        int headSize = shape.dim() / shape.heads();
        int kvDim = shape.kvHeads() * headSize;
        GgufWriter writer = new GgufWriter()
                .putString("general.architecture", "llama")
                .putString("general.name", "random " + typeName + " " + shape)
                .putUint32("llama.context_length", shape.contextLength())
                .putUint32("llama.embedding_length", shape.dim())
                .putUint32("llama.block_count", shape.layers())
                .putUint32("llama.feed_forward_length", shape.hiddenDim())
                .putUint32("llama.attention.head_count", shape.heads())
                .putUint32("llama.attention.head_count_kv", shape.kvHeads())
                .putUint32("llama.rope.dimension_count", headSize)
                .putFloat32("llama.attention.layer_norm_rms_epsilon", 1e-5f)
                .putFloat32("llama.rope.freq_base", 10000f);
        if (fileTypeId >= 0) {
            writer.putUint32("general.file_type", fileTypeId);
        }
        addVocabulary(writer, shape.vocabularySize());
        int[] tensorIndex = {0};
        Matrix matrix = (role, layer, name, cols, rows) -> writer.addTensor(name, new long[] {cols, rows}, types.of(role, layer, cols),
                gaussianRows(seed, tensorIndex[0]++));
        Adder norm = (name, cols, rows) -> writer.addTensor(name, new long[] {cols}, GgmlType.F32,
                (row, out) -> Arrays.fill(out, 1f));
        matrix.add(FileType.Role.TOKEN_EMBEDDING, 0, "token_embd.weight", shape.dim(), shape.vocabularySize());
        for (int l = 0; l < shape.layers(); l++) {
            String p = "blk." + l + ".";
            norm.add(p + "attn_norm.weight", shape.dim(), 1);
            matrix.add(FileType.Role.QUERY, l, p + "attn_q.weight", shape.dim(), shape.dim());
            matrix.add(FileType.Role.KEY, l, p + "attn_k.weight", shape.dim(), kvDim);
            matrix.add(FileType.Role.VALUE, l, p + "attn_v.weight", shape.dim(), kvDim);
            matrix.add(FileType.Role.ATTENTION_OUTPUT, l, p + "attn_output.weight", shape.dim(), shape.dim());
            norm.add(p + "ffn_norm.weight", shape.dim(), 1);
            matrix.add(FileType.Role.GATE, l, p + "ffn_gate.weight", shape.dim(), shape.hiddenDim());
            matrix.add(FileType.Role.UP, l, p + "ffn_up.weight", shape.dim(), shape.hiddenDim());
            matrix.add(FileType.Role.DOWN, l, p + "ffn_down.weight", shape.hiddenDim(), shape.dim());
        }
        norm.add("output_norm.weight", shape.dim(), 1);
        matrix.add(FileType.Role.OUTPUT, 0, "output.weight", shape.dim(), shape.vocabularySize());
        writer.write(path);
    }

    @FunctionalInterface
    private interface Matrix {
        void add(FileType.Role role, int layer, String name, int cols, int rows);
    }

    @FunctionalInterface
    private interface Adder {
        void add(String name, int cols, int rows);
    }

    /** Each row from its own generator, so a row's values do not depend on how the file is written. */
    private static GgufWriter.RowSource gaussianRows(long seed, int tensor) {
        long tensorSeed = new SplittableRandom(seed).split().nextLong() ^ (tensor * 0x9E3779B97F4A7C15L);
        return (row, out) -> {
            SplittableRandom random = new SplittableRandom(tensorSeed + row * 0xBF58476D1CE4E5B9L);
            for (int i = 0; i < out.length; i++) {
                out[i] = (float) random.nextGaussian() * WEIGHT_STD;
            }
        };
    }

    private static void addVocabulary(GgufWriter writer, int size) {
        String[] tokens = new String[size];
        float[] scores = new float[size];
        int[] types = new int[size];
        tokens[0] = "<unk>";
        types[0] = TYPE_UNKNOWN;
        tokens[1] = "<s>";
        tokens[2] = "</s>";
        types[1] = TYPE_CONTROL;
        types[2] = TYPE_CONTROL;
        for (int b = 0; b < 256; b++) {
            tokens[3 + b] = String.format("<0x%02X>", b);
            types[3 + b] = TYPE_BYTE;
        }
        for (int id = FIRST_FILLER; id < size; id++) {
            tokens[id] = fillerPiece(id - FIRST_FILLER);
            types[id] = TYPE_NORMAL;
            scores[id] = -(id - FIRST_FILLER);
        }
        writer.putString("tokenizer.ggml.model", "llama")
                .putStringArray("tokenizer.ggml.tokens", tokens)
                .putFloat32Array("tokenizer.ggml.scores", scores)
                .putInt32Array("tokenizer.ggml.token_type", types)
                .putUint32("tokenizer.ggml.unknown_token_id", 0)
                .putUint32("tokenizer.ggml.bos_token_id", 1)
                .putUint32("tokenizer.ggml.eos_token_id", 2);
    }

    /** Distinct lowercase pieces: "▁a".."▁z", "a".."z", then two letters and up, with and without "▁". */
    private static String fillerPiece(int index) {
        boolean spaced = index % 2 == 0;
        StringBuilder piece = new StringBuilder();
        int n = index / 2;
        do {
            piece.append((char) ('a' + n % 26));
            n = n / 26 - 1;
        } while (n >= 0);
        return (spaced ? "\u2581" : "") + piece.reverse();
    }
}
