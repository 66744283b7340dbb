package dev.dossier.runtime.langchain4j;

import dev.dossier.runtime.engine.LocalModel;
import dev.dossier.runtime.generate.ChatFormat;
import dev.dossier.runtime.generate.FinishReason;
import dev.dossier.runtime.generate.GenerationParameters;
import dev.dossier.runtime.generate.GenerationResult;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.ModelProvider;
import dev.langchain4j.model.chat.Capability;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.ResponseFormatType;
import dev.langchain4j.model.chat.request.ToolChoice;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.TokenUsage;
import java.util.List;
import java.util.Objects;
import java.util.Set;

/**
 * What {@link DossierChatModel} and {@link DossierStreamingChatModel} share: the local model, the
 * default request parameters, and the translation of LangChain4j requests into Dossier
 * generations and of their results back into {@link ChatResponse}s.
 */
public abstract class DossierBaseChatModel {
    /** Sampling settings LangChain4j has no request parameter for; fallbacks for the ones it has. */
    private static final GenerationParameters FALLBACK = GenerationParameters.sampling(0);

    protected final LocalModel model;
    private final String modelName;
    private final GenerationParameters sampling;
    private final ChatRequestParameters defaultRequestParameters;

    /** A request translated for the runtime: the prompt tokens and how to generate. */
    protected record Generation(int[] prompt, GenerationParameters parameters) {
    }

    protected DossierBaseChatModel(Builder<?, ?> builder) {
        this.model = Objects.requireNonNull(builder.localModel, "localModel is required");
        this.modelName = Objects.requireNonNullElse(builder.modelName, model.model().path().getFileName().toString());
        this.sampling = FALLBACK
                .withSeed(Objects.requireNonNullElse(builder.seed, FALLBACK.seed()))
                .withMinP(Objects.requireNonNullElse(builder.minP, (double) FALLBACK.minP()).floatValue())
                .withRepetitionPenalty(Objects.requireNonNullElse(builder.repetitionPenalty, (double) FALLBACK.repetitionPenalty()).floatValue());
        // As in LangChain4j's own models: explicit builder settings, then defaultRequestParameters, then fallbacks.
        ChatRequestParameters common = Objects.requireNonNullElse(builder.defaultRequestParameters, ChatRequestParameters.builder().build());
        this.defaultRequestParameters = ChatRequestParameters.builder()
                .modelName(firstNonNull(common.modelName(), modelName))
                .temperature(firstNonNull(builder.temperature, common.temperature(), (double) FALLBACK.temperature()))
                .topP(firstNonNull(builder.topP, common.topP(), (double) FALLBACK.topP()))
                .topK(firstNonNull(builder.topK, common.topK(), FALLBACK.topK()))
                .maxOutputTokens(firstNonNull(builder.maxOutputTokens, common.maxOutputTokens(), FALLBACK.maxTokens()))
                .stopSequences(firstNonNull(builder.stopSequences, common.stopSequences(), List.of()))
                .build();
        validate(defaultRequestParameters);
    }

    public ChatRequestParameters defaultRequestParameters() {
        return defaultRequestParameters;
    }

    public ModelProvider provider() {
        return ModelProvider.OTHER;
    }

    /** No JSON schema response format: Llama 2 models have no constrained decoding here. */
    public Set<Capability> supportedCapabilities() {
        return Set.of();
    }

    public LocalModel localModel() {
        return model;
    }

    /** Merges the request's parameters over the defaults and turns the messages into prompt tokens. */
    protected Generation toGeneration(ChatRequest request) {
        ChatRequestParameters parameters = request.parameters() == null
                ? defaultRequestParameters
                : defaultRequestParameters.overrideWith(request.parameters());
        validate(parameters);
        int[] prompt = ChatFormat.llama2Chat(model.tokenizer(), Llama2ChatMessages.toChatFormat(request.messages()));
        GenerationParameters generation = sampling
                .withMaxTokens(parameters.maxOutputTokens())
                .withTemperature(parameters.temperature().floatValue())
                .withTopP(parameters.topP().floatValue())
                .withTopK(parameters.topK())
                .withStopStrings(Objects.requireNonNullElse(parameters.stopSequences(), List.of()));
        return new Generation(prompt, generation);
    }

