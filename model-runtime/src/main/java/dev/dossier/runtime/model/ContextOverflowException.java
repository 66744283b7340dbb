package dev.dossier.runtime.model;

/** More tokens than a session's context holds: says how many were needed and how many fit. */
public class ContextOverflowException extends IllegalArgumentException {
    private final int tokensNeeded;
    private final int tokensAvailable;

    public ContextOverflowException(int tokensNeeded, int tokensAvailable) {
        super("the input needs " + tokensNeeded + " tokens but the context holds " + tokensAvailable);
        this.tokensNeeded = tokensNeeded;
        this.tokensAvailable = tokensAvailable;
    }

    public int tokensNeeded() {
        return tokensNeeded;
    }

    public int tokensAvailable() {
        return tokensAvailable;
    }
}
