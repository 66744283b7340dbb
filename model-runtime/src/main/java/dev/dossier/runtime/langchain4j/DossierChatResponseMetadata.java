package dev.dossier.runtime.langchain4j;

import dev.langchain4j.model.chat.response.ChatResponseMetadata;

/**
 * What the local runtime adds to LangChain4j's metadata: how much of the prompt came from a
 * cached prefix, and where the time went (as {@code OpenAiChatResponseMetadata} adds its own).
 */
public class DossierChatResponseMetadata extends ChatResponseMetadata {
    private final int reusedPromptTokens;
    private final long prefillMillis;
    private final long timeToFirstTokenMillis;
    private final long decodeMillis;

    protected DossierChatResponseMetadata(Builder builder) {
        super(builder);
        this.reusedPromptTokens = builder.reusedPromptTokens;
        this.prefillMillis = builder.prefillMillis;
        this.timeToFirstTokenMillis = builder.timeToFirstTokenMillis;
        this.decodeMillis = builder.decodeMillis;
    }

    /** Prompt tokens whose KV cache was reused instead of computed. */
    public int reusedPromptTokens() {
        return reusedPromptTokens;
    }

    public long prefillMillis() {
        return prefillMillis;
    }

    public long timeToFirstTokenMillis() {
        return timeToFirstTokenMillis;
    }

    public long decodeMillis() {
        return decodeMillis;
    }

    public static Builder builder() {
        return new Builder();
    }

    public static class Builder extends ChatResponseMetadata.Builder<Builder> {
        private int reusedPromptTokens;
        private long prefillMillis;
        private long timeToFirstTokenMillis;
        private long decodeMillis;

        public Builder reusedPromptTokens(int value) {
            reusedPromptTokens = value;
            return this;
        }

        public Builder prefillMillis(long value) {
            prefillMillis = value;
            return this;
        }

        public Builder timeToFirstTokenMillis(long value) {
            timeToFirstTokenMillis = value;
            return this;
        }

        public Builder decodeMillis(long value) {
            decodeMillis = value;
            return this;
        }

        @Override
        public DossierChatResponseMetadata build() {
            return new DossierChatResponseMetadata(this);
        }
    }
}
