package dev.dossier.it;

import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.zip.ZipEntry;
import java.util.zip.ZipOutputStream;
import org.apache.pdfbox.pdmodel.PDDocument;
import org.apache.pdfbox.pdmodel.PDPage;
import org.apache.pdfbox.pdmodel.PDPageContentStream;
import org.apache.pdfbox.pdmodel.font.PDType1Font;
import org.apache.pdfbox.pdmodel.font.Standard14Fonts;
import org.apache.poi.xwpf.usermodel.XWPFDocument;

/** Upload fixtures, made with the same libraries a user's tools would use. */
final class Files {
    private Files() {
    }

    static Api.FilePart text(String name, String content) {
        return new Api.FilePart(name, "text/plain", content.getBytes(StandardCharsets.UTF_8));
    }

    static Api.FilePart pdf(String name, String... pages) throws IOException {
        try (PDDocument document = new PDDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            for (String text : pages) {
                PDPage page = new PDPage();
                document.addPage(page);
                try (PDPageContentStream content = new PDPageContentStream(document, page)) {
                    content.beginText();
                    content.setFont(new PDType1Font(Standard14Fonts.FontName.HELVETICA), 12);
                    content.newLineAtOffset(72, 700);
                    content.showText(text);
                    content.endText();
                }
            }
            document.save(out);
            return new Api.FilePart(name, "application/pdf", out.toByteArray());
        }
    }

    static Api.FilePart docx(String name, String... paragraphs) throws IOException {
        try (XWPFDocument document = new XWPFDocument(); ByteArrayOutputStream out = new ByteArrayOutputStream()) {
            for (String paragraph : paragraphs) {
                document.createParagraph().createRun().setText(paragraph);
            }
            document.write(out);
            return new Api.FilePart(name, "application/vnd.openxmlformats-officedocument.wordprocessingml.document", out.toByteArray());
        }
    }

    /** A small codebase: sources, a vendored folder and a binary, the last two to be skipped. */
    static Api.FilePart codebase(String name) throws IOException {
        ByteArrayOutputStream bytes = new ByteArrayOutputStream();
        try (ZipOutputStream zip = new ZipOutputStream(bytes)) {
            entry(zip, "app/src/Main.java", """
                    public class Main {
                        public static void main(String[] args) {
                            System.out.println("hi");
                        }
                    }
                    """);
            entry(zip, "app/README.md", "# App\nPrints hi.\n");
            entry(zip, "app/node_modules/lib/index.js", "module.exports = 1;\n");
            zip.putNextEntry(new ZipEntry("app/logo.png"));
            zip.write(new byte[] {(byte) 0x89, 'P', 'N', 'G', 0, 0, 0, 13, 0, 1, 2});
            zip.closeEntry();
        }
        return new Api.FilePart(name, "application/zip", bytes.toByteArray());
    }

    /** About 4,800 tokens of the model's own kind of text (stories260K was trained on 512-token windows). */
    static String stories() throws IOException {
        String golden = java.nio.file.Files.readString(Path.of(System.getProperty("dossier.shared"), "models/stories260K.greedy256.txt"));
        return (golden + "\n").repeat(16);
    }

    private static void entry(ZipOutputStream zip, String path, String content) throws IOException {
        zip.putNextEntry(new ZipEntry(path));
        zip.write(content.getBytes(StandardCharsets.UTF_8));
        zip.closeEntry();
    }
}
