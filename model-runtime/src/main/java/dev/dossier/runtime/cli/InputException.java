package dev.dossier.runtime.cli;

/** A problem with what the user asked for: reported as one line, exit code 2. */
final class InputException extends RuntimeException {
    InputException(String message) {
        super(message);
    }
}
