package dev.dossier.runtime.generate;

import static org.junit.jupiter.api.Assertions.assertArrayEquals;
import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;

import dev.dossier.runtime.Fixtures;
import dev.dossier.runtime.generate.ChatFormat.Message;
import dev.dossier.runtime.generate.ChatFormat.Role;
import dev.dossier.runtime.gguf.GgufFile;
import dev.dossier.runtime.tokenizer.Tokenizer;
import java.util.List;
import java.util.stream.IntStream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/** The Llama 2 chat layout, on the real Llama 2 vocabulary. */
class ChatFormatTest {
    private static Tokenizer tokenizer;

    @BeforeAll
    static void load() throws Exception {
        try (GgufFile vocabulary = GgufFile.open(Fixtures.shared().resolve("tokenizer/ggml-vocab-llama-spm.gguf"))) {
            tokenizer = Tokenizer.fromGguf(vocabulary);
        }
    }

    @Test
    void systemPromptAndTurnsFollowTheLlama2Layout() {
        int[] tokens = ChatFormat.llama2Chat(tokenizer, List.of(
                new Message(Role.SYSTEM, "Be brief."),
                new Message(Role.USER, "Hi"),
                new Message(Role.ASSISTANT, "Hello!"),
                new Message(Role.USER, "Who are you?")));
        int[] expected = IntStream.concat(IntStream.concat(
                        IntStream.of(tokenizer.bos()),
                        IntStream.of(tokenizer.encode("[INST] <<SYS>>\nBe brief.\n<</SYS>>\n\nHi [/INST]", false))),
                IntStream.concat(IntStream.concat(
                        IntStream.of(tokenizer.encode(" Hello! ", false)),
                        IntStream.of(tokenizer.eos(), tokenizer.bos())),
                        IntStream.of(tokenizer.encode("[INST] Who are you? [/INST]", false)))).toArray();
        assertArrayEquals(expected, tokens);
        assertEquals(tokenizer.bos(), tokens[0]);
        // "[INST]" keeps SentencePiece's leading-space prefix: ▁[ INST ]
        assertEquals("▁[", tokenizer.piece(tokens[1]));
    }

    @Test
    void theSystemPrefixIsExactlyTheStartOfEveryConversation() {
        String system = "Read these documents.\n\n=== a.txt ===\n1| Party A pays.\n";
        int[] prefix = ChatFormat.llama2SystemPrefix(tokenizer, system);
        for (String question : new String[] {"Who pays?", "What is the term?", "\nList the parties."}) {
            int[] full = ChatFormat.llama2Chat(tokenizer, List.of(new Message(Role.SYSTEM, system), new Message(Role.USER, question)));
            assertArrayEquals(prefix, java.util.Arrays.copyOf(full, prefix.length), question);
        }
    }

    @Test
    void plainCompletionIsBosAndText() {
        assertArrayEquals(tokenizer.encode("Once upon a time", true), ChatFormat.completion(tokenizer, "Once upon a time"));
    }

    @Test
    void malformedConversationsAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> ChatFormat.llama2Chat(tokenizer, List.of(new Message(Role.SYSTEM, "x"))));
        assertThrows(IllegalArgumentException.class, () -> ChatFormat.llama2Chat(tokenizer, List.of(new Message(Role.ASSISTANT, "x"), new Message(Role.USER, "y"))));
        assertThrows(IllegalArgumentException.class, () -> ChatFormat.llama2Chat(tokenizer, List.of(new Message(Role.USER, "x"), new Message(Role.USER, "y"))));
    }
}
