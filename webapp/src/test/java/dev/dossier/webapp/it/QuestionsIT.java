package dev.dossier.webapp.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.Test;

/** Questions over a whole document set: JSON and streamed answers, the prefix cache, capacity. */
class QuestionsIT {
    /** About 4,800 tokens of the model's own kind of text (stories260K has a 512-token training context). */
    static String stories() throws Exception {
        String golden = java.nio.file.Files.readString(Path.of(System.getProperty("dossier.shared"), "models/stories260K.greedy256.txt"));
        return (golden + "\n").repeat(16);
    }

    @Test
    void aSecondQuestionReusesTheSetsPrefixCache() throws Exception {
        String id = Api.newSet("Stories");
        assertEquals(201, Api.upload("/api/document-sets/" + id + "/documents", Files.text("stories.txt", stories())).status());
        String conversation = Api.post("/api/document-sets/" + id + "/conversations", Map.of("title", "Lily")).json().get("id").asText();
        String messages = "/api/document-sets/" + id + "/conversations/" + conversation + "/messages";

        JsonNode first = Api.post(messages, Map.of("question", "Who is Lily?", "maxTokens", 16)).json();
        JsonNode second = Api.post(messages, Map.of("question", "What did she see?", "maxTokens", 16)).json();
        JsonNode prefix = Api.get("/api/document-sets/" + id + "/prefix-cache").json();
        assertEquals("ready", prefix.get("status").asText(), prefix.toString());
        int prefixTokens = prefix.get("tokenCount").asInt();
        assertTrue(prefixTokens > 4000, "the set's prompt has " + prefixTokens + " tokens");
        JsonNode stats = second.get("answer").get("stats");
        assertTrue(stats.get("cachedPromptTokens").asInt() >= prefixTokens,
                "the second question reused " + stats.get("cachedPromptTokens") + " of " + stats.get("promptTokens") + " prompt tokens");
        System.out.printf("time to first token: first question %d ms, second %d ms (%d prompt tokens, %d cached)%n",
                first.get("answer").get("stats").get("timeToFirstTokenMillis").asLong(),
                stats.get("timeToFirstTokenMillis").asLong(), stats.get("promptTokens").asInt(), stats.get("cachedPromptTokens").asInt());

        JsonNode history = Api.get("/api/document-sets/" + id + "/conversations/" + conversation).json().get("messages");
        assertEquals(List.of("user", "assistant", "user", "assistant"), Api.elements(history).map(m -> m.get("role").asText()).toList());

        Path cacheFile = Path.of(prefix.get("fileSizeBytes").isNull() ? "" : cacheFileOf(id));
        assertTrue(java.nio.file.Files.exists(cacheFile), "prefix cache file " + cacheFile);
        assertEquals(204, Api.delete("/api/document-sets/" + id).status());
        assertFalse(java.nio.file.Files.exists(cacheFile), "deleting the set deletes its prefix cache file");
        assertEquals(0, Database.count("conversation", "set_id", id));
        assertEquals(0, Database.count("prefix_cache_entry", "set_id", id));
    }

    @Test
    void answersStreamAsServerSentEvents() throws Exception {
        String id = Api.newSet("Streaming");
        Api.upload("/api/document-sets/" + id + "/documents", Files.text("story.txt", "Once upon a time, there was a little girl named Lily.\n"));
        String conversation = Api.post("/api/document-sets/" + id + "/conversations", Map.of()).json().get("id").asText();
        Api.Reply reply = Api.postForEvents("/api/document-sets/" + id + "/conversations/" + conversation + "/messages",
                Map.of("question", "Tell me more.", "maxTokens", 12));
        assertEquals(200, reply.status());
        assertTrue(reply.contentType().startsWith("text/event-stream"), reply.contentType());
        List<String[]> events = Api.events(reply.body());
        List<String[]> tokens = events.stream().filter(e -> e[0].equals("token")).toList();
        assertTrue(tokens.size() > 1, "the answer arrives in pieces: " + reply.body());
        String[] done = events.getLast();
        assertEquals("done", done[0]);
        StringBuilder streamed = new StringBuilder();
        for (String[] token : tokens) {
            streamed.append(Api.JSON.readTree(token[1]).get("text").asText());
        }
        JsonNode answer = Api.JSON.readTree(done[1]).get("answer");
        assertEquals(answer.get("text").asText(), streamed.toString());
        assertEquals(12, answer.get("stats").get("completionTokens").asInt());
        assertEquals("length", answer.get("stats").get("finishReason").asText());
        Api.delete("/api/document-sets/" + id);
    }

    @Test
    void aSetThatDoesNotFitIsRefusedWithTheNumbers() throws Exception {
        String id = Api.newSet("Too big");
        // The test server's context holds 8,192 tokens; these stories need about 16,000.
        Api.upload("/api/document-sets/" + id + "/documents", Files.text("a.txt", stories()), Files.text("b.txt", stories()),
                Files.text("c.txt", stories()));
        JsonNode set = Api.get("/api/document-sets/" + id).json();
        assertFalse(set.get("capacity").get("fits").asBoolean(), set.toString());
        String conversation = Api.post("/api/document-sets/" + id + "/conversations", Map.of()).json().get("id").asText();
        Api.Reply refused = Api.post("/api/document-sets/" + id + "/conversations/" + conversation + "/messages", Map.of("question", "Why?"));
        assertEquals(422, refused.status(), refused.body());
        assertTrue(refused.json().get("tokens_needed").asInt() > refused.json().get("tokens_available").asInt());
        assertEquals(8192, refused.json().get("tokens_available").asInt());
        assertEquals(0, Database.count("message", "conversation_id", conversation), "a refused question leaves no message");
        Api.delete("/api/document-sets/" + id);
    }

    private static String cacheFileOf(String setId) throws Exception {
        Path directory = Path.of(System.getProperty("dossier.it.data-dir"), "prefix-cache");
        try (var files = java.nio.file.Files.list(directory)) {
            return files.filter(f -> f.getFileName().toString().startsWith(setId)).findFirst().orElseThrow().toString();
        }
    }
}
