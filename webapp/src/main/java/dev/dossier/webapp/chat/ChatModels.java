package dev.dossier.webapp.chat;

import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.engine.EngineKind;
import dev.dossier.runtime.engine.LocalModel;
import dev.dossier.runtime.langchain4j.DossierChatModel;
import dev.dossier.runtime.langchain4j.DossierStreamingChatModel;
import dev.dossier.runtime.langchain4j.DossierTokenCountEstimator;
import dev.dossier.runtime.model.Llama;
import dev.dossier.runtime.prefix.ModelFingerprint;
import dev.dossier.webapp.problems.ApiException;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.ChatModel;
import dev.langchain4j.model.chat.StreamingChatModel;
import dev.langchain4j.model.openai.OpenAiChatModel;
import dev.langchain4j.model.openai.OpenAiStreamingChatModel;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The chat models the platform talks to, always through LangChain4j: by default the in-process
 * Dossier runtime (Llama with DCA) on {@code dossier.model.path}, run by the engine
 * {@code dossier.engine} ({@code java} or {@code onnx}); with
 * {@code dossier.chat.provider=openai}, any OpenAI-compatible server (a vLLM cluster, say).
 */
@ApplicationScoped
public class ChatModels {
    private static final Logger LOG = Logger.getLogger(ChatModels.class.getName());

    @Inject
    @ConfigProperty(name = "dossier.chat.provider", defaultValue = "local")
    String provider;

    @Inject
    @ConfigProperty(name = "dossier.model.path")
    Optional<String> modelPath;

    /** What runs the local model: {@code java} (pure Java, everywhere) or {@code onnx} (ONNX Runtime). */
    @Inject
    @ConfigProperty(name = "dossier.engine", defaultValue = "java")
    String engine;

    @Inject
    @ConfigProperty(name = "dossier.attention", defaultValue = "dca")
    String attention;

    @Inject
    @ConfigProperty(name = "dossier.dca.chunk-size")
    Optional<Integer> chunkSize;

    @Inject
    @ConfigProperty(name = "dossier.dca.local-window")
    Optional<Integer> localWindow;

    /** Tokens one question may use (documents, question and answer); default 32 x the training context. */
    @Inject
    @ConfigProperty(name = "dossier.context")
    Optional<Integer> context;

    @Inject
    @ConfigProperty(name = "dossier.openai.base-url", defaultValue = "http://localhost:8000/v1")
    String openAiBaseUrl;

    @Inject
    @ConfigProperty(name = "dossier.openai.api-key", defaultValue = "none")
    String openAiApiKey;

    @Inject
    @ConfigProperty(name = "dossier.openai.model", defaultValue = "meta-llama/Llama-2-7b-chat-hf")
    String openAiModel;

    private LocalModel local;
    private String modelId;
    private ChatModel chatModel;
    private StreamingChatModel streamingChatModel;
    private String modelName;
    private Instant loadedAt;
    private String failure;

    void start(@Observes Startup startup) {
        try {
            if (provider.equals("openai")) {
                chatModel = OpenAiChatModel.builder().baseUrl(openAiBaseUrl).apiKey(openAiApiKey).modelName(openAiModel)
                        .timeout(Duration.ofMinutes(30)).build();
                streamingChatModel = OpenAiStreamingChatModel.builder().baseUrl(openAiBaseUrl).apiKey(openAiApiKey)
                        .modelName(openAiModel).timeout(Duration.ofMinutes(30)).build();
                modelName = openAiModel;
                LOG.info("chat model: OpenAI-compatible server at " + openAiBaseUrl + ", model " + openAiModel);
            } else if (provider.equals("local")) {
                startLocal();
            } else {
                throw new IllegalArgumentException("dossier.chat.provider must be 'local' or 'openai', not '" + provider + "'");
            }
            loadedAt = Instant.now();
        } catch (Exception e) {
            failure = e.getMessage();
            LOG.severe("no chat model: " + failure);
        }
    }

