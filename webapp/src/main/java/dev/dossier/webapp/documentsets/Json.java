package dev.dossier.webapp.documentsets;

import dev.dossier.persistence.documents.Anchor;
import dev.dossier.persistence.documents.AnchorSummary;
import dev.dossier.persistence.documents.DocumentSetView;
import dev.dossier.persistence.documents.DocumentView;
import dev.dossier.persistence.prefixcache.PrefixCacheView;
import java.time.Instant;
import java.util.List;
import java.util.UUID;

/** The JSON shapes of the document-set API. */
public final class Json {
    private Json() {
    }

    /** Tokens the whole set needs in the prompt against what the model's context holds. */
    public record Capacity(long tokensNeeded, long tokensAvailable, boolean fits) {
    }

    public record PrefixCache(String status, int progressTokens, int tokenCount, Long fileSizeBytes, String error) {
        public static PrefixCache of(PrefixCacheView view) {
            return new PrefixCache(view.status().name().toLowerCase(), view.progressTokens(), view.tokenCount(), view.fileSizeBytes(), view.error());
        }

        public static final PrefixCache NONE = new PrefixCache("none", 0, 0, null, null);
    }

    public record DocumentSet(UUID id, String name, long contentVersion, long documentCount, long totalTokens,
                              Instant createdAt, Instant updatedAt, Capacity capacity, PrefixCache prefixCache) {
        static DocumentSet of(DocumentSetView view, Capacity capacity, PrefixCache prefixCache) {
            return new DocumentSet(view.id(), view.name(), view.contentVersion(), view.documentCount(), view.totalTokens(),
                    view.createdAt(), view.updatedAt(), capacity, prefixCache);
        }
    }

    public record Document(UUID id, int position, String path, String mediaType, long sizeBytes, String sha256,
                           int tokenCount, Instant createdAt, String anchorKind, int anchorCount) {
        static Document of(DocumentView view, List<Anchor> anchors) {
            return of(view, anchors.isEmpty() ? null : new AnchorSummary(anchors.getFirst().kind(), anchors.size()));
        }

        /** {@code summary} null: a document without anchors. */
        static Document of(DocumentView view, AnchorSummary summary) {
            return new Document(view.id(), view.position(), view.path(), view.mediaType(), view.sizeBytes(), view.sha256(),
                    view.tokenCount(), view.createdAt(), summary == null ? null : summary.kind().name().toLowerCase(),
                    summary == null ? 0 : summary.count());
        }
    }

    public record DocumentWithText(Document document, String text, List<Anchor> anchors) {
    }

    public record Skipped(String path, String reason) {
    }

    public record Upload(DocumentSet documentSet, List<Document> documents, List<Skipped> skipped) {
    }

    public record NameRequest(String name) {
    }
}
