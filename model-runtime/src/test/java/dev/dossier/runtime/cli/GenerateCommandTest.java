package dev.dossier.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.runtime.Fixtures;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class GenerateCommandTest {

    @Test
    void greedyFromAnEmptyPromptPrintsExactlyTheGoldenText() throws Exception {
        Cli.Result result = Cli.run("generate", "--model", Cli.model(), "--prompt", "",
                "--temperature", "0", "--max-tokens", "256");
        assertEquals(0, result.exitCode(), result.err());
        assertEquals(Fixtures.goldenGreedy256(), result.out());
        assertTrue(result.err().contains("prompt tokens: 1"), result.err());
        assertTrue(result.err().contains("generated tokens: 256"), result.err());
        assertTrue(result.err().contains("finish reason: max_tokens"), result.err());
        assertTrue(result.err().contains("time to first token:"), result.err());
    }

    @Test
    void echoesThePromptThenStopsBeforeAStopString() throws Exception {
        Cli.Result result = Cli.run("generate", "--model", Cli.model(), "--prompt", "Once upon a time",
                "--temperature", "0", "--stop", "Lily");
        assertEquals(0, result.exitCode(), result.err());
        String golden = Fixtures.goldenGreedy256();
        assertEquals(golden.substring(0, golden.indexOf("Lily")), result.out());
        assertTrue(result.err().contains("finish reason: stop_string"), result.err());
    }

    @Test
    void readsAPromptFileAndShowsPrefillProgressForLongPrompts(@TempDir Path dir) throws Exception {
        Path promptFile = dir.resolve("prompt.txt");
        String prompt = Fixtures.goldenGreedy256().repeat(3); // about 770 tokens: past the training context
        Files.writeString(promptFile, prompt);
        Cli.Result result = Cli.run("generate", "--model", Cli.model(), "--prompt-file", promptFile.toString(),
                "--temperature", "0", "--max-tokens", "8");
        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.out().startsWith(prompt), result.out());
        // One progress line per block of tokens, so several for a long prompt.
        long progressLines = java.util.regex.Pattern.compile("\rprefill \\d+/\\d+ tokens").matcher(result.err()).results().count();
        assertTrue(progressLines > 2, result.err());
    }

    @Test
    void chatFormatPrintsOnlyTheAnswer() {
        Cli.Result result = Cli.run("generate", "--model", Cli.model(), "--prompt", "Hi", "--chat",
                "--system", "Be brief.", "--temperature", "0", "--max-tokens", "8");
        assertEquals(0, result.exitCode(), result.err());
        assertTrue(!result.out().contains("[INST]") && !result.out().contains("Hi"), result.out());
    }

    @Test
    void aPromptLongerThanTheContextIsOneErrorLine() {
        Path golden = Fixtures.shared().resolve("models/stories260K.greedy256.txt");
        Cli.Result result = Cli.run("generate", "--model", Cli.model(), "--prompt-file", golden.toString(), "--context", "100");
        assertEquals(2, result.exitCode());
        assertEquals(java.util.List.of("error: the prompt has 257 tokens but the context holds 100"
                + " (raise --context or shorten the prompt)"), result.visibleErrLines());
    }

    @Test
    void ropePastTheTrainingContextWarnsButRuns() {
        Cli.Result result = Cli.run("generate", "--model", Cli.model(), "--prompt", "Once", "--attention", "ROPE",
                "--context", "1024", "--temperature", "0", "--max-tokens", "4");
        assertEquals(0, result.exitCode(), result.err());
        assertTrue(result.err().contains("warning: plain RoPE past the training context (512 tokens)"), result.err());
    }
}
