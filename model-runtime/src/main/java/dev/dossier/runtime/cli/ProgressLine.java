package dev.dossier.runtime.cli;

import java.io.PrintWriter;

/**
 * A status line on stderr that rewrites itself with {@code \r} and is erased when the work
 * ends, so progress never mixes with the lines that stay (results, errors).
 */
final class ProgressLine implements AutoCloseable {
    /** Prefill and evaluation progress is shown only for inputs at least this long. */
    static final int SHOW_FROM_TOKENS = 512;

    private final PrintWriter err;
    private int shownLength;

    ProgressLine(PrintWriter err) {
        this.err = err;
    }

    void show(String status) {
        // Pad over the previous status, which may have been longer.
        err.print("\r" + status + " ".repeat(Math.max(0, shownLength - status.length())));
        err.flush();
        shownLength = status.length();
    }

    /** Shows {@code "<label> done/total tokens"} when {@code total} is long enough to wait for. */
    void tokens(String label, int done, int total) {
        if (total >= SHOW_FROM_TOKENS) {
            show(label + " " + done + "/" + total + " tokens");
        }
    }

    @Override
    public void close() {
        if (shownLength > 0) {
            err.print("\r" + " ".repeat(shownLength) + "\r");
            err.flush();
            shownLength = 0;
        }
    }
}
