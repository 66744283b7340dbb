package dev.dossier.runtime.model;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.attention.CacheRows;
import dev.dossier.runtime.attention.DualChunkAttention;
import dev.dossier.runtime.attention.KeyColumns;
import dev.dossier.runtime.attention.KvCache;
import dev.dossier.runtime.attention.Rope;
import dev.dossier.runtime.attention.ValueRows;
import dev.dossier.runtime.compute.MatMul;
import dev.dossier.runtime.compute.Parallel;
import dev.dossier.runtime.compute.VectorOps;

/**
 * A {@link Session} whose forward pass runs in pure Java: Vector API matrix kernels over the
 * memory-mapped weights and {@link DualChunkAttention} over the cache, on the {@link Parallel}
 * worker pool. Each block of tokens goes through the layers together, so every weight row read
 * from memory serves the whole block.
 */
public final class JavaSession extends Session {
    /**
     * Tokens per forward pass: enough to reuse each weight row, few enough to keep activations
     * small. 48 is a whole number of {@code MatMul}'s register tiles (one 8 x 3 tile of 16-lane
     * vectors with AVX-512, three 6 x 2 tiles of 8-lane ones with AVX2), and the transposed block of the widest matrix (48 x 5632 floats, 1 MB for
     * TinyLlama) stays in a core's L2 cache: 14% more prefill per CPU second than 64 (PrefillBenchmark).
     */
    public static final int DEFAULT_BLOCK = 48;
    /** Halves, as llama.cpp keeps them: half the memory of floats, so twice the context fits. */
    public static final KvCache.Precision DEFAULT_KV_PRECISION = KvCache.Precision.F16;
    /** Blocks of at least this many tokens regroup the keys for attention ({@link KeyColumns}); fewer read the cache as is. */
    private static final int COLUMNS_FROM_TOKENS = 8;

    private final LlamaConfig config;
    private final DualChunkAttention attention;
    /** The keys of the KV head being attended, regrouped; rebuilt per head, layer and block. Null where the head size does not fit the layout. */
    private final KeyColumns keyColumns;
    private final ValueRows valueRows;

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

    public JavaSession(Llama model, AttentionConfig attentionConfig, int capacity) {
        this(model, attentionConfig, capacity, DEFAULT_BLOCK);
    }

    public JavaSession(Llama model, AttentionConfig attentionConfig, int capacity, int blockSize) {
        this(model, attentionConfig, capacity, blockSize, DEFAULT_KV_PRECISION);
    }