    private void startLocal() throws java.io.IOException {
        Path path = Path.of(modelPath.orElseThrow(() -> new IllegalStateException(
                "no model configured: set dossier.model.path (environment DOSSIER_MODEL_PATH) to a Llama GGUF file")));
        EngineKind engineKind = engineKind(); // a bad value fails before the model is loaded
        Llama llama = Llama.load(path, message -> LOG.info("model: " + message));
        int trainingContext = llama.config().contextLength();
        AttentionConfig attentionConfig = attention.equals("rope") ? AttentionConfig.rope()
                : AttentionConfig.dcaOrDefaults(chunkSize.orElse(null), localWindow.orElse(null), trainingContext);
        int capacity = context.orElse(attention.equals("rope") ? trainingContext : 32 * trainingContext);
        try {
            local = new LocalModel(engineKind.open(llama, message -> LOG.info("engine: " + message)), attentionConfig, capacity);
        } catch (RuntimeException e) {
            llama.close(); // the engine did not open: nothing else holds the mapped model
            throw e;
        }
        modelName = path.getFileName().toString().replaceFirst("\\.gguf$", "");
        ModelFingerprint fingerprint = ModelFingerprint.of(llama);
        modelId = fingerprint.fileName() + "@" + fingerprint.sha256().substring(0, 16);
        chatModel = DossierChatModel.builder().localModel(local).modelName(modelName).build();
        streamingChatModel = DossierStreamingChatModel.builder().localModel(local).modelName(modelName).build();
        LOG.info("chat model: " + modelName + " in process, engine " + local.engine().name() + ", " + attentionConfig
                + ", context " + capacity + " tokens");
    }

    /** {@code dossier.engine} parsed; a bad value names the setting and the choices. */
    private EngineKind engineKind() {
        try {
            return EngineKind.parse(engine);
        } catch (IllegalArgumentException e) {
            throw new IllegalArgumentException("dossier.engine (environment DOSSIER_ENGINE): " + e.getMessage(), e);
        }
    }

    @PreDestroy
    void stop() {
        if (local != null) {
            local.close();
        }
    }

    public boolean ready() {
        return chatModel != null;
    }

    /** Why there is no model, when {@link #ready()} is false. */
    public String failure() {
        return failure;
    }

    public ChatModel chatModel() {
        requireReady();
        return chatModel;
    }

    public StreamingChatModel streamingChatModel() {
        requireReady();
        return streamingChatModel;
    }

    public String modelName() {
        requireReady();
        return modelName;
    }

    public Instant loadedAt() {
        requireReady();
        return loadedAt;
    }

    /** The in-process runtime, when the chat model is local: token counts and prefix caches come from it. */
    public Optional<LocalModel> local() {
        return Optional.ofNullable(local);
    }

    /** Identifies the model's weights: part of a prefix cache's key. */
    public String modelId() {
        requireReady();
        return modelId != null ? modelId : "openai:" + openAiBaseUrl + "/" + openAiModel;
    }

    /** The attention settings, part of a prefix cache's key: {@code dca:CS:LS} or {@code rope}. */
    public String attentionKey() {
        return local().map(model -> model.attention().dca()
                ? "dca:" + model.attention().chunkSize() + ":" + model.attention().localWindow()
                : "rope").orElse("remote");
    }

    /** Tokens one question may use: documents, history, question and answer together. */
    public int capacity() {
        return local().map(LocalModel::capacity).orElse(context.orElse(131_072));
    }

    /**
     * Tokens of {@code text} by the model's own tokenizer; for a remote model, an estimate of
     * one token per four characters (its tokenizer is not at hand).
     */
    public int countTokens(String text) {
        return local().map(model -> model.tokenizer().encode(text, false).length)
                .orElse((text.length() + 3) / 4);
    }

    /**
     * The prompt size of a chat request: exact for the local model (LangChain4j's token-count
     * estimator over the model's own tokenizer and chat format), estimated for a remote one.
     */
    public int countTokens(List<ChatMessage> messages) {
        return local().map(model -> new DossierTokenCountEstimator(model).estimateTokenCountInMessages(messages))
                .orElseGet(() -> messages.stream().mapToInt(message -> countTokens(textOf(message)) + 4).sum());
    }

    /**
     * Refuses, before any work starts, a request whose prompt and answer do not fit the model's
     * context, with the numbers a client needs ({@code tokens_needed}, {@code tokens_available}).
     */
    public void requireFits(List<ChatMessage> messages, int answerTokens) {
        int needed = countTokens(messages) + answerTokens;
        if (needed > capacity()) {
            throw new ApiException(422, "Too many tokens", "the document set, the request and the answer need "
                    + needed + " tokens but the model's context holds " + capacity(),
                    Map.of("tokens_needed", needed, "tokens_available", capacity()));
        }
    }

    private static String textOf(ChatMessage message) {
        return switch (message) {
            case SystemMessage system -> system.text();
            case UserMessage user -> user.singleText();
            case AiMessage ai -> ai.text() == null ? "" : ai.text();
            default -> "";
        };
    }

    private void requireReady() {
        if (chatModel == null) {
            throw new ApiException(jakarta.ws.rs.core.Response.Status.SERVICE_UNAVAILABLE,
                    "the chat model is not available: " + failure);
        }
    }
}
