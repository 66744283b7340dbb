package dev.dossier.runtime.cli;

import dev.dossier.runtime.attention.AttentionConfig;
import picocli.CommandLine.Option;

/** {@code --attention}, {@code --chunk-size}, {@code --local-window}: how queries see keys. */
final class AttentionOptions {
    /** With DCA the default context is this many times the training context. */
    static final int DCA_CONTEXT_FACTOR = 32;

    enum Kind { DCA, ROPE }

    @Option(names = "--attention", paramLabel = "dca|rope", defaultValue = "dca",
            description = "dca: Dual Chunk Attention, reads past the training context (default); "
                    + "rope: plain RoPE, as trained.")
    Kind kind;

    @Option(names = "--chunk-size", paramLabel = "CS",
            description = "DCA chunk size, at most the training context (default: 3/4 of it).")
    Integer chunkSize;

    @Option(names = "--local-window", paramLabel = "LS",
            description = "DCA local window, below the chunk size (default: 1/8 of the training context).")
    Integer localWindow;

    /** The configuration for a model trained on {@code trainingContext} tokens. */
    AttentionConfig resolve(int trainingContext) {
        if (kind == Kind.ROPE) {
            if (chunkSize != null || localWindow != null) {
                throw new InputException("--chunk-size and --local-window apply only to --attention dca");
            }
            return AttentionConfig.rope();
        }
        return AttentionConfig.dcaOrDefaults(chunkSize, localWindow, trainingContext);
    }

    /** How many tokens a session may hold unless the user says otherwise. */
    static int defaultContext(AttentionConfig attention, int trainingContext) {
        return attention.dca() ? DCA_CONTEXT_FACTOR * trainingContext : trainingContext;
    }
}
