package dev.dossier.webapp.documentsets;

import dev.dossier.persistence.NotFoundException;
import dev.dossier.persistence.documents.DocumentSetView;
import dev.dossier.persistence.documents.DocumentView;
import dev.dossier.persistence.documents.NewDocument;
import dev.dossier.webapp.chat.ChatModels;
import dev.dossier.webapp.ingest.ExtractedDocument;
import dev.dossier.webapp.ingest.IngestResult;
import dev.dossier.webapp.ingest.Ingestion;
import dev.dossier.webapp.platform.Platform;
import dev.dossier.webapp.prefixcache.PrefixCacheService;
import dev.dossier.webapp.prompt.DocumentPrompt;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/** Document sets and their documents: ingestion, storage, the capacity gauge and the prefix cache. */
@ApplicationScoped
public class DocumentSetService {
    private final Ingestion ingestion = new Ingestion();

    @Inject
    Platform platform;

    @Inject
    ChatModels models;

    @Inject
    PrefixCacheService prefixCaches;

    /** One uploaded file, as it came. */
    public record UploadedFile(String fileName, String mediaType, byte[] bytes) {
    }

    public Json.DocumentSet create(String name) {
        return describe(platform.documentSets().create(name));
    }

    public List<Json.DocumentSet> list() {
        return platform.documentSets().list().stream().map(this::describe).toList();
    }

    public Json.DocumentSet get(UUID setId) {
        return describe(find(setId));
    }

    public Json.DocumentSet rename(UUID setId, String name) {
        return describe(platform.documentSets().rename(setId, name));
    }

    public void delete(UUID setId) {
        prefixCaches.cancel(setId);
        PrefixCacheService.deleteFiles(platform.documentSets().delete(setId));
    }

    /**
     * Extracts every file first and stores the documents in one transaction: an upload with
     * one unreadable file stores nothing.
     */
    public Json.Upload upload(UUID setId, List<UploadedFile> files) {
        find(setId);
        List<NewDocument> documents = new ArrayList<>();
        List<Json.Skipped> skipped = new ArrayList<>();
        for (UploadedFile file : files) {
            IngestResult result = ingestion.extract(file.fileName(), file.mediaType(), file.bytes());
            for (ExtractedDocument document : result.documents()) {
                documents.add(new NewDocument(document.path(), document.mediaType(), document.originalBytes(),
                        document.text(), document.anchors(), tokensOf(document)));
            }
            result.skipped().forEach(s -> skipped.add(new Json.Skipped(s.path(), s.reason())));
        }
        List<DocumentView> stored = platform.documentSets().addDocuments(setId, documents);
        prefixCaches.refresh(setId);
        List<Json.Document> views = new ArrayList<>();
        for (int i = 0; i < stored.size(); i++) {
            views.add(Json.Document.of(stored.get(i), documents.get(i).anchors()));
        }
        return new Json.Upload(get(setId), views, skipped);
    }

    public List<Json.Document> documents(UUID setId) {
        find(setId);
        var summaries = platform.documentSets().anchorSummaries(setId);
        return platform.documentSets().documents(setId).stream()
                .map(document -> Json.Document.of(document, summaries.get(document.id())))
                .toList();
    }

    public Json.DocumentWithText document(UUID setId, UUID documentId) {
        var document = platform.documentSets().document(setId, documentId)
                .orElseThrow(() -> new NotFoundException("document", documentId));
        return new Json.DocumentWithText(Json.Document.of(document.document(), document.anchors()), document.text(), document.anchors());
    }

    public Json.DocumentSet removeDocument(UUID setId, UUID documentId) {
        platform.documentSets().removeDocument(setId, documentId);
        prefixCaches.refresh(setId);
        return get(setId);
    }

    DocumentSetView find(UUID setId) {
        return platform.documentSets().find(setId).orElseThrow(() -> new NotFoundException("document set", setId));
    }

    /** A document's share of the prompt: its header, anchor markers and text. */
    private int tokensOf(ExtractedDocument document) {
        return models.countTokens(DocumentPrompt.render(List.of(
                new DocumentPrompt.Source(document.path(), document.mediaType(), document.text(), document.anchors())))
                .substring(DocumentPrompt.INSTRUCTIONS.length()));
    }

    private Json.DocumentSet describe(DocumentSetView set) {
        long needed = models.countTokens(DocumentPrompt.INSTRUCTIONS) + set.totalTokens();
        int available = models.capacity();
        return Json.DocumentSet.of(set, new Json.Capacity(needed, available, needed < available),
                prefixCaches.current(set).map(Json.PrefixCache::of).orElse(Json.PrefixCache.NONE));
    }
}
