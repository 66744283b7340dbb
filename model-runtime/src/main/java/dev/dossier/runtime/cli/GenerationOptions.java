package dev.dossier.runtime.cli;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.generate.GenerationParameters;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import picocli.CommandLine.Option;

/**
 * Sampling and context options shared by {@code generate} and {@code chat}. The sampling
 * defaults are llama.cpp's; the repetition penalty is off by default, so that
 * {@code --temperature 0} is plain greedy decoding.
 */
final class GenerationOptions {
    /** How many of the latest tokens the repetition penalty looks at. */
    private static final int REPETITION_WINDOW = 64;

    @Option(names = {"-n", "--max-tokens"}, paramLabel = "N", defaultValue = "256",
            description = "Most new tokens to generate (per answer in chat; default: ${DEFAULT-VALUE}).")
    int maxTokens;

    @Option(names = {"-t", "--temperature"}, paramLabel = "T", defaultValue = "0.8",
            description = "Sampling temperature; 0 is greedy, always the likeliest token (default: ${DEFAULT-VALUE}).")
    float temperature;

    @Option(names = "--top-k", paramLabel = "K", defaultValue = "40",
            description = "Sample among the K likeliest tokens; 0 turns it off (default: ${DEFAULT-VALUE}).")
    int topK;

    @Option(names = "--top-p", paramLabel = "P", defaultValue = "0.95",
            description = "Sample among the likeliest tokens that make up probability P; 1 turns it off (default: ${DEFAULT-VALUE}).")
    float topP;

    @Option(names = "--min-p", paramLabel = "P", defaultValue = "0.05",
            description = "Drop tokens less likely than P times the likeliest; 0 turns it off (default: ${DEFAULT-VALUE}).")
    float minP;

    @Option(names = "--repeat-penalty", paramLabel = "R", defaultValue = "1.0",
            description = "Penalise tokens seen in the last " + REPETITION_WINDOW + "; 1 turns it off (default: ${DEFAULT-VALUE}).")
    float repeatPenalty;

    @Option(names = "--seed", paramLabel = "S",
            description = "Random seed: the same seed gives the same text (default: a random seed, printed with the statistics).")
    Long seed;

    @Option(names = "--stop", paramLabel = "STR",
            description = "End generation when this text appears (not printed); repeatable.")
    List<String> stopStrings = new ArrayList<>();

    @Option(names = {"-c", "--context"}, paramLabel = "N",
            description = "Most tokens the context holds, prompt included (default: " + AttentionOptions.DCA_CONTEXT_FACTOR
                    + " x the training context with DCA, the training context with RoPE).")
    Integer context;

    @Option(names = "--system", paramLabel = "TEXT", description = "System prompt for the Llama 2 chat format.")
    String system;

    private long resolvedSeed;

    GenerationParameters parameters() {
        resolvedSeed = seed != null ? seed : ThreadLocalRandom.current().nextLong();
        return new GenerationParameters(maxTokens, temperature, topK, topP, minP, repeatPenalty,
                REPETITION_WINDOW, resolvedSeed, stopStrings);
    }

    /** The seed in use, once {@link #parameters()} has picked it. */
    long seed() {
        return resolvedSeed;
    }

    /**
     * The context capacity; warns when plain RoPE is asked to go past the training context,
     * where its output degrades.
     */
    int contextCapacity(AttentionConfig attention, int trainingContext, PrintWriter err) {
        int capacity = context != null ? context : AttentionOptions.defaultContext(attention, trainingContext);
        if (capacity <= 0) {
            throw new InputException("--context must be positive, got " + capacity);
        }
        if (!attention.dca() && capacity > trainingContext) {
            err.println("warning: plain RoPE past the training context (" + trainingContext
                    + " tokens) degrades the output; --attention dca is made for this");
        }
        return capacity;
    }
}