    /**
     * @param kvPrecision how the KV cache stores keys and values: F16 ({@link #DEFAULT_KV_PRECISION})
     *                    holds twice the context in the same memory; F32 keeps every bit the model computed
     */
    public JavaSession(Llama model, AttentionConfig attentionConfig, int capacity, int blockSize, KvCache.Precision kvPrecision) {
        super(model, attentionConfig, capacity, blockSize, kvPrecision);
        this.config = model.config();
        int headSize = config.headSize();
        Rope rope = new Rope(headSize, config.ropeDimensions(), config.ropeBase(),
                attentionConfig.maxRotationPosition(capacity) + 1);
        this.attention = new DualChunkAttention(attentionConfig, rope, headSize);
        this.keyColumns = KeyColumns.fits(headSize) ? new KeyColumns(headSize) : null;
        this.valueRows = new ValueRows(headSize);
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

    @Override
    protected void forwardBlock(int[] tokens, int offset, int n, int logitsFrom, LogitsSink sink) {
        LlamaWeights weights = model().weights();
        int dim = config.dim();
        int kvDim = config.kvDim();
        int hidden = config.hiddenDim();
        int vocabulary = config.vocabularySize();
        for (int t = 0; t < n; t++) {
            weights.tokenEmbedding().dequantize((long) tokens[offset + t] * dim, x, t * dim, dim);
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
            Parallel.forRange(n, hidden, (from, to) -> VectorOps.swiglu(gate, up, from * hidden, to * hidden));
            MatMul.apply(layer.down(), dim, hidden, gate, projected, n);
            VectorOps.add(x, projected, n * dim);
        }
        if (logitsFrom < n) {
            int wanted = n - logitsFrom;
            for (int t = logitsFrom; t < n; t++) {
                VectorOps.rmsNorm(normed, (t - logitsFrom) * dim, x, t * dim, weights.outputNorm(), dim, config.rmsEpsilon());
            }
            MatMul.apply(weights.output(), vocabulary, dim, normed, logits, wanted);
            int firstPosition = position() + logitsFrom;
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
        KvCache cache = cache();
        int headSize = config.headSize();
        int kvDim = config.kvDim();
        AttentionConfig positions = attention.config();
        for (int t = 0; t < n; t++) {
            int p = position() + t;
            attention.rope().rotate(key, t * kvDim, config.kvHeads(), positions.keyPosition(p));
            for (int h = 0; h < config.kvHeads(); h++) {
                cache.store(layer, h, p, key, t * kvDim + h * headSize, value, t * kvDim + h * headSize);
            }
        }
    }

    /**
     * Attention for the block's queries, one item per token and KV head (its query heads
     * together, see {@link DualChunkAttention#attend}). A block of prefill shares each KV head
     * among {@code n x queriesPerKvHead} queries, so each head's keys are first regrouped into
     * {@link KeyColumns} and its values decoded into {@link ValueRows}; a few queries (decoding)
     * read the cache's rows in place ({@link CacheRows}).
     */
    private void attend(int layer, int n) {
        KvCache cache = cache();
        int start = position();
        int kvHeads = config.kvHeads();
        int headSize = config.headSize();
        int dim = config.dim();
        int group = config.queriesPerKvHead();
        long cost = (long) (start + n) * headSize * 4 * group;
        if (n < COLUMNS_FROM_TOKENS || keyColumns == null) {
            int parts = splitGroups(n * kvHeads, group);
            int heads = group / parts;
            int items = n * kvHeads * parts;
            Parallel.forRange(items, cost / parts, (from, to) -> {
                DualChunkAttention.Scratch scratch = new DualChunkAttention.Scratch(headSize, heads);
                CacheRows rows = CacheRows.ofThisThread(headSize);
                try {
                    for (int item = from; item < to; item++) {
                        int t = item / (kvHeads * parts);
                        int kvHead = item / parts % kvHeads;
                        int offset = t * dim + (kvHead * group + item % parts * heads) * headSize;
                        rows.of(cache, layer, kvHead);
                        attention.attend(query, offset, heads, start + t, rows, rows, attended, offset, scratch);
                    }
                } finally {
                    rows.release();
                }
            });
            return;
        }
        for (int kvHead = 0; kvHead < kvHeads; kvHead++) {
            keyColumns.fill(cache, layer, kvHead, start + n);
            valueRows.fill(cache, layer, kvHead, start + n);
            int headsOffset = kvHead * group * headSize;
            Parallel.forRange(n, cost, (from, to) -> {
                DualChunkAttention.Scratch scratch = new DualChunkAttention.Scratch(headSize, group);
                for (int t = from; t < to; t++) {
                    int offset = t * dim + headsOffset;
                    attention.attend(query, offset, group, start + t, keyColumns, valueRows, attended, offset, scratch);
                }
            });
        }
    }

    /**
     * Into how many parts to split each KV head's {@code group} query heads so that {@code items}
     * (tokens x KV heads) become enough pieces for every thread: decoding has one token, and
     * TinyLlama's 4 KV heads alone would leave one of two threads waiting on the other's last.
     */
    private static int splitGroups(int items, int group) {
        int parts = 1;
        while (items * parts < 4 * Parallel.threads() && group % (2 * parts) == 0) {
            parts *= 2;
        }
        return parts;
    }
}
