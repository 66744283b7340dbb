package dev.dossier.runtime.gguf;

/** A GGUF file that cannot be used; the message names the problem and, where it helps, the byte offset. */
public class GgufFormatException extends RuntimeException {
    public GgufFormatException(String message) {
        super(message);
    }

    public GgufFormatException(String message, Throwable cause) {
        super(message, cause);
    }
}
