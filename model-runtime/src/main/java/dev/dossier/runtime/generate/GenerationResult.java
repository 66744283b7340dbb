package dev.dossier.runtime.generate;

/**
 * The outcome of one generation.
 *
 * @param promptTokens       tokens of the prompt
 * @param reusedPromptTokens prompt tokens that were already in the session's cache (not recomputed)
 * @param generatedTokens    new tokens sampled (the end-of-sequence token included)
 */
public record GenerationResult(
        String text,
        FinishReason finishReason,
        int promptTokens,
        int reusedPromptTokens,
        int generatedTokens,
        long prefillNanos,
        long decodeNanos,
        long firstTokenNanos) {

    public double prefillTokensPerSecond() {
        return perSecond(promptTokens - reusedPromptTokens, prefillNanos);
    }

    public double decodeTokensPerSecond() {
        return perSecond(Math.max(generatedTokens - 1, 0), decodeNanos);
    }

    private static double perSecond(int tokens, long nanos) {
        return nanos <= 0 ? 0 : tokens * 1e9 / nanos;
    }
}
