package dev.dossier.runtime.engine;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.generate.FinishReason;
import dev.dossier.runtime.generate.GenerationParameters;
import dev.dossier.runtime.generate.GenerationResult;
import dev.dossier.runtime.generate.Generator;
import dev.dossier.runtime.model.ContextOverflowException;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.Session;
import dev.dossier.runtime.prefix.ModelFingerprint;
import dev.dossier.runtime.prefix.PrefixCacheException;
import dev.dossier.runtime.prefix.PrefixCacheFile;
import dev.dossier.runtime.tokenizer.Tokenizer;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.concurrent.locks.ReentrantLock;

/**
 * One loaded model ready to answer: it owns the {@link Engine} and the engine's {@link Llama},
 * runs one generation at a time (callers queue in arrival order; on a small machine two at once
 * would only halve each other's speed) and keeps a few warm {@link Session}s, so a prompt that starts like an earlier one, such
 * as a second question on the same documents, only computes what is new.
 */
public final class LocalModel implements AutoCloseable {
    public static final int DEFAULT_WARM_SESSIONS = 2;

    private final Engine engine;
    private final AttentionConfig attention;
    private final int capacity;
    private final int warmSessions;
    private final ModelFingerprint fingerprint;
    private final ReentrantLock lock = new ReentrantLock(true);
    /** Warm sessions, least recently used first. Guarded by {@link #lock}. */
    private final List<Session> sessions = new ArrayList<>();

    public LocalModel(Engine engine, AttentionConfig attention, int capacity) {
        this(engine, attention, capacity, DEFAULT_WARM_SESSIONS);
    }

    /**
     * @param engine       runs the model; closing this object closes the engine and its model
     * @param capacity     tokens each session holds: prompt plus answer
     * @param warmSessions how many sessions (each with a KV cache of {@code capacity} tokens) stay warm
     */
    public LocalModel(Engine engine, AttentionConfig attention, int capacity, int warmSessions) {
        if (capacity < 1 || warmSessions < 1) {
            throw new IllegalArgumentException("capacity and warm sessions must be at least 1, got " + capacity + " and " + warmSessions);
        }
        this.engine = engine;
        this.attention = attention;
        this.capacity = capacity;
        this.warmSessions = warmSessions;
        this.fingerprint = ModelFingerprint.of(engine.model());
    }

    /** Loads the model at {@code path} and opens {@code engine} on it; closing the returned object closes both. */
    public static LocalModel load(Path path, EngineKind engine, AttentionConfig attention, int capacity) throws IOException {
        Llama model = Llama.load(path);
        try {
            return new LocalModel(engine.open(model), attention, capacity);
        } catch (RuntimeException e) {
            model.close();
            throw e;
        }
    }

    public Engine engine() {
        return engine;
    }

    public Llama model() {
        return engine.model();
    }

    public AttentionConfig attention() {
        return attention;
    }

    /** Tokens one generation can use: prompt plus answer. */
    public int capacity() {
        return capacity;
    }

    public Tokenizer tokenizer() {
        return engine.model().tokenizer();
    }

    /** Tokens of {@code text} on its own (no BOS). */
    public int countTokens(String text) {
        return tokenizer().encode(text, false).length;
    }

    /**
     * Generates an answer to {@code prompt}, reusing the longest cached prefix of a warm session.
     * Waits for generations ahead of it; interrupting the thread cancels (also while waiting).
     *
     * @throws ContextOverflowException when the prompt and {@code maxTokens} do not fit, before any work
     */
    public GenerationResult generate(int[] prompt, GenerationParameters parameters, Generator.Listener listener) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        requireRoom(prompt.length + parameters.maxTokens());
        try {
            lock.lockInterruptibly();
        } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
            return new GenerationResult("", FinishReason.CANCELLED, prompt.length, 0, 0, 0, 0, 0);
        }
        try {
            Session session = sessionFor(prompt);
            markUsed(session);
            return Generator.generate(session, prompt, parameters, listener);
        } finally {
            lock.unlock();
        }
    }

    /**
     * Makes {@code prefixTokens} (e.g. a document set) cached, so that later prompts starting with
     * them skip their prefill: read from {@code cacheFile} when it holds this prefix for this model
     * and attention, otherwise prefilled and saved there for the next start. A stale or damaged
     * file is replaced. Interrupting the thread cancels the prefill.
     */
    public void warmPrefix(int[] prefixTokens, Path cacheFile, Session.Progress progress) throws IOException {
        requireRoom(prefixTokens.length);
        lock.lock();
        try {
            Session warm = sessions.stream().filter(s -> s.cachedPrefixLength(prefixTokens) == prefixTokens.length).findFirst().orElse(null);
            if (warm == null && Files.exists(cacheFile)) {
                warm = tryRead(prefixTokens, cacheFile);
            }
            if (warm == null) {
                warm = sessionFor(prefixTokens);
                int reused = warm.cachedPrefixLength(prefixTokens);
                warm.truncate(reused);
                warm.prefill(prefixTokens, reused, prefixTokens.length - reused, false, (position, logits, offset) -> { }, progress);
                PrefixCacheFile.write(warm, prefixTokens.length, cacheFile, fingerprint);
            } else if (!Files.exists(cacheFile)) {
                PrefixCacheFile.write(warm, prefixTokens.length, cacheFile, fingerprint);
            }
            markUsed(warm);
        } finally {
            lock.unlock();
        }
    }

    /** A session restored from {@code cacheFile}, or null when the file does not hold this prefix for this model. */
    private Session tryRead(int[] prefixTokens, Path cacheFile) throws IOException {
        try {
            if (!Arrays.equals(PrefixCacheFile.readHeader(cacheFile).tokens(), prefixTokens)) {
                return null;
            }
            Session session = sessionFor(prefixTokens);
            PrefixCacheFile.readInto(cacheFile, session);
            return session;
        } catch (PrefixCacheException e) {
            return null;
        }
    }

    /**
     * The warm session with the longest cached prefix of {@code prompt}, as long as the prompt keeps
     * at least half of its cache; otherwise a new session, or the least recently used one when the
     * pool is full. So an unrelated question does not wipe out a warm document prefix.
     */
    private Session sessionFor(int[] prompt) {
        Session best = null;
        int bestLength = 0;
        for (Session session : sessions) {
            int length = session.cachedPrefixLength(prompt);
            if (length > bestLength) {
                best = session;
                bestLength = length;
            }
        }
        if (best != null && 2 * bestLength >= best.position()) {
            return best;
        }
        if (sessions.size() < warmSessions) {
            return engine.newSession(attention, capacity);
        }
        return sessions.getFirst();
    }

    private void markUsed(Session session) {
        sessions.remove(session);
        sessions.addLast(session);
    }

    private void requireRoom(int tokens) {
        if (tokens > capacity) {
            throw new ContextOverflowException(tokens, capacity);
        }
    }

    /** Closes the engine and the model; call it only when no generation is running. */
    @Override
    public void close() {
        lock.lock();
        try {
            sessions.clear();
            try (Llama model = engine.model()) {
                engine.close();
            }
        } finally {
            lock.unlock();
        }
    }
}
