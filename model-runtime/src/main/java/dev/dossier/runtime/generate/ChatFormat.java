package dev.dossier.runtime.generate;

import dev.dossier.runtime.tokenizer.Tokenizer;
import java.util.List;
import java.util.stream.IntStream;

/**
 * Turns a conversation into prompt tokens the way Llama 2 chat models were trained:
 * {@code <s>[INST] <<SYS>>\n{system}\n<</SYS>>\n\n{user} [/INST] {answer} </s><s>[INST] ...}.
 * BOS and EOS are added as token ids, never parsed out of text.
 */
public final class ChatFormat {

    public enum Role { SYSTEM, USER, ASSISTANT }

    public record Message(Role role, String text) {
    }

    private ChatFormat() {
    }

    /** Plain completion: BOS (when the model wants one) and the text. */
    public static int[] completion(Tokenizer tokenizer, String text) {
        return tokenizer.encode(text, tokenizer.addsBos());
    }

    /**
     * The tokens of a Llama 2 chat conversation, ending after the last user turn's
     * {@code [/INST]} so the model writes the next answer.
     */
    public static int[] llama2Chat(Tokenizer tokenizer, List<Message> messages) {
        IntStream.Builder tokens = IntStream.builder();
        String system = null;
        String user = null;
        for (Message message : messages) {
            switch (message.role()) {
                case SYSTEM -> system = message.text();
                case USER -> {
                    if (user != null) {
                        throw new IllegalArgumentException("two user messages in a row: merge them or put an answer between");
                    }
                    user = message.text();
                }
                case ASSISTANT -> {
                    if (user == null) {
                        throw new IllegalArgumentException("an assistant message must follow a user message");
                    }
                    instruction(tokenizer, tokens, system, user);
                    add(tokens, tokenizer.encode(" " + message.text().strip() + " ", false));
                    tokens.add(tokenizer.eos());
                    system = null;
                    user = null;
                }
            }
        }
        if (user == null) {
            throw new IllegalArgumentException("the conversation must end with a user message");
        }
        instruction(tokenizer, tokens, system, user);
        return tokens.build().toArray();
    }

    /**
     * The tokens every conversation opening with this system prompt starts with: what a prefix
     * cache holds. (A newline is never merged with the text after it, so these tokens are
     * exactly the start of {@link #llama2Chat} for any first question.)
     */
    public static int[] llama2SystemPrefix(Tokenizer tokenizer, String system) {
        IntStream.Builder tokens = IntStream.builder();
        tokens.add(tokenizer.bos());
        add(tokens, tokenizer.encode(openInstruction(system), false));
        return tokens.build().toArray();
    }

    private static void instruction(Tokenizer tokenizer, IntStream.Builder tokens, String system, String user) {
        tokens.add(tokenizer.bos());
        add(tokens, tokenizer.encode(openInstruction(system) + user.strip() + " [/INST]", false));
    }

    private static String openInstruction(String system) {
        return system == null ? "[INST] " : "[INST] <<SYS>>\n" + system.strip() + "\n<</SYS>>\n\n";
    }

    private static void add(IntStream.Builder builder, int[] ids) {
        for (int id : ids) {
            builder.add(id);
        }
    }
}
