package dev.dossier.webapp.it;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Document sets and uploads over HTTP, against the real server, database and model. */
class DocumentSetsIT {

    @Test
    void createListRenameAndDelete() {
        String id = Api.newSet("Contracts 2026");
        assertTrue(Api.elements(Api.get("/api/document-sets").json()).anyMatch(s -> s.get("id").asText().equals(id)));

        Api.Reply renamed = Api.patch("/api/document-sets/" + id, Map.of("name", "Contracts 2027"));
        assertEquals(200, renamed.status());
        assertEquals("Contracts 2027", Api.get("/api/document-sets/" + id).json().get("name").asText());

        assertEquals(204, Api.delete("/api/document-sets/" + id).status());
        assertEquals(404, Api.get("/api/document-sets/" + id).status());
        assertEquals(0, Database.count("document_set", "id", id));
    }

    @Test
    void everySupportedTypeIsExtractedWithItsAnchors() throws Exception {
        String id = Api.newSet("Mixed");
        Api.Reply upload = Api.upload("/api/document-sets/" + id + "/documents",
                Files.text("notes.md", "# Notes\nThe term is two years.\n"),
                Files.pdf("msa.pdf", "Master services agreement.", "Either party may terminate."),
                Files.docx("nda.docx", "Confidential information stays secret.", "Governing law: Germany."),
                Files.text("Util.java", "class Util {\n}\n"),
                Files.codebase("app.zip"));
        assertEquals(201, upload.status(), upload.body());
        JsonNode result = upload.json();
        List<String> paths = Api.elements(result.get("documents")).map(d -> d.get("path").asText()).toList();
        assertEquals(List.of("notes.md", "msa.pdf", "nda.docx", "Util.java", "app/src/Main.java", "app/README.md"), paths);
        assertEquals(List.of("app/node_modules/lib/index.js", "app/logo.png"),
                Api.elements(result.get("skipped")).map(s -> s.get("path").asText()).toList());
        assertEquals(6, result.get("documentSet").get("documentCount").asInt());
        assertTrue(result.get("documentSet").get("totalTokens").asInt() > 0);

        JsonNode pdf = Api.elements(result.get("documents")).filter(d -> d.get("path").asText().equals("msa.pdf")).findFirst().orElseThrow();
        JsonNode full = Api.get("/api/document-sets/" + id + "/documents/" + pdf.get("id").asText()).json();
        assertTrue(full.get("text").asText().contains("Either party may terminate."));
        assertEquals(List.of("PAGE", "PAGE"), Api.elements(full.get("anchors")).map(a -> a.get("kind").asText()).toList());

        JsonNode docx = Api.elements(result.get("documents")).filter(d -> d.get("path").asText().equals("nda.docx")).findFirst().orElseThrow();
        assertEquals("paragraph", docx.get("anchorKind").asText());
        assertEquals(2, docx.get("anchorCount").asInt());

        byte[] original = Files.pdf("msa.pdf", "Master services agreement.", "Either party may terminate.").bytes();
        byte[] stored = Api.bytes("/api/document-sets/" + id + "/documents/" + pdf.get("id").asText() + "/content");
        assertEquals(new String(original, 0, 5), new String(stored, 0, 5));
        assertEquals(pdf.get("sizeBytes").asInt(), stored.length);

        Api.delete("/api/document-sets/" + id);
    }

    @Test
    void unsupportedCorruptAndOversizedUploadsAreRefusedAndStoreNothing() throws Exception {
        String id = Api.newSet("Refusals");
        String documents = "/api/document-sets/" + id + "/documents";

        Api.Reply binary = Api.upload(documents, Files.text("notes.txt", "fine\n"),
                new Api.FilePart("tool.exe", "application/octet-stream", new byte[] {'M', 'Z', 0, 0, 1, 2, 3}));
        assertEquals(415, binary.status(), binary.body());
        assertEquals("application/problem+json", binary.contentType());
        assertTrue(binary.json().get("detail").asText().contains("tool.exe"));

        byte[] pdf = Files.pdf("broken.pdf", "text").bytes();
        Api.Reply corrupt = Api.upload(documents, new Api.FilePart("broken.pdf", "application/pdf", java.util.Arrays.copyOf(pdf, pdf.length / 3)));
        assertEquals(422, corrupt.status(), corrupt.body());

        Api.Reply tooLarge = Api.upload(documents, Files.text("huge.txt", "x".repeat(3_000_000)));
        assertEquals(413, tooLarge.status(), tooLarge.body());

        assertEquals(0, Api.get(documents).json().size());
        assertEquals(0, Database.count("document", "set_id", id));
        assertEquals(1, Api.get("/api/document-sets/" + id).json().get("contentVersion").asInt(), "no version was spent");
        Api.delete("/api/document-sets/" + id);
    }

    @Test
    void unknownThingsAreNotFoundAsProblems() {
        Api.Reply missing = Api.get("/api/document-sets/6f1c1b9e-0000-4000-8000-000000000000");
        assertEquals(404, missing.status());
        assertEquals("application/problem+json", missing.contentType());
        assertEquals(404, missing.json().get("status").asInt());
        assertEquals(400, Api.post("/api/document-sets", Map.of("name", " ")).status());
        assertEquals(404, Api.get("/api/document-sets/" + Api.newSet("x") + "/documents/6f1c1b9e-0000-4000-8000-000000000000").status());
    }

    static void assertSameBytes(byte[] expected, byte[] actual) {
        assertArrayEquals(expected, actual);
    }
}
