package dev.dossier.persistence.prefixcache;

import dev.dossier.persistence.Timestamps;
import dev.dossier.persistence.documents.DocumentSet;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import java.nio.file.Path;
import java.time.Instant;
import java.util.Optional;
import java.util.UUID;

/** The record of one prefix cache of a set's content, computed or being computed. */
@Entity
public class PrefixCacheEntry {

    @Id
    private UUID id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "set_id")
    private DocumentSet documentSet;

    private long setVersion;
    private String modelId;
    private String attention;
    private int tokenCount;
    private String filePath;
    private Long fileSizeBytes;

    @Enumerated(EnumType.STRING)
    private PrefixCacheStatus status;

    private int progressTokens;
    private String error;
    private Instant createdAt;
    private Instant updatedAt;

    protected PrefixCacheEntry() {
        // for Hibernate
    }

    PrefixCacheEntry(DocumentSet documentSet, long setVersion, String modelId, String attention, int tokenCount) {
        this.id = UUID.randomUUID();
        this.documentSet = documentSet;
        this.setVersion = setVersion;
        this.modelId = required(modelId, "model id");
        this.attention = required(attention, "attention layout");
        this.createdAt = Timestamps.now();
        startComputing(tokenCount);
    }

    /** The cache file, once there is one. */
    public Optional<Path> file() {
        return Optional.ofNullable(filePath).map(Path::of);
    }

    /** Back to the start of a computation of {@code tokens} tokens, forgetting any earlier result. */
    void startComputing(int tokens) {
        requireNotNegative(tokens, "token count");
        status = PrefixCacheStatus.COMPUTING;
        tokenCount = tokens;
        progressTokens = 0;
        filePath = null;
        fileSizeBytes = null;
        error = null;
        updatedAt = Timestamps.now();
    }

    void progress(int tokensDone) {
        requireComputing();
        requireNotNegative(tokensDone, "progress");
        progressTokens = tokensDone;
        updatedAt = Timestamps.now();
    }

    void ready(Path file, long sizeBytes, int tokens) {
        requireComputing();
        requireNotNegative(sizeBytes, "file size");
        requireNotNegative(tokens, "token count");
        status = PrefixCacheStatus.READY;
        filePath = file.toString();
        fileSizeBytes = sizeBytes;
        tokenCount = tokens;
        progressTokens = tokens;
        updatedAt = Timestamps.now();
    }

    void failed(String reason) {
        requireComputing();
        status = PrefixCacheStatus.FAILED;
        error = reason == null || reason.isBlank() ? "unknown error" : reason;
        updatedAt = Timestamps.now();
    }

    PrefixCacheView view() {
        return new PrefixCacheView(id, documentSet.id(), setVersion, modelId, attention, tokenCount,
                file().orElse(null), fileSizeBytes, status, progressTokens, error, createdAt, updatedAt);
    }

    private void requireComputing() {
        if (status != PrefixCacheStatus.COMPUTING) {
            throw new IllegalStateException("prefix cache " + id + " is " + status + ", not COMPUTING");
        }
    }

    private static String required(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("a prefix cache needs a " + what);
        }
        return value;
    }

    private static void requireNotNegative(long value, String what) {
        if (value < 0) {
            throw new IllegalArgumentException("negative " + what + ": " + value);
        }
    }
}
