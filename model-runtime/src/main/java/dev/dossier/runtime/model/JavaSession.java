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
     * Tokens per forward pass. Each weight panel that prefill decodes to floats serves every token
     * of the block ({@code MatMul}), so larger blocks spread that decoding, and the wait for the
     * weights from memory, over more tokens: Q4_0 prefill of 512 tokens 157 -> 180 tok/s, 4096
     * tokens 115 -> 127, against blocks of 48 (BENCHMARKS.md, session 13). 288 is six of
     * {@code MatMul}'s widest register tiles with AVX-512 (48 tokens each) and eighteen with AVX2;
     * a block's activations take about 90 KB per token for TinyLlama (25 MB).
     */
    public static final int DEFAULT_BLOCK = 288;
    /**
     * Tokens whose logits are computed together, when a caller wants every token's (perplexity):
     * a vocabulary's worth of floats per token (125 KB for Llama 2) is most of a block's
     * activations, and a whole block's would add tens of megabytes for the one token that
     * generation needs.
     */
    private static final int LOGIT_TOKENS = 48;
    /** Halves, as llama.cpp keeps them: half the memory of floats, so twice the context fits. */
    public static final KvCache.Precision DEFAULT_KV_PRECISION = KvCache.Precision.F16;
    /** Prefill's queries that read the cache together, a block of keys and values at a time, for all their heads. */
    private static final int TOKENS_PER_PASS = 4;
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
    /** Per layer, the products of the normed input: query, key and value; gate and up. */
    private final MatMul.Product[][] attentionInputs;
    private final MatMul.Product[][] feedForwardInputs;

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
        this.logits = new float[Math.min(blockSize, LOGIT_TOKENS) * config.vocabularySize()];
        LlamaWeights.Layer[] layers = model.weights().layers();
        this.attentionInputs = new MatMul.Product[layers.length][];
        this.feedForwardInputs = new MatMul.Product[layers.length][];
        for (int l = 0; l < layers.length; l++) {
            attentionInputs[l] = new MatMul.Product[] {new MatMul.Product(layers[l].query(), dim, query),
                    new MatMul.Product(layers[l].key(), config.kvDim(), key), new MatMul.Product(layers[l].value(), config.kvDim(), value)};
            feedForwardInputs[l] = new MatMul.Product[] {new MatMul.Product(layers[l].gate(), config.hiddenDim(), gate),
                    new MatMul.Product(layers[l].up(), config.hiddenDim(), up)};
        }
    }

    @Override
    protected void forwardBlock(int[] tokens, int offset, int n, int logitsFrom, LogitsSink sink) {
        LlamaWeights weights = model().weights();
        int dim = config.dim();
        int hidden = config.hiddenDim();
        int vocabulary = config.vocabularySize();
        for (int t = 0; t < n; t++) {
            weights.tokenEmbedding().dequantize((long) tokens[offset + t] * dim, x, t * dim, dim);
        }
        for (int l = 0; l < config.layers(); l++) {
            throwIfCancelled();
            LlamaWeights.Layer layer = weights.layers()[l];
            normalize(n, layer.attentionNorm());
            MatMul.apply(normed, dim, n, attentionInputs[l]);
            storeKeysAndValues(l, n);
            attend(l, n);
            MatMul.apply(layer.attentionOutput(), dim, dim, attended, projected, n);
            addProjected(n);

            normalize(n, layer.feedForwardNorm());
            MatMul.apply(normed, dim, n, feedForwardInputs[l]);
            Parallel.forRange(n, hidden, (from, to) -> VectorOps.swiglu(gate, up, from * hidden, to * hidden));
            MatMul.apply(layer.down(), dim, hidden, gate, projected, n);
            addProjected(n);
        }
        for (int first = logitsFrom; first < n; first += LOGIT_TOKENS) {
            int wanted = Math.min(LOGIT_TOKENS, n - first);
            for (int t = 0; t < wanted; t++) {
                VectorOps.rmsNorm(normed, t * dim, x, (first + t) * dim, weights.outputNorm(), dim, config.rmsEpsilon());
            }
            MatMul.apply(weights.output(), vocabulary, dim, normed, logits, wanted);
            for (int t = 0; t < wanted; t++) {
                sink.accept(position() + first + t, logits, t * vocabulary);
            }
        }
    }

    private void normalize(int n, float[] weight) {
        int dim = config.dim();
        Parallel.forRange(n, dim, (from, to) -> {
            for (int t = from; t < to; t++) {
                VectorOps.rmsNorm(normed, t * dim, x, t * dim, weight, dim, config.rmsEpsilon());
            }
        });
    }

    /** The residual connection: {@code x += projected}. */
    private void addProjected(int n) {
        int dim = config.dim();
        Parallel.forRange(n, dim, (from, to) -> VectorOps.add(x, projected, from * dim, to * dim));
    }

    /** Rotates each new key at its own position (once: DCA never re-rotates) and caches it. */
    private void storeKeysAndValues(int layer, int n) {
        KvCache cache = cache();
        int headSize = config.headSize();
        int kvDim = config.kvDim();
        AttentionConfig positions = attention.config();
        Parallel.forRange(n, kvDim, (from, to) -> {
            for (int t = from; t < to; t++) {
                int p = position() + t;
                attention.rope().rotate(key, t * kvDim, config.kvHeads(), positions.keyPosition(p));
                for (int h = 0; h < config.kvHeads(); h++) {
                    cache.store(layer, h, p, key, t * kvDim + h * headSize, value, t * kvDim + h * headSize);
                }
            }
        });
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
                DualChunkAttention.Scratch scratch = new DualChunkAttention.Scratch(headSize, heads, 1);
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
            int runs = (n + TOKENS_PER_PASS - 1) / TOKENS_PER_PASS;
            Parallel.forRange(runs, cost * TOKENS_PER_PASS, (from, to) -> {
                DualChunkAttention.Scratch scratch = new DualChunkAttention.Scratch(headSize, group, TOKENS_PER_PASS);
                for (int run = from; run < to; run++) {
                    int t = run * TOKENS_PER_PASS;
                    int offset = t * dim + headsOffset;
                    attention.attend(query, offset, dim, Math.min(TOKENS_PER_PASS, n - t), group, start + t,
                            keyColumns, valueRows, attended, offset, scratch);
                }
            });
        }
    }

    /**
     * Into how many parts to split each KV head's {@code group} query heads so that {@code items}
     * (tokens x KV heads) become at least two pieces per thread: decoding has one token, and a
     * model with fewer KV heads than threads would leave threads idle. No more than that: each
     * part decodes its KV head's cached keys and values again, and splitting TinyLlama's 4 KV heads
     * in two on 2 threads cost a tenth of decoding's speed after 16000 cached tokens (BENCHMARKS.md,
     * session 15).
     */
    private static int splitGroups(int items, int group) {
        int parts = 1;
        while (items * parts < 2 * Parallel.threads() && group % (2 * parts) == 0) {
            parts *= 2;
        }
        return parts;
    }
}
