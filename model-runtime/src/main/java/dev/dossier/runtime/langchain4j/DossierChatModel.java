package dev.dossier.runtime.langchain4j;

import dev.dossier.runtime.generate.GenerationResult;
import dev.dossier.runtime.generate.Generator;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.response.ChatResponse;

/**
 * A LangChain4j {@link ChatModel} answering with a local Llama 2 model. Interrupting the calling
 * thread cancels the answer (finish reason OTHER). A conversation that cannot fit the context
 * throws {@link dev.dossier.runtime.model.ContextOverflowException} with both token counts.
 */
public class DossierChatModel extends DossierBaseChatModel implements ChatModel {

    protected DossierChatModel(Builder builder) {
        super(builder);
    }

    public static Builder builder() {
        return new Builder();
    }

    @Override
    public ChatResponse doChat(ChatRequest request) {
        Generation generation = toGeneration(request);
        GenerationResult result = model.generate(generation.prompt(), generation.parameters(), Generator.Listener.NONE);
        return toChatResponse(result);
    }

    public static class Builder extends DossierBaseChatModel.Builder<DossierChatModel, Builder> {
        @Override
        public DossierChatModel build() {
            return new DossierChatModel(this);
        }
    }
}
