package dev.dossier.persistence.reviews;

import dev.dossier.persistence.conversations.Citation;
import java.util.List;
import java.util.UUID;

/**
 * One row of a review: a clause of a contract or a finding in code, or an error row where the
 * model's output could not be used.
 *
 * @param category for contracts: parties, term_and_renewal, ...; for code: security, correctness, ...
 * @param severity code findings only: critical, high, medium, low, info
 * @param location the place as the model named it ("p. 2", "lines 10-14")
 * @param lineStart first line, for code findings
 * @param lineEnd last line, for code findings
 * @param note the risk note (contracts) or explanation (code)
 * @param quoteStatus what checking the quote against the document found ({@code null} without quote)
 * @param start where the quote was found in the document's text, or {@code null}
 * @param end the end (exclusive) of the quote found, or {@code null}
 * @param repairs what was repaired in the model's output for this row
 * @param error why this row is an error row ({@code null} for a good row)
 * @param raw the model's output behind an error row
 */
public record ReviewFinding(UUID documentId, String path, String category, String severity, String quote,
                            String location, Integer lineStart, Integer lineEnd, String note,
                            Citation.Status quoteStatus, Integer start, Integer end, List<String> repairs,
                            String error, String raw) {

    public ReviewFinding {
        repairs = repairs == null ? List.of() : List.copyOf(repairs);
    }

    public boolean hasError() {
        return error != null;
    }

    /** An error row: what went wrong with the model's output for a document, and the output. */
    public static ReviewFinding error(UUID documentId, String path, String error, String raw) {
        return new ReviewFinding(documentId, path, null, null, null, null, null, null, null, null, null, null, List.of(), error, raw);
    }
}
