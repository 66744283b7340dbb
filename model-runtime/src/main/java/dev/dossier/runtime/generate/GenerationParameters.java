package dev.dossier.runtime.generate;

import java.util.List;

/**
 * How to pick tokens and when to stop. Zero or neutral values switch a filter off:
 * temperature 0 is greedy, topK 0, topP 1, minP 0 and repetitionPenalty 1 do nothing.
 *
 * @param repetitionWindow how many of the latest tokens the repetition penalty looks at
 * @param seed             the same seed (and everything else the same) gives the same text
 */
public record GenerationParameters(
        int maxTokens,
        float temperature,
        int topK,
        float topP,
        float minP,
        float repetitionPenalty,
        int repetitionWindow,
        long seed,
        List<String> stopStrings) {

    public static final GenerationParameters GREEDY = new GenerationParameters(256, 0f, 0, 1f, 0f, 1f, 64, 0L, List.of());

    public GenerationParameters {
        if (maxTokens < 0) {
            throw new IllegalArgumentException("max tokens must be at least 0, got " + maxTokens);
        }
        if (!(temperature >= 0)) {
            throw new IllegalArgumentException("temperature must be at least 0, got " + temperature);
        }
        if (topK < 0) {
            throw new IllegalArgumentException("top-k must be at least 0, got " + topK);
        }
        if (!(topP > 0 && topP <= 1)) {
            throw new IllegalArgumentException("top-p must be in (0, 1], got " + topP);
        }
        if (!(minP >= 0 && minP <= 1)) {
            throw new IllegalArgumentException("min-p must be in [0, 1], got " + minP);
        }
        if (!(repetitionPenalty > 0)) {
            throw new IllegalArgumentException("repetition penalty must be positive, got " + repetitionPenalty);
        }
        stopStrings = stopStrings.stream().filter(s -> !s.isEmpty()).toList();
    }

    /** Sensible sampling defaults for chat: temperature 0.7, top-p 0.9, a light repetition penalty. */
    public static GenerationParameters sampling(long seed) {
        return new GenerationParameters(512, 0.7f, 40, 0.9f, 0.05f, 1.1f, 64, seed, List.of());
    }

    public GenerationParameters withMaxTokens(int value) {
        return new GenerationParameters(value, temperature, topK, topP, minP, repetitionPenalty, repetitionWindow, seed, stopStrings);
    }

    public GenerationParameters withTemperature(float value) {
        return new GenerationParameters(maxTokens, value, topK, topP, minP, repetitionPenalty, repetitionWindow, seed, stopStrings);
    }

    public GenerationParameters withTopK(int value) {
        return new GenerationParameters(maxTokens, temperature, value, topP, minP, repetitionPenalty, repetitionWindow, seed, stopStrings);
    }

    public GenerationParameters withTopP(float value) {
        return new GenerationParameters(maxTokens, temperature, topK, value, minP, repetitionPenalty, repetitionWindow, seed, stopStrings);
    }

    public GenerationParameters withMinP(float value) {
        return new GenerationParameters(maxTokens, temperature, topK, topP, value, repetitionPenalty, repetitionWindow, seed, stopStrings);
    }

    public GenerationParameters withRepetitionPenalty(float value) {
        return new GenerationParameters(maxTokens, temperature, topK, topP, minP, value, repetitionWindow, seed, stopStrings);
    }

    public GenerationParameters withSeed(long value) {
        return new GenerationParameters(maxTokens, temperature, topK, topP, minP, repetitionPenalty, repetitionWindow, value, stopStrings);
    }

    public GenerationParameters withStopStrings(List<String> value) {
        return new GenerationParameters(maxTokens, temperature, topK, topP, minP, repetitionPenalty, repetitionWindow, seed, value);
    }
}
