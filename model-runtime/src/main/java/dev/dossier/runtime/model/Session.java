package dev.dossier.runtime.model;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.attention.DualChunkAttention;
import dev.dossier.runtime.attention.KvCache;
import dev.dossier.runtime.attention.Rope;
import dev.dossier.runtime.compute.MatMul;
import dev.dossier.runtime.compute.Parallel;
import dev.dossier.runtime.compute.VectorOps;
import java.util.concurrent.CancellationException;

/**
 * The mutable state of one conversation with a {@link Llama}: its KV cache and scratch
 * buffers. Tokens are appended with {@link #prefill}; the model itself is never modified, so
 * many sessions can share one model. A session is used by one thread at a time.
 */
public final class Session {
    /** Receives the next-token logits computed for the token at {@code position}. */
    @FunctionalInterface
    public interface LogitsSink {
        void accept(int position, float[] logits, int offset);
    }

    /** Hears how far a long prefill has come; may cancel it by interrupting the thread. */
    @FunctionalInterface
    public interface Progress {
        Progress NONE = (done, total) -> { };

        void update(int done, int total);
    }

    public static final int DEFAULT_BLOCK = 64;

    private final Llama model;
    private final LlamaConfig config;
    private final DualChunkAttention attention;
    private final KvCache cache;
    private final int blockSize;
    private final int[] cachedTokens;
    private int position;

    // Activations of one block of tokens, laid out token after token.
    private final float[] x;
    private final float[] normed;
    private final float[] query;
    private final float[] key;
    private final float[] value;
    private final float[] attended;
    private final float[] projected;
    private final float[] gate;
    private final float[] up;
    private final float[] logits;

    public Session(Llama model, AttentionConfig attentionConfig, int capacity) {
        this(model, attentionConfig, capacity, DEFAULT_BLOCK);
    }

    public Session(Llama model, AttentionConfig attentionConfig, int capacity, int blockSize) {
        this.model = model;
        this.config = model.config();
        if (attentionConfig.dca() && attentionConfig.chunkSize() > config.contextLength()) {
            throw new IllegalArgumentException("DCA chunk size " + attentionConfig.chunkSize()
                    + " exceeds the model's training context " + config.contextLength());
        }
        int headSize = config.headSize();
        Rope rope = new Rope(headSize, config.ropeDimensions(), config.ropeBase(),
                attentionConfig.maxRotationPosition(capacity) + 1);
        this.attention = new DualChunkAttention(attentionConfig, rope, headSize);
        this.cache = new KvCache(config.layers(), config.kvHeads(), headSize, capacity);
        this.blockSize = blockSize;
        this.cachedTokens = new int[capacity];
        int dim = config.dim();
        this.x = new float[blockSize * dim];
        this.normed = new float[blockSize * dim];
        this.query = new float[blockSize * dim];
        this.key = new float[blockSize * config.kvDim()];
        this.value = new float[blockSize * config.kvDim()];
        this.attended = new float[blockSize * dim];
        this.projected = new float[blockSize * dim];
        this.gate = new float[blockSize * config.hiddenDim()];
        this.up = new float[blockSize * config.hiddenDim()];
        this.logits = new float[blockSize * config.vocabularySize()];
    }

    public Llama model() {
        return model;
    }

    public AttentionConfig attentionConfig() {
        return attention.config();
    }

    public KvCache cache() {
        return cache;
    }

    /** Tokens in the cache: the position the next token will take. */
    public int position() {
        return position;
    }

    public int capacity() {
        return cache.capacity();
    }

    /** The tokens in the cache, in order. */
    public int[] cachedTokens() {
        return java.util.Arrays.copyOf(cachedTokens, position);
    }

    /** How many leading tokens of {@code tokens} are already in the cache. */
    public int cachedPrefixLength(int[] tokens) {
        int n = Math.min(position, tokens.length);
        int i = 0;
        while (i < n && cachedTokens[i] == tokens[i]) {
            i++;
        }
        return i;
    }

    /**
     * Declares that the cache holds {@code tokens}, whose keys and values the caller has just
     * written to {@link #cache()} positions {@code 0..tokens.length} (as a session with the same
     * model and attention config computed them, e.g. read back from a prefix cache file). Later
     * prefills and generations continue after them and reuse them like any cached prefix.
     */
    public void restore(int[] tokens) {
        if (tokens.length > cache.capacity()) {
            throw new ContextOverflowException(tokens.length, cache.capacity());
        }
        for (int token : tokens) {
            if (token < 0 || token >= config.vocabularySize()) {
                throw new IllegalArgumentException("token id " + token + " is outside the vocabulary of " + config.vocabularySize());
            }
        }
        System.arraycopy(tokens, 0, cachedTokens, 0, tokens.length);
        position = tokens.length;
    }

    /** Forgets cached tokens from {@code newPosition} on (the prefix before it stays valid). */
    public void truncate(int newPosition) {
        if (newPosition < 0 || newPosition > position) {
            throw new IllegalArgumentException("cannot truncate to " + newPosition + " with " + position + " tokens cached");
        }
        position = newPosition;
    }

