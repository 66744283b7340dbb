package dev.dossier.runtime.langchain4j;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertNotEquals;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

import dev.dossier.runtime.Fixtures;
import dev.dossier.runtime.attention.AttentionConfig;
import dev.dossier.runtime.engine.EngineKind;
import dev.dossier.runtime.engine.LocalModel;
import dev.dossier.runtime.generate.ChatFormat;
import dev.dossier.runtime.generate.GenerationParameters;
import dev.dossier.runtime.generate.Generator;
import dev.dossier.runtime.model.ContextOverflowException;
import dev.dossier.runtime.model.Session;
import dev.langchain4j.agent.tool.ToolSpecification;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.exception.UnsupportedFeatureException;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.service.AiServices;
import java.io.IOException;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

class DossierChatModelTest {
    private static LocalModel local;

    interface Storyteller {
        String tell(@dev.langchain4j.service.UserMessage String prompt);
    }

    @BeforeAll
    static void load() throws IOException {
        local = LocalModel.load(Fixtures.stories260K(), EngineKind.JAVA, AttentionConfig.dcaDefaults(512), 1024);
    }

    @AfterAll
    static void close() {
        local.close();
    }

    private static DossierChatModel.Builder greedy() {
        return DossierChatModel.builder().localModel(local).temperature(0.0).repetitionPenalty(1.0).maxOutputTokens(40);
    }

    private static ChatRequest ask(String question, ChatRequestParameters parameters) {
        return ChatRequest.builder().messages(UserMessage.from(question)).parameters(parameters).build();
    }

    @Test
    void anAiServiceAnswersExactlyWhatTheRuntimeGivesForTheSameChatTokens() {
        Storyteller storyteller = AiServices.create(Storyteller.class, greedy().build());
        String answer = storyteller.tell("Tell me a story about Lily.");

        int[] prompt = ChatFormat.llama2Chat(local.tokenizer(), List.of(new ChatFormat.Message(ChatFormat.Role.USER, "Tell me a story about Lily.")));
        Session fresh = local.engine().newSession(local.attention(), local.capacity());
        String direct = Generator.generate(fresh, prompt, GenerationParameters.GREEDY.withMaxTokens(40), Generator.Listener.NONE).text();
        assertEquals(direct, answer);
        assertFalse(answer.isBlank());
        assertEquals(answer, storyteller.tell("Tell me a story about Lily."));
    }

    @Test
    void perRequestMaxOutputTokensEndsWithLengthAndCountsTokens() {
        ChatResponse response = greedy().build().chat(ask("Tell me a story.", ChatRequestParameters.builder().maxOutputTokens(5).build()));
        assertEquals(5, response.tokenUsage().outputTokenCount());
        assertEquals(FinishReason.LENGTH, response.finishReason());
        int[] prompt = ChatFormat.llama2Chat(local.tokenizer(), List.of(new ChatFormat.Message(ChatFormat.Role.USER, "Tell me a story.")));
        assertEquals(prompt.length, response.tokenUsage().inputTokenCount());
        assertEquals(prompt.length + 5, response.tokenUsage().totalTokenCount());
    }

    @Test
    void aStopSequenceEndsWithStopAndIsLeftOut() {
        DossierChatModel model = greedy().build();
        String full = model.chat(ask("Tell me a story.", ChatRequestParameters.builder().build())).aiMessage().text();
        String[] words = full.strip().split(" ");
        String stop = words[Math.min(3, words.length - 1)];
        ChatResponse stopped = model.chat(ask("Tell me a story.", ChatRequestParameters.builder().stopSequences(stop).build()));
        assertEquals(FinishReason.STOP, stopped.finishReason());
        assertEquals(full.substring(0, full.indexOf(stop)), stopped.aiMessage().text());
        assertFalse(stopped.aiMessage().text().contains(stop));
    }

