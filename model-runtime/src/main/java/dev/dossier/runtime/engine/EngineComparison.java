package dev.dossier.runtime.engine;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.generate.GenerationParameters;
import dev.dossier.runtime.generate.GenerationResult;
import dev.dossier.runtime.generate.Generator;
import dev.dossier.runtime.model.Session;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;

/**
 * Checks that two engines compute the same model: the logits of every position of a prompt
 * (prefilled in blocks, then one decoded token) and greedy generation from it. Used by the
 * tests, {@code dossier compare-engines} and the GPU check.
 */
public final class EngineComparison {
    /**
     * Logits may differ by this fraction of the largest logit's magnitude (at least 1): float
     * sums taken in another order, nothing more.
     */
    public static final double TOLERANCE = 1e-3;

    /** One prompt length under one attention config. */
    public record Case(AttentionConfig attention, int tokens) {
    }

    /**
     * @param maxDifference largest |logit difference| over all positions
     * @param scale         largest |logit| of the reference, the tolerance's unit
     */
    public record Result(Case of, double maxDifference, double scale, boolean sameGreedyText, String referenceText, String candidateText) {
        public boolean logitsAgree() {
            return maxDifference <= TOLERANCE * Math.max(1.0, scale);
        }

        public boolean passed() {
            return logitsAgree() && sameGreedyText;
        }
    }

    private EngineComparison() {
    }

    /**
     * Cases below, at and beyond the DCA chunk length L of {@code dca} (with DCA and plain RoPE),
     * as dca.md's invariants call for.
     */
    public static List<Case> standardCases(AttentionConfig dca) {
        int length = dca.chunkLength();
        List<Case> cases = new ArrayList<>();
        for (AttentionConfig attention : List.of(dca, AttentionConfig.rope())) {
            for (int tokens : new int[] {Math.max(2, length / 2), length, 2 * length + length / 2}) {
                cases.add(new Case(attention, tokens));
            }
        }
        return cases;
    }

    public static Result compare(Engine reference, Engine candidate, Case c, int[] prompt, int greedyTokens) {
        if (prompt.length < c.tokens()) {
            throw new IllegalArgumentException("the prompt has " + prompt.length + " tokens, the case needs " + c.tokens());
        }
        int[] tokens = Arrays.copyOf(prompt, c.tokens());
        int capacity = c.tokens() + greedyTokens + 1;
        float[] expected = allLogits(reference.newSession(c.attention(), capacity), tokens);
        float[] actual = allLogits(candidate.newSession(c.attention(), capacity), tokens);
        double maxDifference = 0;
        double scale = 0;
        for (int i = 0; i < expected.length; i++) {
            maxDifference = Math.max(maxDifference, Math.abs(expected[i] - actual[i]));
            scale = Math.max(scale, Math.abs(expected[i]));
        }
        String referenceText = greedy(reference, c, tokens, capacity, greedyTokens);
        String candidateText = greedy(candidate, c, tokens, capacity, greedyTokens);
        return new Result(c, maxDifference, scale, referenceText.equals(candidateText), referenceText, candidateText);
    }

    /** Logits of every position: all but the last token prefilled in blocks, then the last one decoded. */
    private static float[] allLogits(Session session, int[] tokens) {
        int vocabulary = session.model().config().vocabularySize();
        float[] logits = new float[tokens.length * vocabulary];
        session.prefill(tokens, 0, tokens.length - 1, true,
                (position, values, offset) -> System.arraycopy(values, offset, logits, position * vocabulary, vocabulary),
                Session.Progress.NONE);
        float[] last = session.next(tokens[tokens.length - 1]);
        System.arraycopy(last, 0, logits, (tokens.length - 1) * vocabulary, vocabulary);
        return logits;
    }

    private static String greedy(Engine engine, Case c, int[] prompt, int capacity, int count) {
        Session session = engine.newSession(c.attention(), capacity);
        GenerationParameters parameters = GenerationParameters.GREEDY.withMaxTokens(count);
        GenerationResult result = Generator.generate(session, prompt, parameters, Generator.Listener.NONE);
        return result.text();
    }
}