    /** Appends one token and returns the logits for the token after it (valid until the next call). */
    public float[] next(int token) {
        float[][] last = new float[1][];
        prefill(new int[] {token}, 0, 1, false, (p, l, o) -> last[0] = java.util.Arrays.copyOfRange(l, o, o + config.vocabularySize()), Progress.NONE);
        return last[0];
    }

    /**
     * Appends {@code tokens[from..from+count)} to the cache, in blocks. Logits go to {@code sink}
     * for every token when {@code allLogits}, otherwise only for the last one.
     *
     * @throws ContextOverflowException when the tokens do not fit
     * @throws CancellationException    when the thread is interrupted between blocks
     */
    public void prefill(int[] tokens, int from, int count, boolean allLogits, LogitsSink sink, Progress progress) {
        if (position + count > cache.capacity()) {
            throw new ContextOverflowException(position + count, cache.capacity());
        }
        for (int done = 0; done < count; ) {
            if (Thread.interrupted()) {
                throw new CancellationException("prefill cancelled after " + done + " of " + count + " tokens");
            }
            int n = Math.min(blockSize, count - done);
            boolean lastBlock = done + n == count;
            forwardBlock(tokens, from + done, n, allLogits ? 0 : lastBlock ? n - 1 : n, sink);
            done += n;
            progress.update(done, count);
        }
    }

    /** Runs {@code n} tokens through the model; logits for block tokens {@code logitsFrom..n-1}. */
    private void forwardBlock(int[] tokens, int offset, int n, int logitsFrom, LogitsSink sink) {
        LlamaWeights weights = model.weights();
        int dim = config.dim();
        int kvDim = config.kvDim();
        int hidden = config.hiddenDim();
        int vocabulary = config.vocabularySize();
        for (int t = 0; t < n; t++) {
            int token = tokens[offset + t];
            if (token < 0 || token >= vocabulary) {
                throw new IllegalArgumentException("token id " + token + " is outside the vocabulary of " + vocabulary);
            }
            cachedTokens[position + t] = token;
            weights.tokenEmbedding().dequantize((long) token * dim, x, t * dim, dim);
        }
        for (int l = 0; l < config.layers(); l++) {
            LlamaWeights.Layer layer = weights.layers()[l];
            normalize(n, layer.attentionNorm());
            MatMul.apply(layer.query(), dim, dim, normed, query, n);
            MatMul.apply(layer.key(), kvDim, dim, normed, key, n);
            MatMul.apply(layer.value(), kvDim, dim, normed, value, n);
            storeKeysAndValues(l, n);
            attend(l, n);
            MatMul.apply(layer.attentionOutput(), dim, dim, attended, projected, n);
            VectorOps.add(x, projected, n * dim);

            normalize(n, layer.feedForwardNorm());
            MatMul.apply(layer.gate(), hidden, dim, normed, gate, n);
            MatMul.apply(layer.up(), hidden, dim, normed, up, n);
            VectorOps.swiglu(gate, up, n * hidden);
            MatMul.apply(layer.down(), dim, hidden, gate, projected, n);
            VectorOps.add(x, projected, n * dim);
        }
        position += n;
        if (logitsFrom < n) {
            int wanted = n - logitsFrom;
            for (int t = logitsFrom; t < n; t++) {
                VectorOps.rmsNorm(normed, (t - logitsFrom) * dim, x, t * dim, weights.outputNorm(), dim, config.rmsEpsilon());
            }
            MatMul.apply(weights.output(), vocabulary, dim, normed, logits, wanted);
            int firstPosition = position - n + logitsFrom;
            for (int t = 0; t < wanted; t++) {
                sink.accept(firstPosition + t, logits, t * vocabulary);
            }
        }
    }

    private void normalize(int n, float[] weight) {
        int dim = config.dim();
        for (int t = 0; t < n; t++) {
            VectorOps.rmsNorm(normed, t * dim, x, t * dim, weight, dim, config.rmsEpsilon());
        }
    }

    /** Rotates each new key at its own position (once: DCA never re-rotates) and caches it. */
    private void storeKeysAndValues(int layer, int n) {
        int headSize = config.headSize();
        int kvDim = config.kvDim();
        AttentionConfig positions = attention.config();
        for (int t = 0; t < n; t++) {
            int p = position + t;
            attention.rope().rotate(key, t * kvDim, config.kvHeads(), positions.keyPosition(p));
            for (int h = 0; h < config.kvHeads(); h++) {
                System.arraycopy(key, t * kvDim + h * headSize, cache.keys(layer, h), p * headSize, headSize);
                System.arraycopy(value, t * kvDim + h * headSize, cache.values(layer, h), p * headSize, headSize);
            }
        }
    }

    private void attend(int layer, int n) {
        int heads = config.heads();
        int headSize = config.headSize();
        int dim = config.dim();
        int group = config.queriesPerKvHead();
        long cost = (long) (position + n) * headSize * 4;
        Parallel.forRange(n * heads, cost, (from, to) -> {
            DualChunkAttention.Scratch scratch = new DualChunkAttention.Scratch(headSize);
            for (int item = from; item < to; item++) {
                int t = item / heads;
                int h = item % heads;
                int kvHead = h / group;
                int offset = t * dim + h * headSize;
                attention.attend(query, offset, position + t,
                        cache.keys(layer, kvHead), cache.values(layer, kvHead), attended, offset, scratch);
            }
        });
    }
}
