package dev.dossier.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URL;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/** Document sets and uploads over HTTP, against the deployed WAR, real PostgreSQL and the real model. */
@ExtendWith(EngineCondition.class)
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class DocumentSetsIT {

    @Deployment(testable = false)
    static WebArchive dossier() {
        return Deployments.dossier();
    }

    @ArquillianResource
    URL url;

    private Api api;

    @BeforeEach
    void client() {
        api = new Api(url);
    }

    @Test
    void createListRenameAndDelete() {
        String id = api.newSet("Contracts 2026");
        assertTrue(Api.elements(api.get("/api/document-sets").json()).anyMatch(s -> s.get("id").asText().equals(id)));
        assertEquals(1, Database.count("document_set", "id", id));

        Api.Reply renamed = api.patch("/api/document-sets/" + id, Map.of("name", "Contracts 2027"));
        assertEquals(200, renamed.status(), renamed.body());
        assertEquals("Contracts 2027", api.get("/api/document-sets/" + id).json().get("name").asText());

        assertEquals(204, api.delete("/api/document-sets/" + id).status());
        assertEquals(404, api.get("/api/document-sets/" + id).status());
        assertEquals(0, Database.count("document_set", "id", id));
    }

    @Test
    void everySupportedTypeIsExtractedWithItsAnchorsAndCanBeRemoved() throws Exception {
        String id = api.newSet("Mixed");
        String documents = "/api/document-sets/" + id + "/documents";
        Api.Reply upload = api.upload(documents,
                Files.text("notes.md", "# Notes\nThe term is two years.\n"),
                Files.pdf("msa.pdf", "Master services agreement.", "Either party may terminate."),
                Files.docx("nda.docx", "Confidential information stays secret.", "Governing law: Germany."),
                Files.text("Util.java", "class Util {\n}\n"),
                Files.codebase("app.zip"));
        assertEquals(201, upload.status(), upload.body());
        JsonNode result = upload.json();
        assertEquals(List.of("notes.md", "msa.pdf", "nda.docx", "Util.java", "app/src/Main.java", "app/README.md"),
                Api.elements(result.get("documents")).map(d -> d.get("path").asText()).toList());
        assertEquals(List.of("app/node_modules/lib/index.js", "app/logo.png"),
                Api.elements(result.get("skipped")).map(s -> s.get("path").asText()).toList());
        assertEquals(6, result.get("documentSet").get("documentCount").asInt());
        assertTrue(result.get("documentSet").get("totalTokens").asInt() > 0);
        assertEquals(6, Database.count("document", "set_id", id));

        JsonNode pdf = document(result, "msa.pdf");
        JsonNode full = api.get(documents + "/" + pdf.get("id").asText()).json();
        assertTrue(full.get("text").asText().contains("Either party may terminate."));
        assertEquals(List.of("PAGE", "PAGE"), Api.elements(full.get("anchors")).map(a -> a.get("kind").asText()).toList());

        JsonNode docx = document(result, "nda.docx");
        assertEquals("paragraph", docx.get("anchorKind").asText());
        assertEquals(2, docx.get("anchorCount").asInt());

        JsonNode code = document(result, "Util.java");
        JsonNode codeText = api.get(documents + "/" + code.get("id").asText()).json();
        assertTrue(Api.elements(codeText.get("anchors")).allMatch(a -> a.get("kind").asText().equals("LINE")), codeText.toString());

        byte[] stored = api.bytes(documents + "/" + pdf.get("id").asText() + "/content");
        assertEquals("%PDF-", new String(stored, 0, 5));
        assertEquals(pdf.get("sizeBytes").asInt(), stored.length);

        // Removing one document leaves the others.
        String removed = docx.get("id").asText();
        Api.Reply removal = api.delete(documents + "/" + removed);
        assertEquals(200, removal.status(), removal.body());
        assertEquals(5, removal.json().get("documentCount").asInt(), "the set as it is now");
        assertEquals(404, api.get(documents + "/" + removed).status());
        assertEquals(0, Database.count("document", "id", removed));
        assertEquals(5, api.get(documents).json().size());

        assertEquals(204, api.delete("/api/document-sets/" + id).status());
        assertEquals(0, Database.count("document", "set_id", id));
    }

    @Test
    void unsupportedCorruptAndOversizedUploadsAreRefusedAndLeaveNothingBehind() throws Exception {
        String id = api.newSet("Refusals");
        String documents = "/api/document-sets/" + id + "/documents";

        Api.Reply binary = api.upload(documents, Files.text("notes.txt", "fine\n"),
                new Api.FilePart("tool.exe", "application/octet-stream", new byte[] {'M', 'Z', 0, 0, 1, 2, 3}));
        assertEquals(415, binary.status(), binary.body());
        assertEquals("application/problem+json", binary.contentType());
        assertTrue(binary.json().get("detail").asText().contains("tool.exe"));

        byte[] pdf = Files.pdf("broken.pdf", "text").bytes();
        Api.Reply corrupt = api.upload(documents, Files.text("fine.md", "# fine\n"),
                new Api.FilePart("broken.pdf", "application/pdf", Arrays.copyOf(pdf, pdf.length / 3)));
        assertEquals(422, corrupt.status(), corrupt.body());
        assertEquals("application/problem+json", corrupt.contentType());

        Api.Reply tooLarge = api.upload(documents, Files.text("huge.txt", "x".repeat(3_000_000)));
        assertEquals(413, tooLarge.status(), tooLarge.body());
        assertEquals(413, tooLarge.json().get("status").asInt());

        // All files of an upload are stored or none: nothing in the database, nothing on disk.
        assertEquals(0, api.get(documents).json().size());
        assertEquals(0, Database.count("document", "set_id", id));
        assertEquals(0, Database.count("prefix_cache_entry", "set_id", id));
        assertEquals(List.of(), DataDirectory.cacheFilesOf(id), "no prefix cache was computed for refused uploads");
        assertEquals(1, api.get("/api/document-sets/" + id).json().get("contentVersion").asInt(), "no version was spent");
        api.delete("/api/document-sets/" + id);
    }

    @Test
    void unknownThingsAreNotFoundAsProblems() {
        String unknown = "6f1c1b9e-0000-4000-8000-000000000000";
        Api.Reply missing = api.get("/api/document-sets/" + unknown);
        assertEquals(404, missing.status());
        assertEquals("application/problem+json", missing.contentType());
        assertEquals(404, missing.json().get("status").asInt());
        assertEquals(404, api.delete("/api/document-sets/" + unknown).status());
        assertEquals(400, api.post("/api/document-sets", Map.of("name", " ")).status());

        String id = api.newSet("Lookups");
        assertEquals(404, api.get("/api/document-sets/" + id + "/documents/" + unknown).status());
        assertEquals(404, api.get("/api/document-sets/" + id + "/conversations/" + unknown).status());
        assertEquals(404, api.upload("/api/document-sets/" + unknown + "/documents", Files.text("a.txt", "a\n")).status());
        api.delete("/api/document-sets/" + id);
    }

    private static JsonNode document(JsonNode upload, String path) {
        return Api.elements(upload.get("documents")).filter(d -> d.get("path").asText().equals(path)).findFirst().orElseThrow();
    }
}
