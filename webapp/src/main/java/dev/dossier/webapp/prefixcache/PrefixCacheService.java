package dev.dossier.webapp.prefixcache;

import dev.dossier.persistence.NotFoundException;
import dev.dossier.persistence.documents.DocumentSetView;
import dev.dossier.persistence.prefixcache.PrefixCacheStatus;
import dev.dossier.persistence.prefixcache.PrefixCacheView;
import dev.dossier.runtime.engine.LocalModel;
import dev.dossier.runtime.generate.ChatFormat;
import dev.dossier.webapp.chat.ChatModels;
import dev.dossier.webapp.documentsets.SetPrompt;
import dev.dossier.webapp.platform.Platform;
import jakarta.annotation.Resource;
import jakarta.enterprise.concurrent.ManagedExecutorService;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CancellationException;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Future;
import java.util.logging.Level;
import java.util.logging.Logger;

/**
 * The KV cache of a document set's prompt prefix, computed once per (set version, model,
 * attention settings), written to a file, recorded in the database and reused by every later
 * question, also after a restart. A change to the set makes the old cache stale: its file is
 * deleted and the new one is computed in the background right away.
 */
@ApplicationScoped
public class PrefixCacheService {
    private static final Logger LOG = Logger.getLogger(PrefixCacheService.class.getName());
    private static final long PROGRESS_INTERVAL_NANOS = 500_000_000L;

    @Inject
    Platform platform;

    @Inject
    ChatModels models;

    @Inject
    SetPrompt prompts;

    @Resource
    ManagedExecutorService executor;

    private final Map<UUID, Future<?>> running = new ConcurrentHashMap<>();

    /** After a set changed: drops its stale caches and starts computing the current one. */
    public void refresh(UUID setId) {
        Optional<LocalModel> local = models.local();
        if (local.isEmpty()) {
            return; // a remote model keeps its own caches
        }
        cancel(setId);
        DocumentSetView set = platform.documentSets().find(setId).orElseThrow(() -> new NotFoundException("document set", setId));
        deleteFiles(platform.prefixCaches().removeStale(setId, set.contentVersion()));
        if (set.documentCount() == 0) {
            return;
        }
        PrefixCacheView entry = platform.prefixCaches().startComputing(setId, set.contentVersion(), models.modelId(), models.attentionKey(), 0);
        running.put(setId, executor.submit(() -> compute(local.get(), setId, set.contentVersion(), entry.id())));
    }

    /** Stops any computation for the set (it is being deleted or changed). */
    public void cancel(UUID setId) {
        Future<?> job = running.remove(setId);
        if (job != null) {
            job.cancel(true);
        }
    }

    /** The cache of the set's current version, if one was started. */
    public Optional<PrefixCacheView> current(DocumentSetView set) {
        if (models.local().isEmpty() || set.documentCount() == 0) {
            return Optional.empty();
        }
        return platform.prefixCaches().find(set.id(), set.contentVersion(), models.modelId(), models.attentionKey());
    }

    /**
     * Before a question: when the set's cache is ready, makes sure the model holds it (reading
     * the file if it is not warm, as after a restart), so only the question is prefilled.
     */
    public void warm(DocumentSetView set, int[] prefixTokens) {
        Optional<LocalModel> local = models.local();
        Optional<PrefixCacheView> entry = current(set);
        if (local.isEmpty() || entry.isEmpty() || entry.get().status() != PrefixCacheStatus.READY || entry.get().filePath() == null
                || !Files.exists(entry.get().filePath())) {
            return;
        }
        try {
            local.get().warmPrefix(prefixTokens, entry.get().filePath(), (done, total) -> { });
        } catch (IOException e) {
            LOG.log(Level.WARNING, "prefix cache of set " + set.id() + " could not be read; the question computes it", e);
        }
    }

    private void compute(LocalModel model, UUID setId, long version, UUID entryId) {
        Path file = platform.dataDirectory().resolve("prefix-cache").resolve(setId + "-v" + version + "-" + cacheKey() + ".kv");
        try {
            int[] prefix = ChatFormat.llama2SystemPrefix(model.tokenizer(), prompts.systemPrompt(setId));
            if (prefix.length > model.capacity()) {
                platform.prefixCaches().markFailed(entryId, "the document set needs " + prefix.length
                        + " tokens but the model's context holds " + model.capacity());
                return;
            }
            Files.createDirectories(file.getParent());
            long[] lastUpdate = {System.nanoTime()};
            model.warmPrefix(prefix, file, (done, total) -> {
                long now = System.nanoTime();
                if (now - lastUpdate[0] > PROGRESS_INTERVAL_NANOS) {
                    lastUpdate[0] = now;
                    platform.prefixCaches().updateProgress(entryId, done);
                }
            });
            platform.prefixCaches().markReady(entryId, file, Files.size(file), prefix.length);
            LOG.info("prefix cache of set " + setId + " v" + version + " ready: " + prefix.length + " tokens");
        } catch (CancellationException e) {
            deleteFiles(List.of(file));
        } catch (NotFoundException e) {
            deleteFiles(List.of(file)); // the set or this version went away meanwhile
        } catch (Exception e) {
            if (Thread.currentThread().isInterrupted()) {
                deleteFiles(List.of(file));
                return;
            }
            LOG.log(Level.WARNING, "prefix cache of set " + setId + " failed", e);
            try {
                platform.prefixCaches().markFailed(entryId, String.valueOf(e.getMessage()));
            } catch (RuntimeException ignored) {
                // the entry is gone too
            }
        }
    }

    private String cacheKey() {
        return Integer.toHexString((models.modelId() + "|" + models.attentionKey()).hashCode());
    }

    public static void deleteFiles(List<Path> files) {
        for (Path file : files) {
            try {
                if (file != null) {
                    Files.deleteIfExists(file);
                }
            } catch (IOException e) {
                LOG.warning("could not delete " + file + ": " + e.getMessage());
            }
        }
    }
}
