package dev.dossier.runtime.cli;

import dev.dossier.runtime.gguf.GgufFormatException;
import java.io.BufferedReader;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStreamReader;
import java.io.OutputStreamWriter;
import java.io.PrintWriter;
import java.io.Reader;
import java.io.UncheckedIOException;
import java.nio.charset.CharacterCodingException;
import java.nio.charset.StandardCharsets;
import java.nio.file.AccessDeniedException;
import java.nio.file.NoSuchFileException;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.ParameterException;

/**
 * The {@code dossier} command line. Every failure ends as one {@code error: ...} line on stderr
 * and an exit code: 2 when the user's input is at fault (arguments, files, prompt too long), 1
 * for anything else. Stack traces are shown only with {@code -Ddossier.debug=true}.
 */
@Command(name = "dossier",
        mixinStandardHelpOptions = true,
        versionProvider = DossierCommand.Version.class,
        description = "Runs Llama 2 GGUF models in pure Java, with Dual Chunk Attention for long contexts.",
        subcommands = {
                InfoCommand.class,
                TokenizeCommand.class,
                GenerateCommand.class,
                ChatCommand.class,
                PerplexityCommand.class,
                BenchCommand.class,
                MakeModelCommand.class,
                CompareEnginesCommand.class})
public final class DossierCommand {
    static final int EXIT_FAILURE = 1;
    static final int EXIT_USAGE = 2;

    private final BufferedReader in;

    private DossierCommand(BufferedReader in) {
        this.in = in;
    }

    /** What {@code chat} reads its turns from. */
    BufferedReader in() {
        return in;
    }

    public static void main(String[] args) {
        PrintWriter out = new PrintWriter(new OutputStreamWriter(System.out, StandardCharsets.UTF_8));
        PrintWriter err = new PrintWriter(new OutputStreamWriter(System.err, StandardCharsets.UTF_8), true);
        Reader in = new InputStreamReader(System.in, StandardCharsets.UTF_8);
        System.exit(run(in, out, err, args));
    }

    /** Runs one command line with the given streams and returns its exit code (tests call this). */
    public static int run(Reader in, PrintWriter out, PrintWriter err, String... args) {
        CommandLine commandLine = new CommandLine(new DossierCommand(new BufferedReader(in)))
                .setCaseInsensitiveEnumValuesAllowed(true)
                .setOut(out)
                .setErr(err)
                .setParameterExceptionHandler(DossierCommand::reportBadArguments)
                .setExecutionExceptionHandler((failure, command, parseResult) -> reportFailure(failure, command));
        try {
            return commandLine.execute(args);
        } catch (OutOfMemoryError e) {
            err.println("error: out of memory (lower --context, or give Java more with DOSSIER_JAVA_OPTS=-Xmx...)");
            return EXIT_FAILURE;
        } finally {
            out.flush();
            err.flush();
        }
    }

    private static int reportBadArguments(ParameterException failure, String[] args) {
        CommandLine command = failure.getCommandLine();
        String message = failure.getMessage().replaceFirst("^Error: ", ""); // picocli starts some messages so
        command.getErr().println("error: " + message
                + " (try '" + command.getCommandSpec().qualifiedName() + " --help')");
        return EXIT_USAGE;
    }

    private static int reportFailure(Exception failure, CommandLine command) {
        PrintWriter err = command.getErr();
        command.getOut().flush();
        if (Boolean.getBoolean("dossier.debug")) {
            failure.printStackTrace(err);
        }
        err.println("error: " + describe(failure));
        return isInputError(failure) ? EXIT_USAGE : EXIT_FAILURE;
    }

    /** The user can fix these by changing the command line or its files. */
    private static boolean isInputError(Throwable failure) {
        Throwable cause = unwrap(failure);
        return cause instanceof InputException
                || cause instanceof IllegalArgumentException // bad option values, prompt past the context
                || cause instanceof GgufFormatException
                || cause instanceof NoSuchFileException
                || cause instanceof FileNotFoundException
                || cause instanceof AccessDeniedException
                || cause instanceof CharacterCodingException;
    }

    private static String describe(Throwable failure) {
        Throwable cause = unwrap(failure);
        return switch (cause) {
            case NoSuchFileException e -> "file not found: " + e.getFile();
            case AccessDeniedException e -> "permission denied: " + e.getFile();
            case CharacterCodingException e -> "the input is not valid UTF-8 text";
            case IOException e -> e.getMessage() != null ? "I/O failure: " + e.getMessage() : "I/O failure";
            default -> cause.getMessage() != null ? cause.getMessage()
                    : "unexpected " + cause.getClass().getSimpleName().replace("Exception", " failure")
                    + " (rerun with DOSSIER_JAVA_OPTS=-Ddossier.debug=true for details)";
        };
    }

    private static Throwable unwrap(Throwable failure) {
        return failure instanceof UncheckedIOException e ? e.getCause() : failure;
    }

    static final class Version implements CommandLine.IVersionProvider {
        @Override
        public String[] getVersion() {
            String version = DossierCommand.class.getPackage().getImplementationVersion();
            return new String[] {"dossier " + (version != null ? version : "0.1.0-SNAPSHOT")
                    + " (Java " + Runtime.version() + ")"};
        }
    }
}
