package dev.dossier.webapp.ingest;

import dev.dossier.persistence.documents.Anchor;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.util.List;
import java.util.Map;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;

import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.encryption.AccessPermission;
import org.apache.pdfbox.pdmodel.encryption.StandardProtectionPolicy;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.poi.xwpf.usermodel.XWPFDocument;
import org.apache.poi.xwpf.usermodel.XWPFTable;

/** Builds test uploads with the same libraries the ingestion reads them with, and checks anchor invariants. */
final class Fixtures {

    private Fixtures() {
    }

    /** A PDF with one page per string, each line of a string on a line of its own; "" makes a blank page. */
    static byte[] pdf(String... pages) {
        return pdf(null, pages);
    }

    static byte[] passwordProtectedPdf(String userPassword, String... pages) {
        return pdf(userPassword, pages);
    }

    private static byte[] pdf(String userPassword, String... pages) {
        try (PDDocument document = new PDDocument()) {
            PDType1Font font = new PDType1Font(Standard14Fonts.FontName.HELVETICA);
            for (String pageText : pages) {
                PDPage page = new PDPage();
                document.addPage(page);
                if (pageText.isEmpty()) {
                    continue;
                }
                try (PDPageContentStream content = new PDPageContentStream(document, page)) {
                    content.beginText();
                    content.setFont(font, 12);
                    content.setLeading(16);
                    content.newLineAtOffset(72, 700);
                    for (String line : pageText.split("\n")) {
                        content.showText(line);
                        content.newLine();
                    }
                    content.endText();
                }
            }
            if (userPassword != null) {
                document.protect(new StandardProtectionPolicy("owner-" + userPassword, userPassword, new AccessPermission()));
            }
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            document.save(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A DOCX with one body paragraph per string ("" makes an empty paragraph), then a table of {@code cells}, then {@code after}. */
    static byte[] docx(List<String> paragraphs, List<List<String>> cells, List<String> after) {
        try (XWPFDocument document = new XWPFDocument()) {
            paragraphs.forEach(text -> document.createParagraph().createRun().setText(text));
            if (!cells.isEmpty()) {
                XWPFTable table = document.createTable(cells.size(), cells.getFirst().size());
                for (int row = 0; row < cells.size(); row++) {
                    for (int column = 0; column < cells.get(row).size(); column++) {
                        table.getRow(row).getCell(column).setText(cells.get(row).get(column));
                    }
                }
            }
            after.forEach(text -> document.createParagraph().createRun().setText(text));
            ByteArrayOutputStream out = new ByteArrayOutputStream();
            document.write(out);
            return out.toByteArray();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }

    /** A ZIP of the given entries in order; a name ending in "/" becomes a directory entry. */
    static byte[] zip(Map<String, byte[]> entries) {
        ByteArrayOutputStream out = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(out)) {
            for (Map.Entry<String, byte[]> entry : entries.entrySet()) {
                zip.putNextEntry(new ZipEntry(entry.getKey()));
                zip.write(entry.getValue());
                zip.closeEntry();
            }
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
        return out.toByteArray();
    }

    /** Anchors must be in order, non-empty, of one kind and cover every character exactly once. */
    static void assertPartition(ExtractedDocument document) {
        List<Anchor> anchors = document.anchors();
        assertFalse(anchors.isEmpty(), "a document has anchors");
        int expectedStart = 0;
        for (Anchor anchor : anchors) {
            assertEquals(expectedStart, anchor.start(), () -> "anchors leave no gap and do not overlap: " + anchor);
            assertEquals(anchors.getFirst().kind(), anchor.kind(), "one kind of anchor per document");
            expectedStart = anchor.end();
        }
        assertEquals(document.text().length(), expectedStart, "the last anchor ends the text");
    }

    /** The text an anchor covers. */
    static String textOf(ExtractedDocument document, Anchor anchor) {
        return document.text().substring(anchor.start(), anchor.end());
    }
}
