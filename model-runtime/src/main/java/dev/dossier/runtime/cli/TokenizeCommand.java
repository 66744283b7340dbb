package dev.dossier.runtime.cli;

import dev.dossier.runtime.generate.ChatFormat;
import dev.dossier.runtime.tokenizer.Tokenizer;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "tokenize", mixinStandardHelpOptions = true,
        description = {"Shows the tokens a text becomes, BOS first when the model adds one.",
                "Prints one 'id<TAB>piece' line per token; pieces are shown as stored, with \u2581 for a space."})
final class TokenizeCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @Option(names = "--text", required = true, paramLabel = "TEXT", description = "The text to tokenize.")
    String text;

    @Option(names = "--json", description = "Print one JSON object {\"ids\": [...], \"pieces\": [...]} instead.")
    boolean json;

    @Override
    public Integer call() throws Exception {
        Tokenizer tokenizer = model.loadTokenizer();
        int[] ids = ChatFormat.completion(tokenizer, text);
        PrintWriter out = spec.commandLine().getOut();
        if (json) {
            List<String> pieces = new ArrayList<>();
            for (int id : ids) {
                pieces.add(tokenizer.piece(id));
            }
            Map<String, Object> result = new LinkedHashMap<>();
            result.put("ids", ids);
            result.put("pieces", pieces);
            Json.printLine(out, result);
        } else {
            for (int id : ids) {
                out.println(id + "\t" + readable(tokenizer.piece(id)));
            }
            spec.commandLine().getErr().println(ids.length + " tokens");
        }
        return 0;
    }

    /** The piece with control characters escaped, so each token stays on one line. */
    static String readable(String piece) {
        StringBuilder shown = new StringBuilder(piece.length());
        piece.codePoints().forEach(c -> {
            switch (c) {
                case '\n' -> shown.append("\\n");
                case '\t' -> shown.append("\\t");
                case '\r' -> shown.append("\\r");
                case '\\' -> shown.append("\\\\");
                default -> {
                    if (Character.isISOControl(c)) {
                        shown.append(String.format("\\u%04x", c));
                    } else {
                        shown.appendCodePoint(c);
                    }
                }
            }
        });
        return shown.toString();
    }
}
