package dev.dossier.runtime.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.runtime.Fixtures;
import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.model.JavaSession;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.Session;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class GeneratorTest {
    private static Llama model;

    @BeforeAll
    static void load() throws Exception {
        model = Llama.load(Fixtures.stories260K());
    }

    @AfterAll
    static void close() {
        model.close();
    }

    private static Session session() {
        return new JavaSession(model, AttentionConfig.dcaDefaults(model.config().contextLength()), 2048);
    }

    private static int[] bos() {
        return new int[] {model.tokenizer().bos()};
    }

    @Test
    void greedyGenerationStreamsTheGoldenText() throws Exception {
        StringBuilder streamed = new StringBuilder();
        GenerationResult result = Generator.generate(session(), bos(), GenerationParameters.GREEDY.withMaxTokens(256), new Generator.Listener() {
            @Override
            public void onText(String text) {
                streamed.append(text);
            }
        });
        assertEquals(Fixtures.goldenGreedy256(), result.text());
        assertEquals(result.text(), streamed.toString());
        assertEquals(FinishReason.MAX_TOKENS, result.finishReason());
        assertEquals(256, result.generatedTokens());
    }

    @Test
    void theSameSeedGivesTheSameTextAndAnotherSeedAnother() {
        GenerationParameters sampling = GenerationParameters.sampling(42).withTemperature(1.0f).withMaxTokens(80);
        String first = Generator.generate(session(), bos(), sampling, Generator.Listener.NONE).text();
        String again = Generator.generate(session(), bos(), sampling, Generator.Listener.NONE).text();
        String other = Generator.generate(session(), bos(), sampling.withSeed(43), Generator.Listener.NONE).text();
        assertEquals(first, again);
        assertNotEquals(first, other);
    }

    @Test
    void aStopStringEndsGenerationAndNeverReachesTheListener() {
        StringBuilder streamed = new StringBuilder();
        GenerationResult result = Generator.generate(session(), bos(),
                GenerationParameters.GREEDY.withMaxTokens(256).withStopStrings(List.of("Lily")), new Generator.Listener() {
                    @Override
                    public void onText(String text) {
                        streamed.append(text);
                    }
                });
        assertEquals(FinishReason.STOP_STRING, result.finishReason());
        assertEquals("Once upon a time, there was a little girl named ", result.text());
        assertEquals(result.text(), streamed.toString());
    }

    @Test
    void prefillProgressIsReportedAndACachedPrefixIsReused() throws Exception {
        Session session = session();
        int[] prompt = model.tokenizer().encode(Fixtures.goldenGreedyPrefix(), true);
        AtomicInteger lastReported = new AtomicInteger();
        GenerationResult first = Generator.generate(session, prompt, GenerationParameters.GREEDY.withMaxTokens(5), new Generator.Listener() {
            @Override
            public void onPrefill(int done, int total) {
                lastReported.set(done);
                assertEquals(prompt.length, total);
            }
        });
        assertEquals(prompt.length, lastReported.get());
        assertEquals(0, first.reusedPromptTokens());

        int[] longer = java.util.Arrays.copyOf(prompt, prompt.length + 3);
        System.arraycopy(model.tokenizer().encode(" The end", false), 0, longer, prompt.length, 3);
        GenerationResult second = Generator.generate(session, longer, GenerationParameters.GREEDY.withMaxTokens(5), Generator.Listener.NONE);
        assertEquals(prompt.length, second.reusedPromptTokens());

        // Reuse must not change the answer: a fresh session gives the same text.
        GenerationResult fresh = Generator.generate(session(), longer, GenerationParameters.GREEDY.withMaxTokens(5), Generator.Listener.NONE);
        assertEquals(fresh.text(), second.text());
    }

    @Test
    void anInterruptedGenerationEndsCancelled() {
        Thread.currentThread().interrupt();
        try {
            GenerationResult result = Generator.generate(session(), bos(), GenerationParameters.GREEDY.withMaxTokens(50), Generator.Listener.NONE);
            assertEquals(FinishReason.CANCELLED, result.finishReason());
        } finally {
            Thread.interrupted();
        }
    }

    @Test
    void aFullContextEndsGeneration() {
        Session small = new JavaSession(model, AttentionConfig.dcaDefaults(512), 20);
        GenerationResult result = Generator.generate(small, bos(), GenerationParameters.GREEDY.withMaxTokens(100), Generator.Listener.NONE);
        assertEquals(FinishReason.CONTEXT_FULL, result.finishReason());
        assertTrue(result.generatedTokens() <= 20);
        assertFalse(result.text().isEmpty());
    }
}
