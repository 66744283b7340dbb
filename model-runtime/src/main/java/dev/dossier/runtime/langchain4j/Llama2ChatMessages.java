package dev.dossier.runtime.langchain4j;

import dev.dossier.runtime.generate.ChatFormat;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import java.util.ArrayList;
import java.util.List;

/** LangChain4j messages as the text turns of a Llama 2 chat; anything else is refused by name. */
final class Llama2ChatMessages {
    private Llama2ChatMessages() {
    }

    static List<ChatFormat.Message> toChatFormat(List<ChatMessage> messages) {
        List<ChatFormat.Message> turns = new ArrayList<>(messages.size());
        for (ChatMessage message : messages) {
            turns.add(toChatFormat(message));
        }
        return turns;
    }

    static ChatFormat.Message toChatFormat(ChatMessage message) {
        return switch (message) {
            case SystemMessage system -> new ChatFormat.Message(ChatFormat.Role.SYSTEM, system.text());
            case UserMessage user when user.hasSingleText() -> new ChatFormat.Message(ChatFormat.Role.USER, user.singleText());
            case UserMessage user -> throw new UnsupportedFeatureException(
                    "Dossier's Llama 2 models read text only; this user message has " + user.contents().size() + " parts or non-text content");
            case AiMessage ai when ai.hasToolExecutionRequests() -> throw new UnsupportedFeatureException(
                    "Dossier's Llama 2 models do not support tools; the conversation holds a tool execution request");
            case AiMessage ai -> new ChatFormat.Message(ChatFormat.Role.ASSISTANT, ai.text() == null ? "" : ai.text());
            default -> throw new UnsupportedFeatureException(
                    "Dossier's Llama 2 models understand system, user and AI messages, not " + message.type() + " messages");
        };
    }
}
