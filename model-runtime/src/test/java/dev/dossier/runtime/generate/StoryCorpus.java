package dev.dossier.runtime.generate;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.model.JavaSession;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.Session;
import dev.dossier.runtime.tokenizer.Decoder;
import java.util.Arrays;

/**
 * In-domain text for long-context tests: one continuous sample of the model itself (temperature
 * 1, fixed seed), where each end-of-story token is written as a newline and sampling goes on.
 * The model thus chooses every story start itself, so the first 512 tokens are no easier than
 * the rest (stories glued together by hand start after a newline the model never saw in
 * training, making every window but the first one harder).
 */
final class StoryCorpus {
    private StoryCorpus() {
    }

    static String sample(Llama model, int tokens, AttentionConfig attention) {
        int[] newline = model.tokenizer().encode("\n", false);
        int newlineToken = newline[newline.length - 1];
        GenerationParameters parameters = GenerationParameters.GREEDY.withTemperature(1.0f).withSeed(1);
        Sampler sampler = new Sampler(parameters, model.config().vocabularySize());
        Session session = new JavaSession(model, attention, tokens);
        int[] history = new int[tokens];
        history[0] = model.tokenizer().bos();
        Decoder decoder = model.tokenizer().newDecoder(history[0]);
        StringBuilder text = new StringBuilder();
        float[] logits = session.next(history[0]);
        for (int i = 1; i < tokens; i++) {
            int token = sampler.sample(logits, history, i);
            if (token == model.tokenizer().eos()) {
                token = newlineToken;
            }
            history[i] = token;
            text.append(decoder.accept(token));
            if (i + 1 < tokens) {
                logits = session.next(token);
            }
        }
        return text.append(decoder.flush()).toString();
    }
}
