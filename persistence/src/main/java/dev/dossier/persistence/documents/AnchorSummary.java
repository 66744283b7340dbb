package dev.dossier.persistence.documents;

/** How a document is divided for citing: its anchors' kind and how many there are (pages, lines or paragraphs). */
public record AnchorSummary(Anchor.Kind kind, int count) {
}
