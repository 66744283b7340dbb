package dev.dossier.webapp.ingest;

import java.util.List;

/**
 * What one upload yielded. {@code documents} is never empty: an upload with nothing readable
 * is rejected with an {@link IngestException} instead. {@code skipped} is only non-empty for archives.
 */
public record IngestResult(List<ExtractedDocument> documents, List<SkippedFile> skipped) {

    public IngestResult {
        documents = List.copyOf(documents);
        skipped = List.copyOf(skipped);
    }
}
