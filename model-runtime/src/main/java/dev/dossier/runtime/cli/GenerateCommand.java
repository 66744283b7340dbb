package dev.dossier.runtime.cli;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.engine.Engine;
import dev.dossier.runtime.generate.ChatFormat;
import dev.dossier.runtime.generate.ChatFormat.Message;
import dev.dossier.runtime.generate.ChatFormat.Role;
import dev.dossier.runtime.generate.GenerationParameters;
import dev.dossier.runtime.generate.GenerationResult;
import dev.dossier.runtime.generate.Generator;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.model.Session;
import java.io.IOException;
import java.io.PrintWriter;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import picocli.CommandLine.ArgGroup;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Option;
import picocli.CommandLine.Spec;

@Command(name = "generate", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Continues a prompt, streaming the prompt and then the new text to stdout.",
                "Stdout gets exactly that text, with no newline added; statistics go to stderr.",
                "With --chat the prompt is one user message in the Llama 2 chat format and only the answer is printed."})
final class GenerateCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @Mixin
    ModelOption model;

    @ArgGroup(exclusive = true, multiplicity = "1")
    PromptSource prompt;

    @Option(names = "--chat", description = "Wrap the prompt in the Llama 2 chat format.")
    boolean chat;

    @Mixin
    GenerationOptions generation;

    @Mixin
    AttentionOptions attention;

    @Mixin
    EngineOptions engines;

    static final class PromptSource {
        @Option(names = {"-p", "--prompt"}, required = true, paramLabel = "TEXT", description = "The prompt; may be empty.")
        String text;

        @Option(names = "--prompt-file", required = true, paramLabel = "FILE", description = "Read the prompt from a UTF-8 file.")
        Path file;

        String read() throws IOException {
            return text != null ? text : TextFiles.read(file);
        }
    }

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        if (generation.system != null && !chat) {
            throw new InputException("--system needs --chat");
        }
        GenerationParameters parameters = generation.parameters();
        String promptText = prompt.read();
        try (Llama llama = model.load(err); Engine engine = engines.open(llama, err)) {
            int trainingContext = llama.config().contextLength();
            AttentionConfig attentionConfig = attention.resolve(trainingContext);
            int capacity = generation.contextCapacity(attentionConfig, trainingContext, err);
            int[] promptTokens = chat
                    ? ChatFormat.llama2Chat(llama.tokenizer(), messages(promptText))
                    : ChatFormat.completion(llama.tokenizer(), promptText);
            if (promptTokens.length > capacity) {
                throw new InputException("the prompt has " + promptTokens.length + " tokens but the context holds "
                        + capacity + " (raise --context or shorten the prompt)");
            }
            // Room for the prompt and the answer, no more: the KV cache is the big allocation.
            Session session = engine.newSession(attentionConfig,
                    (int) Math.min(capacity, (long) promptTokens.length + parameters.maxTokens()));
            GenerationResult result;
            try (StreamingListener listener = new StreamingListener(out, err, chat ? "" : promptText, false)) {
                result = Generator.generate(session, promptTokens, parameters, listener);
                if (!listener.endsWithNewline()) {
                    err.println(); // statistics start on their own line when both streams share a terminal
                }
            }
            printStatistics(err, result, parameters);
        }
        return 0;
    }

    private List<Message> messages(String userText) {
        List<Message> messages = new ArrayList<>();
        if (generation.system != null) {
            messages.add(new Message(Role.SYSTEM, generation.system));
        }
        messages.add(new Message(Role.USER, userText));
        return messages;
    }

    private void printStatistics(PrintWriter err, GenerationResult result, GenerationParameters parameters) {
        err.printf("prompt tokens: %d, prefill %s%n", result.promptTokens(), Sizes.rate(result.prefillTokensPerSecond()));
        err.printf("generated tokens: %d, decode %s%n", result.generatedTokens(), Sizes.rate(result.decodeTokensPerSecond()));
        err.printf("time to first token: %s%n", Sizes.millis(result.firstTokenNanos()));
        err.printf("finish reason: %s%n", result.finishReason().name().toLowerCase(Locale.ROOT));
        if (parameters.temperature() > 0) {
            err.printf("seed: %d%n", generation.seed());
        }
    }
}
