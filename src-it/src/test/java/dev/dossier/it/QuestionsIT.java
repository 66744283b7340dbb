package dev.dossier.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.net.URL;
import java.nio.file.Path;
import java.time.Duration;
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

/** Questions over a whole document set: JSON and streamed answers, the prefix cache, capacity. */
@ExtendWith(EngineCondition.class)
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class QuestionsIT {

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
    void aSecondQuestionReusesTheSetsPrefixCache() throws Exception {
        String id = api.newSet("Stories");
        assertEquals(201, api.upload("/api/document-sets/" + id + "/documents", Files.text("stories.txt", Files.stories())).status());
        String conversation = api.newConversation(id, Map.of("title", "Lily"));
        String messages = "/api/document-sets/" + id + "/conversations/" + conversation + "/messages";

        JsonNode first = api.post(messages, Map.of("question", "Who is Lily?", "maxTokens", 16)).json();
        JsonNode second = api.post(messages, Map.of("question", "What did she see?", "maxTokens", 16)).json();
        JsonNode prefix = api.awaitPrefixCache(id, Duration.ofMinutes(2));
        int prefixTokens = prefix.get("tokenCount").asInt();
        assertTrue(prefixTokens > 4000, "the set's prompt has " + prefixTokens + " tokens");

        List<Path> cacheFiles = DataDirectory.cacheFilesOf(id);
        assertEquals(1, cacheFiles.size(), "one prefix cache file: " + cacheFiles);
        assertEquals(prefixTokens, DataDirectory.tokensIn(cacheFiles.getFirst()), "the file holds the whole set's prefix");
        assertEquals(1, Database.count("prefix_cache_entry", "set_id", id));

        JsonNode stats = second.get("answer").get("stats");
        assertTrue(stats.get("cachedPromptTokens").asInt() >= prefixTokens,
                "the second question reused " + stats.get("cachedPromptTokens") + " of " + stats.get("promptTokens") + " prompt tokens");
        System.out.printf("time to first token: first question %d ms, second %d ms (%d prompt tokens, %d cached)%n",
                first.get("answer").get("stats").get("timeToFirstTokenMillis").asLong(),
                stats.get("timeToFirstTokenMillis").asLong(), stats.get("promptTokens").asInt(), stats.get("cachedPromptTokens").asInt());

        JsonNode history = api.get("/api/document-sets/" + id + "/conversations/" + conversation).json().get("messages");
        assertEquals(List.of("user", "assistant", "user", "assistant"), Api.elements(history).map(m -> m.get("role").asText()).toList());
        assertEquals(4, Database.count("message", "conversation_id", conversation));

        // Deleting the set deletes everything it owns: rows and the prefix cache file.
        assertEquals(204, api.delete("/api/document-sets/" + id).status());
        assertFalse(java.nio.file.Files.exists(cacheFiles.getFirst()), "deleting the set deletes its prefix cache file");
        assertEquals(List.of(), DataDirectory.cacheFilesOf(id));
        assertEquals(0, Database.count("conversation", "set_id", id));
        assertEquals(0, Database.count("message", "conversation_id", conversation));
        assertEquals(0, Database.count("prefix_cache_entry", "set_id", id));
        assertEquals(0, Database.count("document", "set_id", id));
    }

    @Test
    void answersStreamAsServerSentEvents() throws Exception {
        String id = api.newSet("Streaming");
        api.upload("/api/document-sets/" + id + "/documents", Files.text("story.txt", "Once upon a time, there was a little girl named Lily.\n"));
        String conversation = api.newConversation(id, Map.of());
        Api.Reply reply = api.postForEvents("/api/document-sets/" + id + "/conversations/" + conversation + "/messages",
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
        assertEquals(2, Database.count("message", "conversation_id", conversation), "the streamed exchange is stored");
        api.delete("/api/document-sets/" + id);
    }

    @Test
    void aSetThatDoesNotFitIsRefusedWithTheNumbers() throws Exception {
        String id = api.newSet("Too big");
        // The test server's context holds 8,192 tokens; these stories need about 14,000.
        api.upload("/api/document-sets/" + id + "/documents", Files.text("a.txt", Files.stories()), Files.text("b.txt", Files.stories()),
                Files.text("c.txt", Files.stories()));
        JsonNode set = api.get("/api/document-sets/" + id).json();
        assertFalse(set.get("capacity").get("fits").asBoolean(), set.toString());
        String conversation = api.newConversation(id, Map.of());
        Api.Reply refused = api.post("/api/document-sets/" + id + "/conversations/" + conversation + "/messages", Map.of("question", "Why?"));
        assertEquals(422, refused.status(), refused.body());
        assertTrue(refused.json().get("tokens_needed").asInt() > refused.json().get("tokens_available").asInt());
        assertEquals(8192, refused.json().get("tokens_available").asInt());
        assertEquals(0, Database.count("message", "conversation_id", conversation), "a refused question leaves no message");
        api.delete("/api/document-sets/" + id);
    }
}
