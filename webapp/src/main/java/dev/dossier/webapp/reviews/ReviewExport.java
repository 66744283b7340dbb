package dev.dossier.webapp.reviews;

import dev.dossier.persistence.reviews.ReviewFinding;
import dev.dossier.persistence.reviews.ReviewRun;
import dev.dossier.persistence.reviews.ReviewRunView;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.function.Function;

/** A review run as CSV (RFC 4180) or Markdown; JSON is the API's own shape. */
public final class ReviewExport {

    private record Column(String name, Function<ReviewFinding, Object> value) {
    }

    private static List<Column> columns(ReviewRun.Kind kind) {
        List<Column> columns = new ArrayList<>();
        columns.add(new Column("file", ReviewFinding::path));
        columns.add(new Column("category", ReviewFinding::category));
        if (kind == ReviewRun.Kind.CODE) {
            columns.add(new Column("severity", ReviewFinding::severity));
        }
        columns.add(new Column("location", ReviewFinding::location));
        columns.add(new Column("quote", ReviewFinding::quote));
        columns.add(new Column("quote_status", f -> f.quoteStatus() == null ? null : f.quoteStatus().name().toLowerCase()));
        columns.add(new Column(kind == ReviewRun.Kind.CODE ? "explanation" : "risk", ReviewFinding::note));
        columns.add(new Column("repairs", f -> String.join("; ", f.repairs())));
        columns.add(new Column("error", ReviewFinding::error));
        return columns;
    }

    private ReviewExport() {
    }

    public static String csv(ReviewRunView run) {
        List<Column> columns = columns(run.kind());
        StringBuilder out = new StringBuilder();
        out.append(String.join(",", columns.stream().map(Column::name).toList())).append("\r\n");
        for (ReviewFinding finding : run.findings()) {
            out.append(String.join(",", columns.stream().map(c -> csvCell(c.value().apply(finding))).toList())).append("\r\n");
        }
        return out.toString();
    }

    public static String markdown(ReviewRunView run) {
        List<Column> columns = columns(run.kind());
        StringBuilder out = new StringBuilder();
        out.append("# ").append(run.kind() == ReviewRun.Kind.CODE ? "Code review" : "Contract review").append("\n\n");
        out.append("- run: `").append(run.id()).append("`\n");
        out.append("- model: ").append(run.model()).append("\n");
        out.append("- status: ").append(run.status().name().toLowerCase()).append("\n");
        out.append("- started: ").append(run.createdAt()).append("\n");
        out.append("- findings: ").append(run.findingCount()).append(", error rows: ").append(run.errorCount()).append("\n\n");
        out.append("| ").append(String.join(" | ", columns.stream().map(Column::name).toList())).append(" |\n");
        out.append("|").append("---|".repeat(columns.size())).append("\n");
        for (ReviewFinding finding : run.findings()) {
            out.append("| ").append(String.join(" | ", columns.stream().map(c -> mdCell(c.value().apply(finding))).toList())).append(" |\n");
        }
        return out.toString();
    }

    static String csvCell(Object value) {
        String text = Objects.toString(value, "");
        if (text.isEmpty()) {
            return "";
        }
        // A leading =, +, - or @ would be a formula in a spreadsheet: quote it with an apostrophe.
        if ("=+-@".indexOf(text.charAt(0)) >= 0) {
            text = "'" + text;
        }
        return text.matches("(?s).*[\",\r\n].*") || text.startsWith("'") ? "\"" + text.replace("\"", "\"\"") + "\"" : text;
    }

    static String mdCell(Object value) {
        return Objects.toString(value, "").replace("\\", "\\\\").replace("|", "\\|").replaceAll("\\r?\\n", "<br>");
    }
}
