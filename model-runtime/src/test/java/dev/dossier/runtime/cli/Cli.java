package dev.dossier.runtime.cli;

import dev.dossier.runtime.Fixtures;
import java.io.PrintWriter;
import java.io.StringReader;
import java.io.StringWriter;
import java.util.Arrays;
import java.util.List;

/** Runs {@code dossier} in-process with captured streams. */
final class Cli {
    private Cli() {
    }

    record Result(int exitCode, String out, String err) {
        /** Stdout's last line, where {@code --json} puts its object. */
        String lastOutLine() {
            List<String> lines = out.lines().toList();
            return lines.getLast();
        }

        /** Stderr as a terminal shows it: a progress line erased with {@code \r} leaves nothing. */
        List<String> visibleErrLines() {
            return Arrays.stream(err.split("\n"))
                    .map(line -> line.substring(line.lastIndexOf('\r') + 1))
                    .filter(line -> !line.isBlank())
                    .toList();
        }
    }

    static String model() {
        return Fixtures.stories260K().toString();
    }

    static Result run(String... args) {
        return runWithInput("", args);
    }

    static Result runWithInput(String stdin, String... args) {
        StringWriter out = new StringWriter();
        StringWriter err = new StringWriter();
        int exitCode = DossierCommand.run(new StringReader(stdin), new PrintWriter(out), new PrintWriter(err), args);
        return new Result(exitCode, out.toString(), err.toString());
    }
}
