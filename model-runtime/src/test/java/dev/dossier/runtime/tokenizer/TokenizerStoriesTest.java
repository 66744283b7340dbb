package dev.dossier.runtime.tokenizer;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertTrue;

import java.io.IOException;
import java.nio.file.Files;
import java.util.Arrays;
import java.util.stream.Collectors;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.params.ParameterizedTest;
import org.junit.jupiter.params.provider.ValueSource;

/** The 512-token vocabulary of the stories260K test model: small, so byte fallback is common. */
class TokenizerStoriesTest {
    private static Tokenizer tokenizer;

    @BeforeAll
    static void loadVocabulary() {
        tokenizer = TokenizerFixtures.tokenizer("models/stories260K.gguf");
    }

    private static String pieces(int[] ids) {
        return Arrays.stream(ids).mapToObj(tokenizer::piece).map(p -> p.replace('\u2581', ' '))
                .collect(Collectors.joining("|"));
    }

    @Test
    void encodesTheModelCardSentence() {
        int[] ids = tokenizer.encode("Once upon a time, there was a little girl named Lily.", true);
        assertEquals("<s>| Once| upon| a| time|,| there| was| a| little| g|ir|l| named| Lily|.", pieces(ids));
        assertEquals(317, ids[14]);
        assertEquals("\u2581Lily", tokenizer.piece(317));
    }

    @Test
    void readsSpecialTokens() {
        assertEquals(512, tokenizer.vocabularySize());
        assertEquals(1, tokenizer.bos());
        assertEquals(2, tokenizer.eos());
        assertEquals(0, tokenizer.unknown());
        assertTrue(tokenizer.addsBos());
        assertTrue(tokenizer.isControl(tokenizer.bos()));
        assertFalse(tokenizer.isControl(317));
    }

    @Test
    void emptyTextIsJustTheOptionalBos() {
        assertArrayEquals(new int[] {1}, tokenizer.encode("", true));
        assertArrayEquals(new int[0], tokenizer.encode("", false));
    }

    @Test
    void controlTokensInTheTextAreEncodedAsPlainText() {
        int[] ids = tokenizer.encode("<s>", false);
        assertFalse(Arrays.stream(ids).anyMatch(tokenizer::isControl), pieces(ids));
        assertEquals("<s>", tokenizer.decode(ids));
    }

    @Test
    void charactersOutsideTheVocabularyFallBackToBytes() {
        int[] ids = tokenizer.encode("日", false);
        assertEquals(" |<0xE6>|<0x97>|<0xA5>", pieces(ids));
    }

    @ParameterizedTest
    @ValueSource(strings = {
            "Once upon a time, there was a little girl named Lily.",
            " leading and trailing spaces  ",
            "line one\nline two\n\n\ttabbed",
            "naïve café 日本語 🙂",
            "Zürich → 𝄞 music, ½ price",
    })
    void decodingGivesBackTheText(String text) {
        int[] ids = tokenizer.encode(text, true);
        assertEquals(text, tokenizer.decode(ids));
        assertEquals(text, tokenizer.decode(tokenizer.encode(text, false)));
    }

    @ParameterizedTest
    @ValueSource(strings = {"naïve café 日本語 🙂", "Zürich → 𝄞 music, ½ price", "plain ASCII"})
    void streamingDecoderMatchesDecodeAndNeverEmitsHalfACharacter(String text) {
        assertEquals(text, TokenizerFixtures.decodeStreaming(tokenizer, tokenizer.encode(text, true)));
    }

    @Test
    void goldenGenerationSurvivesARoundTrip() throws IOException {
        String golden = Files.readString(TokenizerFixtures.shared("models/stories260K.greedy256.txt"));
        int[] ids = tokenizer.encode(golden, true);
        assertEquals(golden, tokenizer.decode(ids));
        assertEquals(golden, TokenizerFixtures.decodeStreaming(tokenizer, ids));
    }

    @Test
    void decoderHoldsBytesUntilTheCharacterIsComplete() {
        int[] ids = tokenizer.encode("日", false); // ▁ <0xE6> <0x97> <0xA5>
        Decoder decoder = tokenizer.newDecoder(tokenizer.bos());
        assertEquals("", decoder.accept(ids[0]));
        assertEquals("", decoder.accept(ids[1]));
        assertEquals("", decoder.accept(ids[2]));
        assertEquals("日", decoder.accept(ids[3]));
    }

    @Test
    void flushTurnsAnUnfinishedCharacterIntoAReplacementCharacter() {
        int[] ids = tokenizer.encode("日", false);
        Decoder decoder = tokenizer.newDecoder(tokenizer.bos());
        decoder.accept(ids[0]);
        decoder.accept(ids[1]);
        assertEquals("\uFFFD", decoder.flush());
        assertEquals("", decoder.flush());
    }

    @Test
    void leadingSpaceIsDroppedOnlyAtTheStartOrAfterBos() {
        int once = tokenizer.encode("Once", false)[0];
        assertEquals("\u2581Once", tokenizer.piece(once));
        assertEquals("Once", tokenizer.decode(new int[] {once}));
        assertEquals("Once", tokenizer.decode(new int[] {tokenizer.bos(), once}));
        assertEquals("Once Once", tokenizer.decode(new int[] {once, once}));
        assertEquals("Once", tokenizer.decode(new int[] {once, tokenizer.eos(), tokenizer.bos(), once}).substring(4));

        assertEquals("Once", tokenizer.newDecoder(tokenizer.bos()).accept(once));
        assertEquals(" Once", tokenizer.newDecoder(once).accept(once));
        Decoder fromStart = tokenizer.newDecoder();
        assertEquals("", fromStart.accept(tokenizer.bos()));
        assertEquals("Once", fromStart.accept(once));
        assertEquals(" Once", fromStart.accept(once));
    }

    @Test
    void longInputEncodesQuickly() {
        // Quadratic BPE would take minutes here; the priority queue makes it O(n log n).
        String sentence = "Once upon a time, there was a little girl named Lily. Zürich 日本 ";
        String text = sentence.repeat(200_000 / sentence.length() + 1);
        int[] ids = tokenizer.encode(text, true);
        assertTrue(text.length() >= 200_000);
        assertEquals(text, tokenizer.decode(ids));
    }
}
