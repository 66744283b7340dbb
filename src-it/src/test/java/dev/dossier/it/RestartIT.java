package dev.dossier.it;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import org.jboss.arquillian.container.test.api.ContainerController;
import org.jboss.arquillian.container.test.api.Deployment;
import org.jboss.arquillian.container.test.api.RunAsClient;
import org.jboss.arquillian.container.test.api.TargetsContainer;
import org.jboss.arquillian.junit5.ArquillianExtension;
import org.jboss.arquillian.test.api.ArquillianResource;
import org.jboss.shrinkwrap.api.spec.WebArchive;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A restart of the server (a new JVM) loses nothing: document sets, conversations and the prefix
 * cache, which the first question after the restart reads back from its file instead of
 * prefilling the set again. The container is in manual mode (arquillian.xml, {@code liberty-restart}):
 * the test starts and stops it, and Arquillian deploys the WAR when it starts.
 */
@ExtendWith(EngineCondition.class)
@ExtendWith(ArquillianExtension.class)
@RunAsClient
class RestartIT {
    private static final String CONTAINER = "liberty-restart";

    @Deployment(name = "dossier", testable = false)
    @TargetsContainer(CONTAINER)
    static WebArchive dossier() {
        return Deployments.dossier();
    }

    @ArquillianResource
    ContainerController controller;

    private final Api api = Api.ofConfiguredServer();

    @Test
    void documentSetsConversationsAndThePrefixCacheSurviveARestart() throws Exception {
        controller.start(CONTAINER);
        String id = api.newSet("Kept");
        assertEquals(201, api.upload("/api/document-sets/" + id + "/documents", Files.text("stories.txt", Files.stories()),
                Files.pdf("terms.pdf", "Either party may terminate.")).status());
        String conversation = api.newConversation(id, Map.of("title", "Before the restart"));
        String messages = "/api/document-sets/" + id + "/conversations/" + conversation + "/messages";
        JsonNode before = api.post(messages, Map.of("question", "Who is Lily?", "maxTokens", 8)).json();
        JsonNode prefix = api.awaitPrefixCache(id, Duration.ofMinutes(2));
        List<Path> cacheFiles = DataDirectory.cacheFilesOf(id);
        assertEquals(1, cacheFiles.size(), cacheFiles.toString());
        int cachedTokens = DataDirectory.tokensIn(cacheFiles.getFirst());
        assertEquals(prefix.get("tokenCount").asInt(), cachedTokens);
        JsonNode setBefore = api.get("/api/document-sets/" + id).json();

        controller.stop(CONTAINER);
        assertFalse(controller.isStarted(CONTAINER));
        assertFalse(api.answers(), "the server is down");
        controller.start(CONTAINER);

        JsonNode setAfter = api.get("/api/document-sets/" + id).json();
        assertEquals(setBefore.get("name"), setAfter.get("name"));
        assertEquals(setBefore.get("documentCount"), setAfter.get("documentCount"));
        assertEquals(setBefore.get("contentVersion"), setAfter.get("contentVersion"));
        assertEquals(List.of("stories.txt", "terms.pdf"),
                Api.elements(api.get("/api/document-sets/" + id + "/documents").json()).map(d -> d.get("path").asText()).toList());
        JsonNode history = api.get("/api/document-sets/" + id + "/conversations/" + conversation).json();
        assertEquals("Before the restart", history.get("title").asText());
        assertEquals(List.of("user", "assistant"), Api.elements(history.get("messages")).map(m -> m.get("role").asText()).toList());
        assertEquals(before.get("answer").get("text").asText(), history.get("messages").get(1).get("text").asText());
        JsonNode prefixAfter = api.get("/api/document-sets/" + id + "/prefix-cache").json();
        assertEquals("ready", prefixAfter.get("status").asText(), prefixAfter.toString());

        // The first question after the restart continues from the file, not from a new prefill.
        JsonNode after = api.post(messages, Map.of("question", "What did she see?", "maxTokens", 8)).json();
        JsonNode stats = after.get("answer").get("stats");
        assertTrue(stats.get("cachedPromptTokens").asInt() >= cachedTokens,
                "after the restart the first question reused " + stats.get("cachedPromptTokens") + " of " + stats.get("promptTokens")
                        + " prompt tokens; the cache file holds " + cachedTokens);
        System.out.printf("after restart: time to first token %d ms, %d of %d prompt tokens from the cache file%n",
                stats.get("timeToFirstTokenMillis").asLong(), stats.get("cachedPromptTokens").asInt(), stats.get("promptTokens").asInt());

        assertEquals(204, api.delete("/api/document-sets/" + id).status());
        assertEquals(List.of(), DataDirectory.cacheFilesOf(id));
        assertEquals(0, Database.count("document_set", "id", id));
    }

    @AfterEach
    void stop() {
        if (controller.isStarted(CONTAINER)) {
            controller.stop(CONTAINER);
        }
    }
}
