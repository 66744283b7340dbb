package dev.dossier.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;

import java.io.IOException;
import java.nio.file.Files;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.Arguments;
import org.junit.jupiter.params.provider.MethodSource;

/** llama.cpp's test cases for the Llama 2 vocabulary: every input must encode to exactly the expected ids. */
class TokenizerLlamaVocabTest {
    private static final String VOCAB = "tokenizer/ggml-vocab-llama-spm.gguf";
    private static final String SEPARATOR = "__ggml_vocab_test__";
    private static final int CASE_COUNT = 46;

    private static Tokenizer tokenizer;

    @BeforeAll
    static void loadVocabulary() {
        tokenizer = TokenizerFixtures.tokenizer(VOCAB);
    }

    /**
     * Each input is the lines before its separator line, joined by newlines: the newline that
     * ends the last line belongs to the framing, not to the input.
     */
    static List<String> inputs() throws IOException {
        String file = Files.readString(TokenizerFixtures.shared(VOCAB + ".inp"));
        List<String> inputs = new ArrayList<>();
        List<String> lines = new ArrayList<>();
        for (String line : file.split("\n", -1)) {
            if (line.equals(SEPARATOR)) {
                inputs.add(String.join("\n", lines));
                lines.clear();
            } else {
                lines.add(line);
            }
        }
        return inputs;
    }

    static List<int[]> expectedIds() throws IOException {
        return Files.readAllLines(TokenizerFixtures.shared(VOCAB + ".out")).stream()
                .map(line -> line.isBlank() ? new int[0]
                        : Arrays.stream(line.trim().split(" ")).mapToInt(Integer::parseInt).toArray())
                .toList();
    }

    static Stream<Arguments> cases() throws IOException {
        List<String> inputs = inputs();
        List<int[]> expected = expectedIds();
        return Stream.iterate(0, i -> i < inputs.size(), i -> i + 1)
                .map(i -> Arguments.of(i + 1, printable(inputs.get(i)), inputs.get(i), expected.get(i)));
    }

    private static String printable(String text) {
        String escaped = text.replace("\n", "\\n").replace("\t", "\\t");
        return escaped.length() > 40 ? escaped.substring(0, 40) + "..." : escaped;
    }

    @Test
    void fixtureHasOneExpectedLinePerInput() throws IOException {
        assertEquals(CASE_COUNT, inputs().size());
        assertEquals(CASE_COUNT, expectedIds().size());
    }

    @ParameterizedTest(name = "{0}: \"{1}\"")
    @MethodSource("cases")
    void encodesLikeLlamaCpp(int caseNumber, String shown, String input, int[] expected) {
        assertArrayEquals(expected, tokenizer.encode(input, false),
                () -> "case " + caseNumber + " \"" + shown + "\" gave " + Arrays.toString(tokenizer.encode(input, false)));
    }

    @ParameterizedTest(name = "{0}: \"{1}\"")
    @MethodSource("cases")
    void decodesBackToTheInput(int caseNumber, String shown, String input, int[] expected) {
        int[] ids = tokenizer.encode(input, true);
        assertEquals(input, tokenizer.decode(ids));
        assertEquals(input, TokenizerFixtures.decodeStreaming(tokenizer, ids));
    }

    @Test
    void readsSpecialTokens() {
        assertEquals(32000, tokenizer.vocabularySize());
        assertEquals(1, tokenizer.bos());
        assertEquals(2, tokenizer.eos());
        assertEquals(0, tokenizer.unknown());
        assertEquals("<s>", tokenizer.piece(1));
        assertEquals(true, tokenizer.isControl(1));
        assertEquals(false, tokenizer.isControl(15043));
    }
}
