package dev.dossier.webapp.prompt;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.persistence.documents.Anchor;
import dev.dossier.persistence.documents.Anchor.Kind;
import java.util.List;
import org.junit.jupiter.api.Test;

class DocumentPromptTest {

    @Test
    void everyDocumentAppearsInOrderWithItsAnchorMarkers() {
        String code = "class A {\n}\n";
        String contract = "Page one.\nPage two.\n";
        String prompt = DocumentPrompt.render(List.of(
                new DocumentPrompt.Source("src/A.java", "text/x-java", code,
                        List.of(new Anchor(Kind.LINE, 1, 0, 10), new Anchor(Kind.LINE, 2, 10, 12))),
                new DocumentPrompt.Source("msa.pdf", "application/pdf", contract,
                        List.of(new Anchor(Kind.PAGE, 1, 0, 10), new Anchor(Kind.PAGE, 2, 10, 20)))));
        assertTrue(prompt.startsWith(DocumentPrompt.INSTRUCTIONS));
        String documents = prompt.substring(DocumentPrompt.INSTRUCTIONS.length());
        assertEquals("""


                <document 1: src/A.java (text/x-java)>
                1| class A {
                2| }
                </document 1>

                <document 2: msa.pdf (application/pdf)>
                [p. 1]
                Page one.
                [p. 2]
                Page two.
                </document 2>

                """, documents);
    }

    @Test
    void paragraphsAreMarkedAndTextWithoutAnchorsIsKept() {
        String prompt = DocumentPrompt.render(List.of(
                new DocumentPrompt.Source("terms.docx", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
                        "First.\n\nSecond.", List.of(new Anchor(Kind.PARAGRAPH, 1, 0, 8), new Anchor(Kind.PARAGRAPH, 2, 8, 15))),
                new DocumentPrompt.Source("notes.txt", "text/plain", "no anchors", List.of())));
        assertTrue(prompt.contains("[¶ 1] First.\n\n[¶ 2] Second.\n</document 1>"), prompt);
        assertTrue(prompt.contains("no anchors\n</document 2>"), prompt);
    }

    @Test
    void renderingIsDeterministic() {
        List<DocumentPrompt.Source> set = List.of(new DocumentPrompt.Source("a.txt", "text/plain", "x\n", List.of(new Anchor(Kind.LINE, 1, 0, 2))));
        assertEquals(DocumentPrompt.render(set), DocumentPrompt.render(set));
    }
}
