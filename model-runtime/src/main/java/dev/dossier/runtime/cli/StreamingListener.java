package dev.dossier.runtime.cli;

import dev.dossier.runtime.generate.Generator;
import java.io.PrintWriter;

/**
 * Shows a generation as it happens: prefill progress on stderr, then text on stdout, flushed
 * piece by piece. Text starts only after the progress line is erased, so the two never share a
 * line on a terminal.
 */
final class StreamingListener implements Generator.Listener, AutoCloseable {
    private final PrintWriter out;
    private final ProgressLine progress;
    private final String textBeforeAnswer;
    private final boolean trimAnswerStart;
    private boolean prefillDone;
    private boolean answerStarted;
    private boolean endsWithNewline = true;

    /**
     * @param textBeforeAnswer printed once the prompt is prefilled (the echoed prompt, or nothing)
     * @param trimAnswerStart  drop leading whitespace of the answer (chat answers follow a space)
     */
    StreamingListener(PrintWriter out, PrintWriter err, String textBeforeAnswer, boolean trimAnswerStart) {
        this.out = out;
        this.progress = new ProgressLine(err);
        this.textBeforeAnswer = textBeforeAnswer;
        this.trimAnswerStart = trimAnswerStart;
    }

    @Override
    public void onPrefill(int done, int total) {
        progress.tokens("prefill", done, total);
        if (done == total) {
            finishPrefill();
        }
    }

    @Override
    public void onText(String text) {
        finishPrefill();
        if (trimAnswerStart && !answerStarted) {
            text = text.stripLeading();
        }
        answerStarted |= !text.isEmpty();
        print(text);
    }

    private void finishPrefill() {
        if (!prefillDone) {
            prefillDone = true;
            progress.close();
            print(textBeforeAnswer);
        }
    }

    private void print(String text) {
        if (!text.isEmpty()) {
            out.print(text);
            out.flush();
            endsWithNewline = text.endsWith("\n");
        }
    }

    /** Whether stdout is at the start of a line (nothing printed counts as yes). */
    boolean endsWithNewline() {
        return endsWithNewline;
    }

    @Override
    public void close() {
        progress.close();
    }
}
