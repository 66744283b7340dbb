package dev.dossier.runtime.generate;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import org.junit.jupiter.api.Test;

class SamplerTest {
    private static final float[] LOGITS = {2.0f, 1.5f, 1.0f, 0.0f, -1.0f};
    private static final GenerationParameters WARM = GenerationParameters.GREEDY.withTemperature(1.0f);

    @Test
    void temperatureZeroIsArgmax() {
        assertEquals(0, new Sampler(GenerationParameters.GREEDY, 5).sample(LOGITS, new int[0], 0));
    }

    @Test
    void samplingFollowsTheSoftmax() {
        Sampler sampler = new Sampler(WARM.withSeed(3), 5);
        int[] counts = new int[5];
        int draws = 200_000;
        for (int i = 0; i < draws; i++) {
            counts[sampler.sample(LOGITS, new int[0], 0)]++;
        }
        double sum = 0;
        for (float l : LOGITS) sum += Math.exp(l);
        for (int t = 0; t < 5; t++) {
            double expected = Math.exp(LOGITS[t]) / sum;
            assertEquals(expected, counts[t] / (double) draws, 0.005, "token " + t);
        }
    }

    @Test
    void topKKeepsOnlyTheBestK() {
        assertOnlyDrawn(new Sampler(WARM.withTopK(2), 5), 0, 1);
        assertOnlyDrawn(new Sampler(WARM.withTopK(1), 5), 0);
    }

    @Test
    void topPKeepsTheSmallestSetReachingP() {
        // p(0) = 0.43, p(1) = 0.26: 0.5 needs the two best tokens.
        assertOnlyDrawn(new Sampler(WARM.withTopP(0.5f), 5), 0, 1);
        assertOnlyDrawn(new Sampler(WARM.withTopP(0.1f), 5), 0);
    }

    @Test
    void minPDropsTokensFarBelowTheBest() {
        // exp(1.0 - 2.0) = 0.37 of the best: min-p 0.5 keeps tokens 0 and 1 only.
        assertOnlyDrawn(new Sampler(WARM.withMinP(0.5f), 5), 0, 1);
    }

    @Test
    void repetitionPenaltyDiscouragesRecentTokens() {
        Sampler sampler = new Sampler(GenerationParameters.GREEDY.withRepetitionPenalty(2.0f), 5);
        // Token 0's logit 2.0 / 2 = 1.0 falls below token 1's 1.5.
        assertEquals(1, sampler.sample(LOGITS, new int[] {0}, 1));
        assertEquals(0, sampler.sample(LOGITS, new int[] {3}, 1));
    }

    @Test
    void invalidParametersAreRefused() {
        assertThrows(IllegalArgumentException.class, () -> GenerationParameters.GREEDY.withTemperature(-1));
        assertThrows(IllegalArgumentException.class, () -> GenerationParameters.GREEDY.withTopP(0));
        assertThrows(IllegalArgumentException.class, () -> GenerationParameters.GREEDY.withMinP(2));
        assertThrows(IllegalArgumentException.class, () -> GenerationParameters.GREEDY.withMaxTokens(-5));
    }

    private static void assertOnlyDrawn(Sampler sampler, int... allowed) {
        boolean[] seen = new boolean[5];
        for (int i = 0; i < 5000; i++) {
            seen[sampler.sample(LOGITS, new int[0], 0)] = true;
        }
        for (int t = 0; t < 5; t++) {
            int token = t;
            boolean expected = java.util.Arrays.stream(allowed).anyMatch(a -> a == token);
            assertEquals(expected, seen[t], "token " + t + " drawn");
        }
        assertTrue(seen[allowed[0]]);
    }
}
