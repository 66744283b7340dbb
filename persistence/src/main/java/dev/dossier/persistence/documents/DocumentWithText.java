package dev.dossier.persistence.documents;

import java.util.List;

/** A document with its extracted text and the anchors that point into it. */
public record DocumentWithText(DocumentView document, String text, List<Anchor> anchors) {
}
