package dev.dossier.runtime.model;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.attention.KvCache;
import java.util.Arrays;
import java.util.concurrent.CancellationException;

/**
 * The mutable state of one conversation with a {@link Llama}: its KV cache and the tokens in it.
 * Tokens are appended with {@link #prefill}; the model itself is never modified, so many sessions
 * can share one model. A session is used by one thread at a time.
 *
 * <p>This class holds everything that does not depend on how the forward pass runs: capacity and
 * token checks, the cached token ids, prefix reuse, cancellation and progress. An engine supplies
 * the forward pass of one block of tokens, {@link #forwardBlock}.
 */
public abstract class Session {
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

    private final Llama model;
    private final AttentionConfig attentionConfig;
    private final KvCache cache;
    private final int blockSize;
    private final int[] cachedTokens;
    private int position;

    /**
     * @param capacity  the most tokens the session holds (the KV cache is allocated for them now)
     * @param blockSize the most tokens one {@link #forwardBlock} call runs
     * @param precision how the engine keeps its KV cache
     * @throws IllegalArgumentException when DCA chunks are longer than the model's training context
     */
    protected Session(Llama model, AttentionConfig attentionConfig, int capacity, int blockSize, KvCache.Precision precision) {
        LlamaConfig config = model.config();
        if (attentionConfig.dca() && attentionConfig.chunkSize() > config.contextLength()) {
            throw new IllegalArgumentException("DCA chunk size " + attentionConfig.chunkSize()
                    + " exceeds the model's training context " + config.contextLength());
        }
        if (blockSize < 1) {
            throw new IllegalArgumentException("the block size must be at least 1, got " + blockSize);
        }
        this.model = model;
        this.attentionConfig = attentionConfig;
        this.cache = new KvCache(config.layers(), config.kvHeads(), config.headSize(), capacity, precision);
        this.blockSize = blockSize;
        this.cachedTokens = new int[capacity];
    }

    public Llama model() {
        return model;
    }

    public AttentionConfig attentionConfig() {
        return attentionConfig;
    }

    /** Rotated keys and values of positions {@code 0..position()}; beyond that, whatever was last written. */
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
        return Arrays.copyOf(cachedTokens, position);
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
        if (tokens.length > capacity()) {
            throw new ContextOverflowException(tokens.length, capacity());
        }
        checkTokenIds(tokens, 0, tokens.length);
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

    /** Appends one token and returns the logits for the token after it (a copy: the caller keeps it). */
    public float[] next(int token) {
        int vocabulary = model.config().vocabularySize();
        float[][] last = new float[1][];
        prefill(new int[] {token}, 0, 1, false, (p, l, o) -> last[0] = Arrays.copyOfRange(l, o, o + vocabulary), Progress.NONE);
        return last[0];
    }

    /**
     * Appends {@code tokens[from..from+count)} to the cache, in blocks. Logits go to {@code sink}
     * for every token when {@code allLogits}, otherwise only for the last one. Blocks finished
     * before a failure or cancellation stay cached.
     *
     * @throws ContextOverflowException  when the tokens do not fit (nothing is computed)
     * @throws IllegalArgumentException  when a token id is outside the vocabulary (nothing is computed)
     * @throws CancellationException     when the thread is interrupted (checked between blocks, and
     *                                   within them where the engine checks)
     */
    public void prefill(int[] tokens, int from, int count, boolean allLogits, LogitsSink sink, Progress progress) {
        if (position + count > capacity()) {
            throw new ContextOverflowException(position + count, capacity());
        }
        checkTokenIds(tokens, from, count);
        for (int done = 0; done < count; ) {
            int n = Math.min(blockSize, count - done);
            boolean lastBlock = done + n == count;
            try {
                throwIfCancelled();
                forwardBlock(tokens, from + done, n, allLogits ? 0 : lastBlock ? n - 1 : n, sink);
            } catch (CancellationException e) {
                throw new CancellationException("prefill cancelled after " + done + " of " + count + " tokens");
            }
            // Only a block that ran to the end is cached: a failed one leaves the position as it was.
            System.arraycopy(tokens, from + done, cachedTokens, position, n);
            position += n;
            done += n;
            progress.update(done, count);
        }
    }

    /**
     * Throws a {@link CancellationException} when the thread has been interrupted (clearing the
     * flag). {@link #prefill} calls it before each block; an engine whose blocks take long calls it
     * within them too (a block cut short is not cached).
     */
    protected static void throwIfCancelled() {
        if (Thread.interrupted()) {
            throw new CancellationException();
        }
    }

    /**
     * The engine's forward pass over one block: runs {@code tokens[offset..offset+n)}, which take
     * positions {@link #position()}{@code ..position()+n-1} (the base class advances the position
     * and records the token ids after this returns). It must write the tokens' rotated keys and
     * their values into {@link #cache()} at those positions, for every layer and KV head, and call
     * {@code sink} for block tokens {@code logitsFrom..n-1} in order, with their absolute positions.
     * {@code n} is at most the block size; token ids are already checked against the vocabulary.
     */
    protected abstract void forwardBlock(int[] tokens, int offset, int n, int logitsFrom, LogitsSink sink);

    private void checkTokenIds(int[] tokens, int from, int count) {
        int vocabulary = model.config().vocabularySize();
        for (int i = from; i < from + count; i++) {
            int token = tokens[i];
            if (token < 0 || token >= vocabulary) {
                throw new IllegalArgumentException("token id " + token + " is outside the vocabulary of " + vocabulary);
            }
        }
    }
}
