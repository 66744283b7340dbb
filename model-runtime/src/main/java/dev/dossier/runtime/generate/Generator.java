package dev.dossier.runtime.generate;

import dev.dossier.runtime.model.Session;
import dev.dossier.runtime.tokenizer.Decoder;
import dev.dossier.runtime.tokenizer.Tokenizer;
import java.util.concurrent.CancellationException;

/**
 * Runs one generation on a {@link Session}: reuses whatever prefix of the prompt the session has
 * cached, prefills the rest, then samples token by token, streaming text as it becomes whole,
 * until end of sequence, a stop string, the token limit or a full context.
 */
public final class Generator {

    /** Hears a generation as it happens. Cancel by interrupting the generating thread. */
    public interface Listener {
        Listener NONE = new Listener() { };

        /** Prompt tokens prefilled so far, of {@code total} to compute. */
        default void onPrefill(int done, int total) {
        }

        /** Text that became final; stop strings are never passed on, not even in part. */
        default void onText(String text) {
        }
    }

    private Generator() {
    }

    public static GenerationResult generate(Session session, int[] prompt, GenerationParameters parameters, Listener listener) {
        if (prompt.length == 0) {
            throw new IllegalArgumentException("the prompt has no tokens");
        }
        Tokenizer tokenizer = session.model().tokenizer();
        long start = System.nanoTime();
        if (prompt.length > session.capacity()) {
            throw new dev.dossier.runtime.model.ContextOverflowException(prompt.length, session.capacity());
        }
        // Reuse the cached prefix; at least the last prompt token is recomputed for its logits.
        int reused = Math.min(session.cachedPrefixLength(prompt), prompt.length - 1);
        session.truncate(reused);
        float[][] logits = new float[1][];
        try {
            session.prefill(prompt, reused, prompt.length - reused, false,
                    (position, values, offset) -> logits[0] = java.util.Arrays.copyOfRange(values, offset, offset + session.model().config().vocabularySize()),
                    listener::onPrefill);
        } catch (CancellationException e) {
            session.truncate(reused);
            return new GenerationResult("", FinishReason.CANCELLED, prompt.length, reused, 0, System.nanoTime() - start, 0, 0);
        }
        long prefillDone = System.nanoTime();

        int[] history = java.util.Arrays.copyOf(prompt, prompt.length + parameters.maxTokens());
        int historyLength = prompt.length;
        Sampler sampler = new Sampler(parameters, session.model().config().vocabularySize());
        Decoder decoder = tokenizer.newDecoder(prompt[prompt.length - 1]);
        StopStringFilter output = new StopStringFilter(parameters.stopStrings(), listener::onText);
        FinishReason finish = null;
        int generated = 0;
        long firstToken = 0;
        while (finish == null) {
            if (generated == parameters.maxTokens()) {
                finish = FinishReason.MAX_TOKENS;
                break;
            }
            int token = sampler.sample(logits[0], history, historyLength);
            history[historyLength++] = token;
            generated++;
            if (generated == 1) {
                firstToken = System.nanoTime() - start;
            }
            if (token == tokenizer.eos()) {
                finish = FinishReason.END_OF_SEQUENCE;
                break;
            }
            if (output.accept(decoder.accept(token))) {
                finish = FinishReason.STOP_STRING;
                break;
            }
            if (generated == parameters.maxTokens()) {
                finish = FinishReason.MAX_TOKENS;
                break;
            }
            if (session.position() == session.capacity()) {
                finish = FinishReason.CONTEXT_FULL;
                break;
            }
            if (Thread.currentThread().isInterrupted()) {
                finish = FinishReason.CANCELLED;
                break;
            }
            logits[0] = session.next(token);
        }
        if (finish != FinishReason.STOP_STRING) {
            output.accept(decoder.flush());
            output.finish();
        }
        long end = System.nanoTime();
        return new GenerationResult(output.text(), finish, prompt.length, reused, generated,
                prefillDone - start, end - prefillDone, firstToken);
    }
}
