package dev.dossier.persistence.documents;

import dev.dossier.persistence.Timestamps;
import jakarta.persistence.Entity;
import jakarta.persistence.FetchType;
import jakarta.persistence.Id;
import jakarta.persistence.JoinColumn;
import jakarta.persistence.ManyToOne;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Instant;
import java.util.HexFormat;
import java.util.List;
import java.util.UUID;
import org.hibernate.annotations.JdbcTypeCode;
import org.hibernate.type.SqlTypes;

/** One document of a set: metadata, extracted text and anchors. The original bytes are a {@link DocumentContent}. */
@Entity
public class Document {

    @Id
    private UUID id;

    @ManyToOne(fetch = FetchType.LAZY, optional = false)
    @JoinColumn(name = "set_id")
    private DocumentSet documentSet;

    private int position;
    private String path;
    private String mediaType;
    private long sizeBytes;
    private String sha256;
    private String text;

    @JdbcTypeCode(SqlTypes.JSON)
    private List<Anchor> anchors;

    private int tokenCount;
    private Instant createdAt;

    protected Document() {
        // for Hibernate
    }

    Document(DocumentSet documentSet, int position, NewDocument newDocument) {
        this.id = UUID.randomUUID();
        this.documentSet = documentSet;
        this.position = position;
        this.path = required(newDocument.path(), "path");
        this.mediaType = required(newDocument.mediaType(), "media type");
        byte[] originalBytes = requireBytes(newDocument);
        this.sizeBytes = originalBytes.length;
        this.sha256 = sha256Hex(originalBytes);
        this.text = validText(newDocument);
        this.anchors = List.copyOf(newDocument.anchors() == null ? List.of() : newDocument.anchors());
        for (Anchor anchor : anchors) {
            if (anchor.end() > text.length()) {
                throw new IllegalArgumentException(path + ": anchor " + anchor + " ends after the text ("
                        + text.length() + " characters)");
            }
        }
        if (newDocument.tokenCount() < 0) {
            throw new IllegalArgumentException(path + ": negative token count");
        }
        this.tokenCount = newDocument.tokenCount();
        this.createdAt = Timestamps.now();
    }

    public UUID id() {
        return id;
    }

    UUID setId() {
        return documentSet.id();
    }

    int position() {
        return position;
    }

    String path() {
        return path;
    }

    String mediaType() {
        return mediaType;
    }

    long sizeBytes() {
        return sizeBytes;
    }

    String sha256() {
        return sha256;
    }

    String text() {
        return text;
    }

    List<Anchor> anchors() {
        return List.copyOf(anchors);
    }

    int tokenCount() {
        return tokenCount;
    }

    Instant createdAt() {
        return createdAt;
    }

    private static String required(String value, String what) {
        if (value == null || value.isBlank()) {
            throw new IllegalArgumentException("a document needs a " + what);
        }
        return value;
    }

    private byte[] requireBytes(NewDocument newDocument) {
        if (newDocument.originalBytes() == null) {
            throw new IllegalArgumentException(path + ": no original bytes");
        }
        return newDocument.originalBytes();
    }

    private String validText(NewDocument newDocument) {
        String value = newDocument.text();
        if (value == null) {
            throw new IllegalArgumentException(path + ": no text");
        }
        // PostgreSQL text cannot hold U+0000; extraction should have replaced it.
        if (value.indexOf('\0') >= 0) {
            throw new IllegalArgumentException(path + ": the text contains U+0000, which PostgreSQL cannot store");
        }
        return value;
    }

    private static String sha256Hex(byte[] bytes) {
        try {
            return HexFormat.of().formatHex(MessageDigest.getInstance("SHA-256").digest(bytes));
        } catch (NoSuchAlgorithmException e) {
            throw new IllegalStateException("every Java platform has SHA-256", e);
        }
    }
}