    @Test
    void theSameSeedSamplesTheSameAnswerAndAnotherSeedAnother() {
        ChatRequest request = ask("Tell me a story.", ChatRequestParameters.builder().temperature(1.0).maxOutputTokens(40).build());
        String first = DossierChatModel.builder().localModel(local).seed(7L).build().chat(request).aiMessage().text();
        String again = DossierChatModel.builder().localModel(local).seed(7L).build().chat(request).aiMessage().text();
        String other = DossierChatModel.builder().localModel(local).seed(8L).build().chat(request).aiMessage().text();
        assertEquals(first, again);
        assertNotEquals(first, other);
    }

    @Test
    void requestParametersOverrideTheBuildersDefaults() {
        DossierChatModel model = greedy().topK(5).stopSequences(List.of("zzz")).build();
        ChatRequestParameters defaults = model.defaultRequestParameters();
        assertEquals(0.0, defaults.temperature());
        assertEquals(40, defaults.maxOutputTokens());
        assertEquals(5, defaults.topK());
        assertEquals(List.of("zzz"), defaults.stopSequences());
        assertEquals("stories260K.gguf", defaults.modelName());
        ChatResponse response = model.chat(ask("Hi", ChatRequestParameters.builder().maxOutputTokens(3).build()));
        assertEquals(3, response.tokenUsage().outputTokenCount());
        assertEquals("stories260K.gguf", response.modelName());
    }

    @Test
    void aConversationWithSystemAndEarlierAnswersIsFormattedAsALlama2Chat() {
        List<ChatMessage> messages = List.of(SystemMessage.from("You tell stories."), UserMessage.from("Hi"),
                AiMessage.from("Hello."), UserMessage.from("Tell me a story."));
        ChatResponse response = greedy().build().chat(messages);
        int[] prompt = ChatFormat.llama2Chat(local.tokenizer(), List.of(
                new ChatFormat.Message(ChatFormat.Role.SYSTEM, "You tell stories."), new ChatFormat.Message(ChatFormat.Role.USER, "Hi"),
                new ChatFormat.Message(ChatFormat.Role.ASSISTANT, "Hello."), new ChatFormat.Message(ChatFormat.Role.USER, "Tell me a story.")));
        assertEquals(prompt.length, response.tokenUsage().inputTokenCount());
        assertEquals(new DossierTokenCountEstimator(local).estimateTokenCountInMessages(messages), prompt.length);
    }

    @Test
    void aConversationTooLongForTheContextFailsWithTheNumbers() {
        ContextOverflowException e = assertThrows(ContextOverflowException.class,
                () -> greedy().maxOutputTokens(1000).build().chat("Tell me a story."));
        assertEquals(1024, e.tokensAvailable());
        assertTrue(e.getMessage().contains("1024"), e.getMessage());
    }

    @Test
    void toolsAndJsonSchemasAreRefusedByName() {
        DossierChatModel model = greedy().build();
        ToolSpecification weather = ToolSpecification.builder().name("weather").description("the weather").build();
        UnsupportedFeatureException tools = assertThrows(UnsupportedFeatureException.class,
                () -> model.chat(ask("Hi", ChatRequestParameters.builder().toolSpecifications(weather).build())));
        assertTrue(tools.getMessage().contains("tools"), tools.getMessage());
        UnsupportedFeatureException json = assertThrows(UnsupportedFeatureException.class,
                () -> model.chat(ask("Hi", ChatRequestParameters.builder().responseFormat(dev.langchain4j.model.chat.request.ResponseFormat.JSON).build())));
        assertTrue(json.getMessage().contains("JSON"), json.getMessage());
        assertTrue(model.supportedCapabilities().isEmpty());
    }

    @Test
    void theTokenCountEstimatorCountsWithTheModelsTokenizer() {
        DossierTokenCountEstimator estimator = new DossierTokenCountEstimator(local);
        String text = "Once upon a time, there was a little girl named Lily.";
        assertEquals(local.tokenizer().encode(text, false).length, estimator.estimateTokenCountInText(text));
        assertEquals(local.tokenizer().encode(text, false).length, estimator.estimateTokenCountInMessage(AiMessage.from(text)));
        int[] prompt = ChatFormat.llama2Chat(local.tokenizer(), List.of(new ChatFormat.Message(ChatFormat.Role.USER, text)));
        assertEquals(prompt.length, estimator.estimateTokenCountInMessages(List.of(UserMessage.from(text))));
    }
}
