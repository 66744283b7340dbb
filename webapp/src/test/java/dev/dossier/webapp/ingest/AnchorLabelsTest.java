package dev.dossier.webapp.ingest;

import dev.dossier.persistence.documents.Anchor;

import static dev.dossier.persistence.documents.Anchor.Kind.LINE;
import static dev.dossier.persistence.documents.Anchor.Kind.PAGE;
import static dev.dossier.persistence.documents.Anchor.Kind.PARAGRAPH;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import java.util.List;
import java.util.Optional;

import org.junit.jupiter.api.Test;

class AnchorLabelsTest {

    /** Pages 1 [0,10), 2 [10,20), 4 [20,30): page 3 was blank. */
    private static final List<Anchor> PAGES = List.of(
            new Anchor(PAGE, 1, 0, 10), new Anchor(PAGE, 2, 10, 20), new Anchor(PAGE, 4, 20, 30));

    @Test
    void labelsSingleAnchorsAndRangesOfEachKind() {
        assertEquals("p. 3", AnchorLabels.label(PAGE, 3, 3));
        assertEquals("pp. 3-4", AnchorLabels.label(PAGE, 3, 4));
        assertEquals("line 12", AnchorLabels.label(LINE, 12, 12));
        assertEquals("lines 10-14", AnchorLabels.label(LINE, 10, 14));
        assertEquals("¶ 7", AnchorLabels.label(PARAGRAPH, 7, 7));
        assertEquals("¶¶ 7-9", AnchorLabels.label(PARAGRAPH, 7, 9));
    }

    @Test
    void labelsACharacterRangeByTheAnchorsItTouches() {
        assertEquals(Optional.of("p. 1"), AnchorLabels.label(PAGES, 0, 10));
        assertEquals(Optional.of("p. 2"), AnchorLabels.label(PAGES, 12, 15));
        assertEquals(Optional.of("pp. 1-2"), AnchorLabels.label(PAGES, 9, 11));
        assertEquals(Optional.of("pp. 2-4"), AnchorLabels.label(PAGES, 15, 25));
        assertEquals(Optional.of("p. 4"), AnchorLabels.label(PAGES, 20, 20), "an empty range labels its position");
        assertEquals(Optional.empty(), AnchorLabels.label(PAGES, 30, 40));
    }

    @Test
    void anchorsForReturnsTheOverlappingAnchorsInOrder() {
        assertEquals(PAGES.subList(1, 3), AnchorLabels.anchorsFor(PAGES, 19, 21));
        assertEquals(List.of(PAGES.get(0)), AnchorLabels.anchorsFor(PAGES, 5, 10), "end is exclusive");
        assertEquals(PAGES, AnchorLabels.anchorsFor(PAGES, 0, 30));
        assertThrows(IllegalArgumentException.class, () -> AnchorLabels.anchorsFor(PAGES, 5, 4));
    }

    @Test
    void labelsTheLinesOfAnExtractedText() {
        ExtractedDocument document = new Ingestion().extract("a.txt", null, "one\ntwo\nthree\n".getBytes()).documents().getFirst();
        int start = document.text().indexOf("two");
        int end = document.text().indexOf("three") + 2;

        assertEquals(Optional.of("lines 2-3"), AnchorLabels.label(document.anchors(), start, end));
    }

    @Test
    void anchorsRejectEmptySpansAndZeroNumbers() {
        assertThrows(IllegalArgumentException.class, () -> new Anchor(LINE, 1, 5, 5));
        assertThrows(IllegalArgumentException.class, () -> new Anchor(LINE, 0, 0, 5));
    }
}
