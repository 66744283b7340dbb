package dev.dossier.webapp.ingest;

import dev.dossier.persistence.documents.Anchor;

import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;

import org.apache.poi.xwpf.usermodel.IBodyElement;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.apache.poi.xwpf.usermodel.XWPFParagraph;
import org.apache.poi.xwpf.usermodel.XWPFTable;
import org.apache.poi.xwpf.usermodel.XWPFTableCell;
import org.apache.poi.xwpf.usermodel.XWPFTableRow;

/**
 * Reads a Word document's body as PARAGRAPH anchors: one per non-blank paragraph, numbered
 * 1..n in document order. Paragraphs inside table cells count too, row by row and cell by cell,
 * where they appear in the body. Headers, footers, footnotes and comments are left out.
 * Paragraphs are separated by a blank line; each separator belongs to the paragraph before it.
 */
final class DocxExtraction {

    private DocxExtraction() {
    }

    static AnchoredText extract(String path, byte[] bytes) {
        List<String> paragraphs = readParagraphs(path, bytes);
        if (paragraphs.isEmpty()) {
            throw new UnsupportedDocumentException(path, "no text (the document is empty)");
        }
        AnchoredText.Builder text = new AnchoredText.Builder(Anchor.Kind.PARAGRAPH);
        for (int i = 0; i < paragraphs.size(); i++) {
            boolean last = i == paragraphs.size() - 1;
            text.append(i + 1, paragraphs.get(i) + (last ? "\n" : "\n\n"));
        }
        return text.build();
    }

    private static List<String> readParagraphs(String path, byte[] bytes) {
        try (XWPFDocument document = new XWPFDocument(new ByteArrayInputStream(bytes))) {
            List<String> paragraphs = new ArrayList<>();
            collectParagraphs(document.getBodyElements(), paragraphs);
            return paragraphs;
        } catch (IOException | RuntimeException unreadable) {
            // POI reports a damaged package as IOException or as one of several runtime exceptions
            throw new CorruptDocumentException(path, "not a readable Word document: " + unreadable.getMessage(), unreadable);
        }
    }

    private static void collectParagraphs(List<IBodyElement> elements, List<String> paragraphs) {
        for (IBodyElement element : elements) {
            switch (element) {
                case XWPFParagraph paragraph -> {
                    String text = AnchoredText.normaliseLineEndings(paragraph.getText());
                    if (!text.isBlank()) {
                        paragraphs.add(text);
                    }
                }
                case XWPFTable table -> {
                    for (XWPFTableRow row : table.getRows()) {
                        for (XWPFTableCell cell : row.getTableCells()) {
                            collectParagraphs(cell.getBodyElements(), paragraphs);
                        }
                    }
                }
                default -> {
                    // content controls and other rare elements are not read
                }
            }
        }
    }
}
