package dev.dossier.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dossier.runtime.Fixtures;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;

class PerplexityCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    private static String goldenFile() {
        return Fixtures.shared().resolve(Path.of("models", "stories260K.greedy256.txt")).toString();
    }

    @Test
    void jsonReportsAFinitePerplexityWithTheDcaSettings() throws Exception {
        Cli.Result result = Cli.run("perplexity", "--model", Cli.model(), "--file", goldenFile(), "--tokens", "200", "--json");
        assertEquals(0, result.exitCode(), result.err());
        JsonNode json = JSON.readTree(result.lastOutLine());
        double perplexity = json.get("perplexity").asDouble();
        assertTrue(Double.isFinite(perplexity) && perplexity > 1, "perplexity " + perplexity);
        assertEquals(200, json.get("tokens").asInt());
        assertEquals("dca", json.get("attention").asText());
        assertEquals(384, json.get("chunk_size").asInt());
        assertEquals(64, json.get("local_window").asInt());
        assertTrue(json.get("seconds").asDouble() >= 0);
    }

    @Test
    void ropeHasNoChunkSettings() throws Exception {
        Cli.Result result = Cli.run("perplexity", "--model", Cli.model(), "--file", goldenFile(), "--tokens", "50",
                "--attention", "rope", "--json");
        assertEquals(0, result.exitCode(), result.err());
        JsonNode json = JSON.readTree(result.lastOutLine());
        assertEquals("rope", json.get("attention").asText());
        assertTrue(json.get("chunk_size").isNull() && json.get("local_window").isNull(), json.toString());
    }

    @Test
    void plainOutputNamesEachValue() {
        Cli.Result result = Cli.run("perplexity", "--model", Cli.model(), "--file", goldenFile(), "--tokens", "50");
        assertEquals(0, result.exitCode(), result.err());
        for (String label : new String[] {"perplexity", "tokens        50", "attention     dca", "chunk size    384",
                "local window  64", "time", "speed"}) {
            assertTrue(result.out().contains(label), result.out());
        }
    }
}
