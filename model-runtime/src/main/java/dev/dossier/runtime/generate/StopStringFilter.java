package dev.dossier.runtime.generate;

import java.util.List;
import java.util.function.Consumer;

/**
 * Passes generated text on as it arrives, but holds back any tail that could still become a
 * stop string, so a stop string never reaches the listener, not even its first characters.
 */
final class StopStringFilter {
    private final List<String> stopStrings;
    private final Consumer<String> sink;
    private final StringBuilder text = new StringBuilder();
    private int emitted;

    StopStringFilter(List<String> stopStrings, Consumer<String> sink) {
        this.stopStrings = stopStrings;
        this.sink = sink;
    }

    /** Adds {@code piece}; returns true when a stop string is now complete (the text ends before it). */
    boolean accept(String piece) {
        if (piece.isEmpty()) {
            return false;
        }
        text.append(piece);
        int stopAt = -1;
        for (String stop : stopStrings) {
            int at = text.indexOf(stop, Math.max(0, emitted - stop.length() + 1));
            if (at >= 0 && (stopAt < 0 || at < stopAt)) {
                stopAt = at;
            }
        }
        if (stopAt >= 0) {
            text.setLength(stopAt);
            emitUpTo(stopAt);
            return true;
        }
        emitUpTo(text.length() - heldBack());
        return false;
    }

    /** Emits whatever is held back: generation ended without completing a stop string. */
    void finish() {
        emitUpTo(text.length());
    }

    String text() {
        return text.toString();
    }

    /** Length of the longest tail of the text that is a proper prefix of some stop string. */
    private int heldBack() {
        int longest = 0;
        String pending = text.substring(emitted);
        for (String stop : stopStrings) {
            for (int k = Math.min(stop.length() - 1, pending.length()); k > longest; k--) {
                if (pending.regionMatches(pending.length() - k, stop, 0, k)) {
                    longest = k;
                    break;
                }
            }
        }
        return longest;
    }

    private void emitUpTo(int end) {
        if (end > emitted) {
            sink.accept(text.substring(emitted, end));
            emitted = end;
        }
    }
}
