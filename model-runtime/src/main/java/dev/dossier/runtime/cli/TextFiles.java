package dev.dossier.runtime.cli;

import java.io.IOException;
import java.nio.charset.CharacterCodingException;
import java.nio.file.Files;
import java.nio.file.Path;

/** Reading the user's text files, with errors that name the file. */
final class TextFiles {
    private TextFiles() {
    }

    static String read(Path file) throws IOException {
        if (!Files.exists(file)) {
            throw new InputException("file not found: " + file);
        }
        if (!Files.isRegularFile(file)) {
            throw new InputException("not a file: " + file);
        }
        try {
            return Files.readString(file);
        } catch (CharacterCodingException e) {
            throw new InputException(file + " is not UTF-8 text");
        }
    }
}
