package dev.dossier.persistence.reviews;

import dev.dossier.persistence.Timestamps;
import dev.dossier.persistence.documents.DocumentSet;
import jakarta.persistence.Entity;
import jakarta.persistence.EnumType;
import jakarta.persistence.Enumerated;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One run of a review agent over a document set. */
@Entity
public class ReviewRun {

    public enum Kind { CONTRACT, CODE }

    public enum Status { RUNNING, COMPLETED, FAILED }

    @Id
    private UUID id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "set_id")
    private DocumentSet documentSet;

    @Enumerated(EnumType.STRING)
    private Kind kind;

    @Enumerated(EnumType.STRING)
    private Status status;

    private long setVersion;
    private String model;
    private int progressDone;
    private int progressTotal;

    @JdbcTypeCode(SqlTypes.JSON)
    private List<ReviewFinding> findings;

    private int errorCount;
    private String error;
    private Instant createdAt;
    private Instant finishedAt;

    protected ReviewRun() {
        // for Hibernate
    }

    ReviewRun(DocumentSet documentSet, Kind kind, long setVersion, String model, int progressTotal) {
        this.id = UUID.randomUUID();
        this.documentSet = documentSet;
        this.kind = kind;
        this.status = Status.RUNNING;
        this.setVersion = setVersion;
        this.model = model;
        this.progressTotal = progressTotal;
        this.findings = new ArrayList<>();
        this.createdAt = Timestamps.now();
    }

    void add(List<ReviewFinding> more, int done) {
        List<ReviewFinding> all = new ArrayList<>(findings);
        all.addAll(more);
        findings = all;
        errorCount = (int) all.stream().filter(ReviewFinding::hasError).count();
        progressDone = done;
    }

    void finish(Status status, String error) {
        this.status = status;
        this.error = error;
        this.finishedAt = Timestamps.now();
    }

    ReviewRunView view(boolean withFindings) {
        return new ReviewRunView(id, documentSet.id(), kind, status, setVersion, model, progressDone, progressTotal,
                findings.size() - errorCount, errorCount, error, createdAt, finishedAt,
                withFindings ? List.copyOf(findings) : List.of());
    }
}
