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
import dev.dossier.runtime.tokenizer.Tokenizer;
import java.io.BufferedReader;
import java.io.PrintWriter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.Callable;
import java.util.stream.IntStream;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.ParentCommand;
import picocli.CommandLine.Spec;

@Command(name = "chat", mixinStandardHelpOptions = true, sortOptions = false,
        description = {"Talks with the model in the Llama 2 chat format, one line per message.",
                "The KV cache is kept across turns, so each turn computes only its new tokens.",
                "/reset starts a new conversation, /exit (or end of input) quits."})
final class ChatCommand implements Callable<Integer> {
    @Spec
    CommandSpec spec;

    @ParentCommand
    DossierCommand dossier;

    @Mixin
    ModelOption model;

    @Mixin
    GenerationOptions generation;

    @Mixin
    AttentionOptions attention;

    @Mixin
    EngineOptions engines;

    @Override
    public Integer call() throws Exception {
        PrintWriter out = spec.commandLine().getOut();
        PrintWriter err = spec.commandLine().getErr();
        BufferedReader in = dossier.in();
        GenerationParameters parameters = generation.parameters();
        try (Llama llama = model.load(err); Engine engine = engines.open(llama, err)) {
            int trainingContext = llama.config().contextLength();
            AttentionConfig attentionConfig = attention.resolve(trainingContext);
            int capacity = generation.contextCapacity(attentionConfig, trainingContext, err);
            Session session = engine.newSession(attentionConfig, capacity);
            Transcript transcript = new Transcript(llama.tokenizer(), generation.system);
            err.println("chatting with " + model.path.getFileName() + " (" + engine.name() + " engine, " + attentionConfig + ", context "
                    + capacity + " tokens): /reset starts over, /exit quits");
            for (int turn = 1; ; ) {
                out.print("> ");
                out.flush();
                String line = in.readLine();
                if (line == null) {
                    out.println();
                    break;
                }
                line = line.strip();
                if (line.isEmpty()) {
                    continue;
                }
                if (line.equals("/exit")) {
                    break;
                }
                if (line.equals("/reset")) {
                    transcript.reset();
                    err.println("(new conversation)");
                    continue;
                }
                if (line.startsWith("/")) {
                    err.println("unknown command " + line + " (/reset starts over, /exit quits)");
                    continue;
                }
                int[] prompt = transcript.withUserMessage(line);
                if (prompt.length > capacity) {
                    // The REPL goes on: the user can /reset and keep talking.
                    err.println("error: the conversation has " + prompt.length + " tokens but the context holds "
                            + capacity + " (/reset to start over, or raise --context)");
                    continue;
                }
                GenerationResult result;
                try (StreamingListener listener = new StreamingListener(out, err, "", true)) {
                    result = Generator.generate(session, prompt, parameters, listener);
                    if (!listener.endsWithNewline()) {
                        out.println();
                    }
                    out.flush();
                }
                transcript.answered(session.cachedTokens());
                err.printf("[turn %d: %d prompt tokens, %d reused, %d prefilled at %s; %d generated at %s; %s]%n",
                        turn++, result.promptTokens(), result.reusedPromptTokens(),
                        result.promptTokens() - result.reusedPromptTokens(), Sizes.rate(result.prefillTokensPerSecond()),
                        result.generatedTokens(), Sizes.rate(result.decodeTokensPerSecond()),
                        result.finishReason().name().toLowerCase(Locale.ROOT));
            }
        }
        return 0;
    }

    /**
     * The conversation as the tokens the model has seen. Each answer is kept as the tokens it
     * was generated as (not re-encoded from its text), so the next turn's prompt starts with
     * exactly what the KV cache holds and only the new message is prefilled.
     */
    private static final class Transcript {
        private final Tokenizer tokenizer;
        private final String system;
        private int[] tokens = new int[0];

        Transcript(Tokenizer tokenizer, String system) {
            this.tokenizer = tokenizer;
            this.system = system;
        }

        /** The prompt for the next answer: the conversation so far and the new user message. */
        int[] withUserMessage(String text) {
            List<Message> messages = new ArrayList<>();
            if (tokens.length == 0 && system != null) {
                messages.add(new Message(Role.SYSTEM, system)); // Llama 2 puts it in the first instruction only
            }
            messages.add(new Message(Role.USER, text));
            int[] message = ChatFormat.llama2Chat(tokenizer, messages);
            return IntStream.concat(Arrays.stream(tokens), Arrays.stream(message)).toArray();
        }

        /**
         * Records the answer from what the session holds: the prompt and every generated token
         * but the last sampled one, which never went through the model. EOS closes the turn.
         */
        void answered(int[] sessionTokens) {
            tokens = Arrays.copyOf(sessionTokens, sessionTokens.length + 1);
            tokens[sessionTokens.length] = tokenizer.eos();
        }

        void reset() {
            tokens = new int[0];
        }
    }
}
