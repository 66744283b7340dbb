package dev.dossier.webapp.reviews;

import com.fasterxml.jackson.databind.JsonNode;
import dev.dossier.persistence.conversations.Citation;
import dev.dossier.persistence.documents.Anchor;
import dev.dossier.persistence.documents.DocumentView;
import dev.dossier.persistence.documents.DocumentWithText;
import dev.dossier.persistence.reviews.ReviewFinding;
import dev.dossier.webapp.citations.CitationChecker;
import dev.dossier.webapp.citations.CitedLocation;
import dev.dossier.webapp.conversations.Citations;
import dev.dossier.webapp.ingest.AnchorLabels;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.function.Function;

/**
 * Turns a review agent's raw output into rows: each item read (repaired where possible), its
 * category and severity mapped onto the known ones, its quote checked against the document's
 * text. What cannot be used becomes an error row with the output behind it, never nothing.
 */
public final class FindingReader {

    static final int RAW_LIMIT = 2_000;

    private final List<DocumentView> documents;
    private final Function<UUID, Optional<DocumentWithText>> texts;
    private final Map<UUID, Optional<DocumentWithText>> loaded = new HashMap<>();

    public FindingReader(List<DocumentView> documents, Function<UUID, Optional<DocumentWithText>> texts) {
        this.documents = List.copyOf(documents);
        this.texts = texts;
    }

    /** The clauses of one contract, {@code reviewed}, from the model's answer about it. */
    public List<ReviewFinding> contract(String output, DocumentView reviewed) {
        ModelOutput.Parsed parsed = ModelOutput.parse(output);
        List<ReviewFinding> rows = new ArrayList<>();
        if (!parsed.json()) {
            rows.add(ReviewFinding.error(reviewed.id(), reviewed.path(), "the model's output holds no JSON clauses", raw(output)));
            return rows;
        }
        for (String piece : parsed.unreadable()) {
            rows.add(ReviewFinding.error(reviewed.id(), reviewed.path(), "unreadable JSON item", raw(piece)));
        }
        for (JsonNode item : parsed.items()) {
            rows.add(contractClause(item, reviewed, parsed.repairs()));
        }
        return rows;
    }

    private ReviewFinding contractClause(JsonNode item, DocumentView reviewed, List<String> outputRepairs) {
        if (!item.isObject()) {
            return ReviewFinding.error(reviewed.id(), reviewed.path(), "an item that is not a JSON object", raw(item.toString()));
        }
        List<String> repairs = new ArrayList<>(outputRepairs);
        String written = field(item, "category", "type", "clause_type", "clause", "kind");
        String category;
        Optional<Categories.Mapped> mapped = Categories.contract(written);
        if (mapped.isPresent()) {
            category = mapped.get().value();
            if (mapped.get().mapped()) {
                repairs.add("category '" + written + "' read as " + category);
            }
        } else {
            category = "unusual";
            repairs.add(written == null ? "no category: filed as unusual" : "unknown category '" + written + "' filed as unusual");
        }
        String quote = field(item, "quote", "quoted_text", "text", "excerpt", "clause_text");
        if (quote == null || quote.isBlank()) {
            return ReviewFinding.error(reviewed.id(), reviewed.path(), "a " + category + " clause without a quote", raw(item.toString()));
        }
        DocumentView document = Optional.ofNullable(field(item, "file", "document", "path"))
                .flatMap(path -> Citations.resolve(path, documents)).orElse(reviewed);
        String location = field(item, "location", "anchor", "page", "where", "loc");
        String note = field(item, "risk", "risk_note", "note", "notes", "comment", "explanation");
        Checked checked = check(document, quote, location, repairs);
        return new ReviewFinding(document.id(), document.path(), category, null, quote, checked.location(), null, null, note,
                checked.status(), checked.start(), checked.end(), repairs, null, null);
    }

    /** The findings over a codebase from the model's answer. */
    public List<ReviewFinding> code(String output) {
        ModelOutput.Parsed parsed = ModelOutput.parse(output);
        List<ReviewFinding> rows = new ArrayList<>();
        if (!parsed.json()) {
            rows.add(ReviewFinding.error(null, null, "the model's output holds no JSON findings", raw(output)));
            return rows;
        }
        for (String piece : parsed.unreadable()) {
            rows.add(ReviewFinding.error(null, null, "unreadable JSON item", raw(piece)));
        }
        for (JsonNode item : parsed.items()) {
            rows.add(codeFinding(item, parsed.repairs()));
        }
        return rows;
    }

