package dev.dossier.persistence.prefixcache;

import java.nio.file.Path;
import java.time.Instant;
import java.util.UUID;

/**
 * A prefix cache record.
 *
 * @param setVersion the set's content version the cache was computed from
 * @param attention attention layout, e.g. "dca:3072:512"
 * @param tokenCount the prefix's length in tokens (planned while computing, actual when ready)
 * @param filePath the cache file; {@code null} until READY
 * @param fileSizeBytes the file's size; {@code null} until READY
 * @param error why the computation failed; {@code null} unless FAILED
 */
public record PrefixCacheView(
        UUID id,
        UUID setId,
        long setVersion,
        String modelId,
        String attention,
        int tokenCount,
        Path filePath,
        Long fileSizeBytes,
        PrefixCacheStatus status,
        int progressTokens,
        String error,
        Instant createdAt,
        Instant updatedAt) {
}
