package dev.dossier.runtime.engine;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.runtime.Fixtures;
import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.generate.GenerationParameters;
import dev.dossier.runtime.generate.GenerationResult;
import dev.dossier.runtime.generate.Generator;
import dev.dossier.runtime.model.ContextOverflowException;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.Session;
import dev.dossier.runtime.prefix.PrefixCacheFile;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.IntStream;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalModelTest {
    private static final AttentionConfig ATTENTION = new AttentionConfig(true, 48, 16);
    private static final GenerationParameters SHORT = GenerationParameters.GREEDY.withMaxTokens(12);

    @TempDir
    Path directory;

    private LocalModel local;
    private int[] documents;

    @BeforeEach
    void load() throws IOException {
        local = LocalModel.load(Fixtures.stories260K(), EngineKind.JAVA, ATTENTION, 512);
        documents = local.tokenizer().encode(Fixtures.goldenGreedy256(), true);
    }

    @AfterEach
    void close() {
        local.close();
    }

    private int[] question(String text) {
        return IntStream.concat(IntStream.of(documents), IntStream.of(local.tokenizer().encode(text, false))).toArray();
    }

    @Test
    void aFollowUpQuestionReusesTheDocumentPrefix() {
        GenerationResult first = local.generate(question(" Who was happy?"), SHORT, Generator.Listener.NONE);
        assertEquals(0, first.reusedPromptTokens());
        GenerationResult second = local.generate(question(" Where did they go?"), SHORT, Generator.Listener.NONE);
        assertTrue(second.reusedPromptTokens() >= documents.length, second.reusedPromptTokens() + " reused");
    }

    @Test
    void anUnrelatedPromptDoesNotEvictAWarmPrefix() {
        local.generate(question(" Who was happy?"), SHORT, Generator.Listener.NONE);
        local.generate(local.tokenizer().encode("Tom had a dog.", true), SHORT, Generator.Listener.NONE);
        GenerationResult again = local.generate(question(" Where did they go?"), SHORT, Generator.Listener.NONE);
        assertTrue(again.reusedPromptTokens() >= documents.length, again.reusedPromptTokens() + " reused");
    }

    @Test
    void aWarmedPrefixSurvivesARestartThroughItsCacheFile() throws IOException {
        Path cacheFile = directory.resolve("documents.dosskv");
        AtomicInteger prefilled = new AtomicInteger();
        local.warmPrefix(documents, cacheFile, (done, total) -> prefilled.set(done));
        assertEquals(documents.length, prefilled.get());
        assertTrue(Files.exists(cacheFile));
        GenerationResult before = local.generate(question(" Who was happy?"), SHORT, Generator.Listener.NONE);
        assertTrue(before.reusedPromptTokens() >= documents.length);

        local.close();
        local = LocalModel.load(Fixtures.stories260K(), EngineKind.JAVA, ATTENTION, 512);
        prefilled.set(0);
        local.warmPrefix(documents, cacheFile, (done, total) -> prefilled.set(done));
        assertEquals(0, prefilled.get(), "read from the file, not prefilled");
        GenerationResult after = local.generate(question(" Who was happy?"), SHORT, Generator.Listener.NONE);
        assertTrue(after.reusedPromptTokens() >= documents.length, after.reusedPromptTokens() + " reused");
        assertEquals(before.text(), after.text());
    }

    @Test
    void aCacheFileForOtherAttentionIsReplaced() throws IOException {
        Path cacheFile = directory.resolve("documents.dosskv");
        try (LocalModel plainRope = new LocalModel(new JavaEngine(Llama.load(Fixtures.stories260K())), AttentionConfig.rope(), 512)) {
            plainRope.warmPrefix(documents, cacheFile, Session.Progress.NONE);
        }
        AtomicInteger prefilled = new AtomicInteger();
        local.warmPrefix(documents, cacheFile, (done, total) -> prefilled.set(done));
        assertEquals(documents.length, prefilled.get());
        assertEquals(ATTENTION, PrefixCacheFile.readHeader(cacheFile).attention());
    }

    @Test
    void aPromptThatCannotFitIsRefusedBeforeAnyWork() {
        AtomicInteger prefilled = new AtomicInteger();
        ContextOverflowException e = assertThrows(ContextOverflowException.class,
                () -> local.generate(question(" Who?"), SHORT.withMaxTokens(500), new Generator.Listener() {
                    @Override
                    public void onPrefill(int done, int total) {
                        prefilled.set(done);
                    }
                }));
        assertEquals(512, e.tokensAvailable());
        assertEquals(question(" Who?").length + 500, e.tokensNeeded());
        assertEquals(0, prefilled.get());
    }

    @Test
    void tokensAreCountedWithTheModelsTokenizer() {
        assertEquals(local.tokenizer().encode("Once upon a time", false).length, local.countTokens("Once upon a time"));
        assertEquals(512, local.capacity());
    }
}
