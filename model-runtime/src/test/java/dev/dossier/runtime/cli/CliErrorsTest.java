package dev.dossier.runtime.cli;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.runtime.Fixtures;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** Every failure is one {@code error: } line on stderr and a non-zero exit code, never a stack trace. */
class CliErrorsTest {
    @TempDir
    static Path dir;

    static Stream<Arguments> failures() throws IOException {
        String model = Cli.model();
        Path golden = Fixtures.shared().resolve("models/stories260K.greedy256.txt");
        Path corrupt = Files.write(dir.resolve("corrupt.gguf"), "this is not a GGUF file at all".getBytes());
        Path truncated = Files.write(dir.resolve("truncated.gguf"),
                Arrays.copyOf(Files.readAllBytes(Fixtures.stories260K()), 4096));
        Path notUtf8 = Files.write(dir.resolve("latin1.txt"), new byte[] {'c', 'a', 'f', (byte) 0xE9});
        return Stream.of(
                failure("no command", 2),
                failure("unknown command", 2, "frobnicate"),
                failure("unknown option", 2, "info", "--model", model, "--colour"),
                failure("missing --model", 2, "info"),
                failure("missing model file", 2, "info", "--model", dir.resolve("absent.gguf").toString()),
                failure("directory as model", 2, "info", "--model", dir.toString()),
                failure("corrupt GGUF", 2, "info", "--model", corrupt.toString()),
                failure("truncated GGUF", 2, "tokenize", "--model", truncated.toString(), "--text", "hi"),
                failure("missing prompt", 2, "generate", "--model", model),
                failure("prompt and prompt file", 2, "generate", "--model", model, "--prompt", "a", "--prompt-file", golden.toString()),
                failure("missing prompt file", 2, "generate", "--model", model, "--prompt-file", dir.resolve("absent.txt").toString()),
                failure("prompt file not UTF-8", 2, "generate", "--model", model, "--prompt-file", notUtf8.toString()),
                failure("not a number", 2, "generate", "--model", model, "--prompt", "a", "--max-tokens", "many"),
                failure("negative max tokens", 2, "generate", "--model", model, "--prompt", "a", "--max-tokens", "-1"),
                failure("top-p out of range", 2, "generate", "--model", model, "--prompt", "a", "--top-p", "1.5"),
                failure("unknown attention", 2, "generate", "--model", model, "--prompt", "a", "--attention", "sliding"),
                failure("local window >= chunk size", 2, "generate", "--model", model, "--prompt", "a",
                        "--chunk-size", "128", "--local-window", "128"),
                failure("chunk size past training context", 2, "generate", "--model", model, "--prompt", "a", "--chunk-size", "600"),
                failure("chunk size with rope", 2, "perplexity", "--model", model, "--file", golden.toString(), "--tokens", "20",
                        "--attention", "rope", "--chunk-size", "100"),
                failure("system without chat", 2, "generate", "--model", model, "--prompt", "a", "--system", "s"),
                failure("zero context", 2, "generate", "--model", model, "--prompt", "a", "--context", "0"),
                failure("prompt past the context", 2, "generate", "--model", model, "--prompt-file", golden.toString(),
                        "--context", "100"),
                failure("file shorter than the window", 2, "perplexity", "--model", model, "--file", golden.toString(),
                        "--tokens", "100000"),
                failure("window under 2 tokens", 2, "perplexity", "--model", model, "--file", golden.toString(), "--tokens", "1"),
                failure("chat with a missing model", 2, "chat", "--model", dir.resolve("absent.gguf").toString()),
                failure("unknown engine", 2, "generate", "--model", model, "--prompt", "a", "--engine", "cuda"),
                failure("unknown engine in a bench list", 2, "bench", "--model", model, "--engine", "java,cuda"),
                failure("two engines for one generation", 2, "perplexity", "--model", model, "--file", golden.toString(),
                        "--tokens", "20", "--engine", "java,onnx"));
    }

    private static Arguments failure(String name, int exitCode, String... args) {
        return Arguments.of(name, exitCode, args);
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void failsWithOneErrorLine(String name, int exitCode, String[] args) {
        Cli.Result result = Cli.run(args);
        assertEquals(exitCode, result.exitCode(), result.err());
        List<String> lines = result.visibleErrLines();
        assertEquals(1, lines.size(), () -> "stderr: " + result.err());
        assertTrue(lines.getFirst().startsWith("error: "), lines.getFirst());
        assertFalse(result.err().contains("Exception") || result.err().contains("at dev."), result.err());
    }

    @Test
    void anUnknownEngineIsNamedWithTheChoices() {
        for (String command : new String[] {"generate", "chat", "perplexity", "bench"}) {
            Cli.Result result = Cli.run(command, "--model", Cli.model(), "--engine", "cuda");
            assertEquals(2, result.exitCode(), result.err());
            assertTrue(result.err().startsWith("error: ") && result.err().contains("unknown engine 'cuda': choose one of java, onnx"),
                    command + ": " + result.err());
        }
    }

    @ParameterizedTest(name = "{0}")
    @MethodSource("failures")
    void printsNothingOnStdout(String name, int exitCode, String[] args) {
        assertEquals("", Cli.run(args).out());
    }
}
