package dev.dossier.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class CompareEnginesCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void onnxAgreesWithJavaInEveryCaseAndSaysSoPerCase() throws Exception {
        Cli.Result result = Cli.run("compare-engines", "--model", Cli.model(), "--chunk-size", "48", "--local-window", "16",
                "--greedy-tokens", "8", "--json");
        assertEquals(0, result.exitCode(), result.err());
        List<JsonNode> rows = new ArrayList<>();
        for (String line : result.out().strip().split("\n")) {
            rows.add(JSON.readTree(line));
        }
        // L = 32: 16, 32 and 80 tokens, with DCA and with plain RoPE.
        assertEquals(6, rows.size(), result.out());
        assertEquals(List.of(16, 32, 80, 16, 32, 80), rows.stream().map(r -> r.get("tokens").asInt()).toList());
        assertEquals("rope", rows.get(5).get("attention").asText());
        for (JsonNode row : rows) {
            assertEquals("onnx", row.get("engine").asText());
            assertTrue(row.get("passed").asBoolean(), row.toString());
            assertTrue(row.get("max_logit_difference").asDouble() < 1e-3 * row.get("max_logit").asDouble(), row.toString());
            assertTrue(row.get("same_greedy_text").asBoolean(), row.toString());
        }
    }

    @Test
    void anUnknownEngineIsBadInput() {
        Cli.Result result = Cli.run("compare-engines", "--model", Cli.model(), "--engine", "tpu");
        assertEquals(2, result.exitCode());
        assertTrue(result.err().startsWith("error: unknown engine 'tpu'"), result.err());
    }
}
