package dev.dossier.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.dossier.runtime.Fixtures;
import dev.dossier.runtime.gguf.GgufFile;
import dev.dossier.runtime.tokenizer.Tokenizer;
import java.util.List;
import java.util.stream.StreamSupport;
import org.junit.jupiter.api.Test;

class TokenizeCommandTest {
    private static final ObjectMapper JSON = new ObjectMapper();

    @Test
    void jsonLastLineHoldsTheTokenizersIdsWithBosFirst() throws Exception {
        Cli.Result result = Cli.run("tokenize", "--model", Cli.model(), "--text", "Once upon a time", "--json");
        assertEquals(0, result.exitCode(), result.err());
        JsonNode json = JSON.readTree(result.lastOutLine());
        int[] ids = StreamSupport.stream(json.get("ids").spliterator(), false).mapToInt(JsonNode::asInt).toArray();
        assertEquals(1, ids[0]);
        try (GgufFile file = GgufFile.open(Fixtures.stories260K())) {
            Tokenizer tokenizer = Tokenizer.fromGguf(file);
            assertArrayEquals(tokenizer.encode("Once upon a time", true), ids);
            assertEquals(tokenizer.piece(ids[1]), json.get("pieces").get(1).asText());
        }
        assertEquals(ids.length, json.get("pieces").size());
    }

    @Test
    void printsOneIdAndPiecePerLineMatchingTheModelCard() {
        Cli.Result result = Cli.run("tokenize", "--model", Cli.model(),
                "--text", "Once upon a time, there was a little girl named Lily.");
        assertEquals(0, result.exitCode(), result.err());
        List<String> lines = result.out().lines().toList();
        List<String> pieces = lines.stream().map(line -> line.split("\t", 2)[1]).toList();
        assertEquals(List.of("<s>", "▁Once", "▁upon", "▁a", "▁time", ",", "▁there", "▁was", "▁a", "▁little",
                "▁g", "ir", "l", "▁named", "▁Lily", "."), pieces);
        assertEquals("1\t<s>", lines.getFirst());
        assertEquals("317\t▁Lily", lines.get(14));
    }

    @Test
    void escapesControlCharactersInPieces() {
        assertEquals("a\\nb\\t\\u0001", TokenizeCommand.readable("a\nb\t\u0001"));
    }
}
