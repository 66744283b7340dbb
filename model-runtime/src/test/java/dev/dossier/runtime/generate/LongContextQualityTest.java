package dev.dossier.runtime.generate;

import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.runtime.Fixtures;
import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.model.JavaSession;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.Session;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Arrays;
import org.junit.jupiter.api.Test;

/**
 * The paper's central result on a real model: stories260K was trained on 512 tokens. Over 4096
 * tokens of in-domain text, plain RoPE perplexity explodes while DCA stays near its 512-token value.
 */
class LongContextQualityTest {

    @Test
    void dcaKeepsPerplexityPastTheTrainingContextWhereRopeCollapses() throws Exception {
        try (Llama model = Llama.load(Fixtures.stories260K())) {
            String corpus = StoryCorpus.sample(model, 4500, AttentionConfig.dcaDefaults(model.config().contextLength()));
            Files.writeString(Path.of("target/stories-corpus.txt"), corpus);
            int[] tokens = model.tokenizer().encode(corpus, true);
            assertTrue(tokens.length >= 4096, "corpus has " + tokens.length + " tokens");

            int c = model.config().contextLength();
            AttentionConfig dca = AttentionConfig.dcaDefaults(c);
            double rope512 = perplexity(model, AttentionConfig.rope(), tokens, 512);
            double rope4096 = perplexity(model, AttentionConfig.rope(), tokens, 4096);
            double dca512 = perplexity(model, dca, tokens, 512);
            double dca4096 = perplexity(model, dca, tokens, 4096);
            System.out.printf("perplexity: rope 512 = %.3f, rope 4096 = %.3f, dca 512 = %.3f, dca 4096 = %.3f%n",
                    rope512, rope4096, dca512, dca4096);

            assertTrue(rope4096 > 3 * rope512, "RoPE past the training context should collapse: " + rope4096 + " vs " + rope512);
            assertTrue(Math.abs(dca4096 / dca512 - 1) <= 0.15, "DCA over 4096 tokens should stay within 15%: " + dca4096 + " vs " + dca512);
        }
    }

    private static double perplexity(Llama model, AttentionConfig config, int[] tokens, int n) {
        Session session = new JavaSession(model, config, n);
        return Perplexity.evaluate(session, Arrays.copyOf(tokens, n), Session.Progress.NONE).perplexity();
    }
}
