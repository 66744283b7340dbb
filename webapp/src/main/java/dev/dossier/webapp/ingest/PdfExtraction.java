package dev.dossier.webapp.ingest;

import dev.dossier.persistence.documents.Anchor;

import java.io.IOException;

import org.apache.pdfbox.Loader;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.encryption.InvalidPasswordException;
import org.apache.pdfbox.text.PDFTextStripper;

/**
 * Reads a PDF's text layer page by page, one PAGE anchor per page. Anchor numbers are the real
 * page numbers, so citations match the printed document; pages without text (blank, or scanned
 * images) get no anchor. A PDF with no text at all is refused: Dossier does no OCR.
 */
final class PdfExtraction {

    static final String NO_TEXT = "no extractable text (scanned PDF?)";

    private PdfExtraction() {
    }

    static AnchoredText extract(String path, byte[] bytes) {
        AnchoredText.Builder pages = readPages(path, bytes);
        if (pages.isEmpty()) {
            throw new UnsupportedDocumentException(path, NO_TEXT);
        }
        return pages.build();
    }

    private static AnchoredText.Builder readPages(String path, byte[] bytes) {
        try (PDDocument pdf = Loader.loadPDF(bytes)) {
            PDFTextStripper stripper = new PDFTextStripper();
            stripper.setLineSeparator("\n");
            AnchoredText.Builder pages = new AnchoredText.Builder(Anchor.Kind.PAGE);
            for (int page = 1; page <= pdf.getNumberOfPages(); page++) {
                stripper.setStartPage(page);
                stripper.setEndPage(page);
                String pageText = AnchoredText.normaliseLineEndings(stripper.getText(pdf));
                if (!pageText.isBlank()) {
                    // each page starts on a line of its own
                    pages.append(page, pageText.endsWith("\n") ? pageText : pageText + "\n");
                }
            }
            return pages;
        } catch (InvalidPasswordException encrypted) {
            throw new CorruptDocumentException(path, "not a readable PDF: it is protected by a password", encrypted);
        } catch (IOException | RuntimeException unreadable) {
            // PDFBox reports damage as IOException and, for some malformed structures, as runtime exceptions
            throw new CorruptDocumentException(path, "not a readable PDF: " + unreadable.getMessage(), unreadable);
        }
    }
}
