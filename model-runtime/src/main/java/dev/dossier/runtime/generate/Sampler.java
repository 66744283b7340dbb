package dev.dossier.runtime.generate;

import java.util.Arrays;
import java.util.SplittableRandom;

/**
 * Picks the next token from logits. Order: repetition penalty, then greedy (temperature 0) or
 * temperature, softmax, top-k, top-p, min-p, and a draw from the renormalised distribution
 * with a seeded generator, so a seed always gives the same text.
 */
public final class Sampler {
    private final GenerationParameters parameters;
    private final SplittableRandom random;
    private final float[] work;
    private final long[] order;

    public Sampler(GenerationParameters parameters, int vocabularySize) {
        this.parameters = parameters;
        this.random = new SplittableRandom(parameters.seed());
        this.work = new float[vocabularySize];
        this.order = new long[vocabularySize];
    }

    /**
     * @param history       tokens so far (prompt and generated), for the repetition penalty
     * @param historyLength how many entries of {@code history} are valid
     */
    public int sample(float[] logits, int[] history, int historyLength) {
        int n = work.length;
        System.arraycopy(logits, 0, work, 0, n);
        applyRepetitionPenalty(history, historyLength);
        if (parameters.temperature() == 0f) {
            return argmax(work);
        }
        // Probabilities, sorted descending: encode (probability bits, index) in a long so one
        // primitive sort orders them (non-negative floats sort like their bit patterns).
        float max = Float.NEGATIVE_INFINITY;
        for (float v : work) {
            max = Math.max(max, v);
        }
        double sum = 0;
        for (int i = 0; i < n; i++) {
            double p = Math.exp((work[i] - max) / parameters.temperature());
            work[i] = (float) p;
            sum += p;
        }
        for (int i = 0; i < n; i++) {
            work[i] = (float) (work[i] / sum);
            order[i] = ((long) Float.floatToRawIntBits(work[i]) << 32) | i;
        }
        Arrays.sort(order);
        int kept = n;
        if (parameters.topK() > 0) {
            kept = Math.min(kept, parameters.topK());
        }
        float top = probability(0);
        if (parameters.topP() < 1f) {
            double cumulative = 0;
            for (int r = 0; r < kept; r++) {
                cumulative += probability(r);
                if (cumulative >= parameters.topP()) {
                    kept = r + 1;
                    break;
                }
            }
        }
        if (parameters.minP() > 0f) {
            float threshold = parameters.minP() * top;
            int r = 1;
            while (r < kept && probability(r) >= threshold) {
                r++;
            }
            kept = r;
        }
        double total = 0;
        for (int r = 0; r < kept; r++) {
            total += probability(r);
        }
        double draw = random.nextDouble() * total;
        for (int r = 0; r < kept; r++) {
            draw -= probability(r);
            if (draw < 0) {
                return tokenAt(r);
            }
        }
        return tokenAt(kept - 1);
    }

    private float probability(int rank) {
        return Float.intBitsToFloat((int) (order[order.length - 1 - rank] >>> 32));
    }

    private int tokenAt(int rank) {
        return (int) order[order.length - 1 - rank];
    }

    /** CTRL-style: a seen token's positive logit is divided by the penalty, a negative one multiplied. */
    private void applyRepetitionPenalty(int[] history, int historyLength) {
        float penalty = parameters.repetitionPenalty();
        if (penalty == 1f) {
            return;
        }
        int from = Math.max(0, historyLength - parameters.repetitionWindow());
        boolean[] seen = new boolean[work.length];
        for (int i = from; i < historyLength; i++) {
            int token = history[i];
            if (token >= 0 && token < work.length && !seen[token]) {
                seen[token] = true;
                work[token] = work[token] > 0 ? work[token] / penalty : work[token] * penalty;
            }
        }
    }

    public static int argmax(float[] values) {
        int best = 0;
        for (int i = 1; i < values.length; i++) {
            if (values[i] > values[best]) {
                best = i;
            }
        }
        return best;
    }
}
