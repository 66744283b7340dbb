package dev.dossier.runtime.langchain4j;

import dev.dossier.runtime.engine.LocalModel;
import dev.dossier.runtime.generate.ChatFormat;
import dev.dossier.runtime.generate.ChatFormat.Role;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.model.TokenCountEstimator;
import java.util.ArrayList;
import java.util.List;

/**
 * Counts tokens with the model's own tokenizer, so LangChain4j's token-window memories and
 * splitters measure what the model will read. A conversation ending in a user message is counted
 * exactly as the Llama 2 chat prompt it becomes ({@code [INST]} markers, BOS and EOS included);
 * any other list as the sum of its messages' texts.
 */
public class DossierTokenCountEstimator implements TokenCountEstimator {
    private final LocalModel model;

    public DossierTokenCountEstimator(LocalModel model) {
        this.model = model;
    }

    @Override
    public int estimateTokenCountInText(String text) {
        return model.countTokens(text);
    }

    @Override
    public int estimateTokenCountInMessage(ChatMessage message) {
        return model.countTokens(Llama2ChatMessages.toChatFormat(message).text());
    }

    @Override
    public int estimateTokenCountInMessages(Iterable<ChatMessage> messages) {
        List<ChatMessage> list = new ArrayList<>();
        messages.forEach(list::add);
        List<ChatFormat.Message> turns = Llama2ChatMessages.toChatFormat(list);
        if (!turns.isEmpty() && turns.getLast().role() == Role.USER) {
            try {
                return ChatFormat.llama2Chat(model.tokenizer(), turns).length;
            } catch (IllegalArgumentException notAChat) {
                // e.g. two user messages in a row: fall back to counting the texts
            }
        }
        return turns.stream().mapToInt(turn -> model.countTokens(turn.text())).sum();
    }
}
