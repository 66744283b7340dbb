package dev.dossier.runtime.generate;

import dev.dossier.runtime.compute.VectorOps;
import dev.dossier.runtime.model.Session;

/**
 * Perplexity of a token window read as ONE sequence: {@code exp(mean(-log p(token[i] | token[<i])))}
 * over positions 1..n-1. This is how long-context quality is measured: past the training
 * context, plain RoPE degrades sharply while DCA holds.
 */
public final class Perplexity {

    public record Result(double perplexity, double meanNegativeLogLikelihood, int tokens, long nanos) {
    }

    private Perplexity() {
    }

    /** Evaluates {@code tokens} in a fresh {@code session} (its capacity must hold them all). */
    public static Result evaluate(Session session, int[] tokens, Session.Progress progress) {
        if (tokens.length < 2) {
            throw new IllegalArgumentException("perplexity needs at least 2 tokens, got " + tokens.length);
        }
        session.truncate(0);
        long start = System.nanoTime();
        int vocabulary = session.model().config().vocabularySize();
        float[] row = new float[vocabulary];
        double[] negativeLogLikelihood = {0};
        session.prefill(tokens, 0, tokens.length - 1, true, (position, logits, offset) -> {
            System.arraycopy(logits, offset, row, 0, vocabulary);
            int target = tokens[position + 1];
            negativeLogLikelihood[0] += VectorOps.logSumExp(row, vocabulary) - row[target];
        }, progress);
        double mean = negativeLogLikelihood[0] / (tokens.length - 1);
        return new Result(Math.exp(mean), mean, tokens.length, System.nanoTime() - start);
    }
}
