package dev.dossier.runtime.generate;

/** Why generation ended. */
public enum FinishReason {
    /** The model produced its end-of-sequence token. */
    END_OF_SEQUENCE,
    /** One of the stop strings appeared (it is not part of the text). */
    STOP_STRING,
    /** The maximum number of new tokens was reached. */
    MAX_TOKENS,
    /** The session's context is full. */
    CONTEXT_FULL,
    /** The caller cancelled (interrupted the generating thread). */
    CANCELLED
}