    private ReviewFinding codeFinding(JsonNode item, List<String> outputRepairs) {
        if (!item.isObject()) {
            return ReviewFinding.error(null, null, "an item that is not a JSON object", raw(item.toString()));
        }
        List<String> repairs = new ArrayList<>(outputRepairs);
        String path = field(item, "file", "path", "filename", "document");
        Optional<DocumentView> document = Citations.resolve(path, documents);
        if (document.isEmpty()) {
            return ReviewFinding.error(null, path, path == null ? "a finding without a file" : "a finding in a file not in the set: '" + path + "'",
                    raw(item.toString()));
        }
        String writtenCategory = field(item, "category", "type", "kind");
        Optional<Categories.Mapped> category = Categories.code(writtenCategory);
        if (category.isEmpty()) {
            return ReviewFinding.error(document.get().id(), document.get().path(),
                    writtenCategory == null ? "a finding without a category" : "unknown category '" + writtenCategory + "'", raw(item.toString()));
        }
        if (category.get().mapped()) {
            repairs.add("category '" + writtenCategory + "' read as " + category.get().value());
        }
        String writtenSeverity = field(item, "severity", "level", "priority");
        String severity = Categories.severity(writtenSeverity).map(mapped -> {
            if (mapped.mapped()) {
                repairs.add("severity '" + writtenSeverity + "' read as " + mapped.value());
            }
            return mapped.value();
        }).orElseGet(() -> {
            repairs.add(writtenSeverity == null ? "no severity: medium assumed" : "unknown severity '" + writtenSeverity + "': medium assumed");
            return "medium";
        });

        Integer lineStart = number(item, "line_start", "start_line", "from_line", "line");
        Integer lineEnd = number(item, "line_end", "end_line", "to_line");
        String location = field(item, "lines", "location", "line_range");
        if (lineStart == null && location != null) {
            Optional<CitedLocation> parsed = CitedLocation.parse(location.matches("\\s*\\d.*") ? "lines " + location : location);
            if (parsed.isPresent()) {
                lineStart = parsed.get().first();
                lineEnd = parsed.get().last();
            }
        }
        if (lineStart != null && (lineEnd == null || lineEnd < lineStart)) {
            lineEnd = lineStart;
        }
        String label = lineStart == null ? null : AnchorLabels.label(Anchor.Kind.LINE, lineStart, lineEnd);
        String quote = field(item, "quote", "code", "snippet", "excerpt");
        String explanation = field(item, "explanation", "description", "message", "note", "reason", "issue");
        Citation.Status status = null;
        Integer start = null;
        Integer end = null;
        if (quote != null && !quote.isBlank()) {
            Checked checked = check(document.get(), quote, label, repairs);
            status = checked.status();
            start = checked.start();
            end = checked.end();
            if (lineStart == null && checked.location() != null) {
                Optional<CitedLocation> found = CitedLocation.parse(checked.location());
                if (found.isPresent()) {
                    lineStart = found.get().first();
                    lineEnd = found.get().last();
                    label = checked.location();
                }
            }
        }
        return new ReviewFinding(document.get().id(), document.get().path(), category.get().value(), severity, quote, label,
                lineStart, lineEnd, explanation, status, start, end, repairs, null, null);
    }

    private record Checked(Citation.Status status, Integer start, Integer end, String location) {
    }

    private Checked check(DocumentView document, String quote, String location, List<String> repairs) {
        Optional<DocumentWithText> text = loaded.computeIfAbsent(document.id(), texts);
        if (text.isEmpty()) {
            return new Checked(Citation.Status.NOT_FOUND, null, null, location);
        }
        CitationChecker.Result result = CitationChecker.check(quote, location, text.get().text(), text.get().anchors());
        String where = location;
        if ((location == null || location.isBlank()) && result.foundAt() != null) {
            where = result.foundAt();
            repairs.add("no location: taken from where the quote is");
        }
        return new Checked(result.status(), result.start() < 0 ? null : result.start(), result.start() < 0 ? null : result.end(), where);
    }

    /** The text of the first of {@code names} present, matched ignoring case, '_', '-' and spaces. */
    static String field(JsonNode item, String... names) {
        Map<String, JsonNode> byKey = new HashMap<>();
        for (Iterator<Map.Entry<String, JsonNode>> it = item.fields(); it.hasNext(); ) {
            Map.Entry<String, JsonNode> entry = it.next();
            byKey.putIfAbsent(key(entry.getKey()), entry.getValue());
        }
        for (String name : names) {
            JsonNode value = byKey.get(key(name));
            if (value != null && !value.isNull()) {
                String text = value.isValueNode() ? value.asText() : value.toString();
                if (!text.isBlank()) {
                    return text.strip();
                }
            }
        }
        return null;
    }

    static Integer number(JsonNode item, String... names) {
        String text = field(item, names);
        if (text == null) {
            return null;
        }
        java.util.regex.Matcher digits = java.util.regex.Pattern.compile("\\d+").matcher(text);
        return digits.find() ? Integer.valueOf(digits.group()) : null;
    }

    private static String key(String name) {
        return name.toLowerCase(Locale.ROOT).replaceAll("[^a-z0-9]", "");
    }

    static String raw(String output) {
        if (output == null) {
            return "";
        }
        return output.length() <= RAW_LIMIT ? output : output.substring(0, RAW_LIMIT) + "…";
    }
}