    protected ChatResponse toChatResponse(GenerationResult result) {
        return ChatResponse.builder()
                .aiMessage(AiMessage.from(result.text()))
                .metadata(DossierChatResponseMetadata.builder()
                        .modelName(modelName)
                        .tokenUsage(new TokenUsage(result.promptTokens(), result.generatedTokens()))
                        .finishReason(toFinishReason(result.finishReason()))
                        .reusedPromptTokens(result.reusedPromptTokens())
                        .prefillMillis(result.prefillNanos() / 1_000_000)
                        .timeToFirstTokenMillis(result.firstTokenNanos() / 1_000_000)
                        .decodeMillis(result.decodeNanos() / 1_000_000)
                        .build())
                .build();
    }

    static dev.langchain4j.model.output.FinishReason toFinishReason(FinishReason reason) {
        return switch (reason) {
            case END_OF_SEQUENCE, STOP_STRING -> dev.langchain4j.model.output.FinishReason.STOP;
            case MAX_TOKENS, CONTEXT_FULL -> dev.langchain4j.model.output.FinishReason.LENGTH;
            case CANCELLED -> dev.langchain4j.model.output.FinishReason.OTHER;
        };
    }

    /** Refuses, by name, what a local Llama 2 chat model cannot do rather than silently ignoring it. */
    private void validate(ChatRequestParameters parameters) {
        if (parameters.toolSpecifications() != null && !parameters.toolSpecifications().isEmpty()
                || parameters.toolChoice() == ToolChoice.REQUIRED) {
            throw new UnsupportedFeatureException("Dossier's Llama 2 models do not support tools");
        }
        if (parameters.responseFormat() != null && parameters.responseFormat().type() == ResponseFormatType.JSON) {
            throw new UnsupportedFeatureException("Dossier's Llama 2 models do not support a JSON response format or JSON schema");
        }
        if (parameters.frequencyPenalty() != null || parameters.presencePenalty() != null) {
            throw new UnsupportedFeatureException(
                    "Dossier does not support frequency or presence penalties; set repetitionPenalty on the model's builder");
        }
        if (parameters.modelName() != null && !parameters.modelName().equals(modelName)) {
            throw new UnsupportedFeatureException("this chat model serves " + modelName + ", not " + parameters.modelName());
        }
    }

    @SafeVarargs
    private static <T> T firstNonNull(T... values) {
        for (T value : values) {
            if (value != null) {
                return value;
            }
        }
        return null;
    }

    /** Settings both chat models are built from, like LangChain4j's own model builders. */
    public abstract static class Builder<C extends DossierBaseChatModel, B extends Builder<C, B>> {
        private LocalModel localModel;
        private String modelName;
        private Double temperature;
        private Double topP;
        private Integer topK;
        private Integer maxOutputTokens;
        private List<String> stopSequences;
        private Long seed;
        private Double minP;
        private Double repetitionPenalty;
        private ChatRequestParameters defaultRequestParameters;

        @SuppressWarnings("unchecked")
        private B self() {
            return (B) this;
        }

        /** The loaded model to answer with (required). */
        public B localModel(LocalModel localModel) {
            this.localModel = localModel;
            return self();
        }

        /** The name reported in responses; the model's file name by default. */
        public B modelName(String modelName) {
            this.modelName = modelName;
            return self();
        }

        /** 0 picks the most likely token every time (deterministic); default 0.7. */
        public B temperature(Double temperature) {
            this.temperature = temperature;
            return self();
        }

        public B topP(Double topP) {
            this.topP = topP;
            return self();
        }

        public B topK(Integer topK) {
            this.topK = topK;
            return self();
        }

        public B maxOutputTokens(Integer maxOutputTokens) {
            this.maxOutputTokens = maxOutputTokens;
            return self();
        }

        public B stopSequences(List<String> stopSequences) {
            this.stopSequences = stopSequences;
            return self();
        }

        /** The same seed and request give the same answer, also when sampling. */
        public B seed(Long seed) {
            this.seed = seed;
            return self();
        }

        public B minP(Double minP) {
            this.minP = minP;
            return self();
        }

        /** 1 switches the penalty off; default 1.1. */
        public B repetitionPenalty(Double repetitionPenalty) {
            this.repetitionPenalty = repetitionPenalty;
            return self();
        }

        public B defaultRequestParameters(ChatRequestParameters defaultRequestParameters) {
            this.defaultRequestParameters = defaultRequestParameters;
            return self();
        }

        public abstract C build();
    }
}
