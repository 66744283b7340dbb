package dev.dossier.webapp.openai;

import dev.dossier.webapp.chat.AnswerStream;
import dev.dossier.webapp.chat.ChatModels;
import dev.dossier.webapp.chat.SseWriter;
import dev.dossier.webapp.problems.ApiException;
import dev.langchain4j.data.message.AiMessage;
import dev.langchain4j.data.message.ChatMessage;
import dev.langchain4j.data.message.SystemMessage;
import dev.langchain4j.data.message.UserMessage;
import dev.langchain4j.model.chat.request.ChatRequest;
import dev.langchain4j.model.chat.request.ChatRequestParameters;
import dev.langchain4j.model.chat.request.DefaultChatRequestParameters;
import dev.langchain4j.model.chat.response.ChatResponse;
import dev.langchain4j.model.output.FinishReason;
import dev.langchain4j.model.output.TokenUsage;
import jakarta.inject.Inject;
import jakarta.json.Json;
import jakarta.json.JsonArray;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.json.JsonString;
import jakarta.json.JsonValue;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.UUID;

/**
 * {@code GET /v1/models} and {@code POST /v1/chat/completions}, plain and streamed, in the
 * OpenAI wire format, so other tools can use Dossier's DCA runtime.
 */
@Path("")
public class ChatCompletionsResource {

    @Inject
    ChatModels models;

    @GET
    @Path("models")
    @Produces(MediaType.APPLICATION_JSON)
    public JsonObject models() {
        return Json.createObjectBuilder()
                .add("object", "list")
                .add("data", Json.createArrayBuilder().add(Json.createObjectBuilder()
                        .add("id", models.modelName())
                        .add("object", "model")
                        .add("created", models.loadedAt().getEpochSecond())
                        .add("owned_by", "dossier")))
                .build();
    }

    @POST
    @Path("chat/completions")
    @Consumes(MediaType.APPLICATION_JSON)
    public Response completions(JsonObject body) {
        ChatRequest request = toChatRequest(body);
        String id = "chatcmpl-" + UUID.randomUUID();
        long created = System.currentTimeMillis() / 1000;
        if (!body.getBoolean("stream", false)) {
            ChatResponse response = models.chatModel().chat(request);
            JsonObject completion = Json.createObjectBuilder()
                    .add("id", id)
                    .add("object", "chat.completion")
                    .add("created", created)
                    .add("model", models.modelName())
                    .add("choices", Json.createArrayBuilder().add(Json.createObjectBuilder()
                            .add("index", 0)
                            .add("message", Json.createObjectBuilder().add("role", "assistant").add("content", response.aiMessage().text()))
                            .add("finish_reason", finishReason(response.finishReason()))))
                    .add("usage", usage(response.tokenUsage()))
                    .build();
            return Response.ok(completion, MediaType.APPLICATION_JSON).build();
        }
        boolean includeUsage = body.getJsonObject("stream_options") != null
                && body.getJsonObject("stream_options").getBoolean("include_usage", false);
        StreamingOutput stream = output -> {
            SseWriter sse = new SseWriter(output);
            AnswerStream answer = new AnswerStream();
            models.streamingChatModel().chat(request, answer);
            try {
                sse.event(null, chunk(id, created, Json.createObjectBuilder().add("role", "assistant").add("content", ""), null).toString());
                while (true) {
                    switch (answer.next()) {
                        case AnswerStream.Text text ->
                                sse.event(null, chunk(id, created, Json.createObjectBuilder().add("content", text.text()), null).toString());
                        case AnswerStream.Complete complete -> {
                            ChatResponse response = complete.response();
                            sse.event(null, chunk(id, created, Json.createObjectBuilder(), finishReason(response.finishReason())).toString());
                            if (includeUsage) {
                                sse.event(null, Json.createObjectBuilder()
                                        .add("id", id).add("object", "chat.completion.chunk").add("created", created)
                                        .add("model", models.modelName())
                                        .add("choices", JsonValue.EMPTY_JSON_ARRAY)
                                        .add("usage", usage(response.tokenUsage())).build().toString());
                            }
                            sse.event(null, "[DONE]");
                            return;
                        }
                        case AnswerStream.Failed failed -> {
                            sse.event(null, Json.createObjectBuilder().add("error", Json.createObjectBuilder()
                                    .add("message", String.valueOf(failed.error().getMessage()))
                                    .add("type", "server_error")).build().toString());
                            return;
                        }
                    }
                }
            } catch (IOException e) {
                answer.cancel(); // the client went away
                throw e;
            } catch (InterruptedException e) {
                answer.cancel();
                Thread.currentThread().interrupt();
            }
        };
        return Response.ok(stream, MediaType.SERVER_SENT_EVENTS).header("Cache-Control", "no-cache").build();
    }

    private JsonObject chunk(String id, long created, JsonObjectBuilder delta, String finishReason) {
        JsonObjectBuilder choice = Json.createObjectBuilder().add("index", 0).add("delta", delta);
        if (finishReason == null) {
            choice.addNull("finish_reason");
        } else {
            choice.add("finish_reason", finishReason);
        }
        return Json.createObjectBuilder()
                .add("id", id).add("object", "chat.completion.chunk").add("created", created)
                .add("model", models.modelName())
                .add("choices", Json.createArrayBuilder().add(choice))
                .build();
    }

    private static JsonObject usage(TokenUsage usage) {
        int input = usage == null || usage.inputTokenCount() == null ? 0 : usage.inputTokenCount();
        int output = usage == null || usage.outputTokenCount() == null ? 0 : usage.outputTokenCount();
        return Json.createObjectBuilder()
                .add("prompt_tokens", input)
                .add("completion_tokens", output)
                .add("total_tokens", input + output)
                .build();
    }

    private static String finishReason(FinishReason reason) {
        return reason == FinishReason.LENGTH ? "length" : "stop";
    }

    /** The OpenAI request as a LangChain4j request; unknown fields are ignored, as OpenAI's servers do. */
    static ChatRequest toChatRequest(JsonObject body) {
        JsonArray messages = body.getJsonArray("messages");
        if (messages == null || messages.isEmpty()) {
            throw new ApiException(Response.Status.BAD_REQUEST, "'messages' must be a non-empty array");
        }
        List<ChatMessage> chat = new ArrayList<>();
        for (JsonValue value : messages) {
            if (!(value instanceof JsonObject message)) {
                throw new ApiException(Response.Status.BAD_REQUEST, "each message must be an object with 'role' and 'content'");
            }
            String role = message.getString("role", "");
            String content = content(message.get("content"));
            chat.add(switch (role) {
                case "system", "developer" -> SystemMessage.from(content);
                case "user" -> UserMessage.from(content);
                case "assistant" -> AiMessage.from(content);
                default -> throw new ApiException(Response.Status.BAD_REQUEST, "unsupported message role '" + role + "'");
            });
        }
        DefaultChatRequestParameters.Builder<?> parameters = ChatRequestParameters.builder();
        if (body.containsKey("temperature") && !body.isNull("temperature")) {
            parameters.temperature(body.getJsonNumber("temperature").doubleValue());
        }
        if (body.containsKey("top_p") && !body.isNull("top_p")) {
            parameters.topP(body.getJsonNumber("top_p").doubleValue());
        }
        for (String key : List.of("max_completion_tokens", "max_tokens")) {
            if (body.containsKey(key) && !body.isNull(key)) {
                parameters.maxOutputTokens(body.getJsonNumber(key).intValue());
                break;
            }
        }
        JsonValue stop = body.get("stop");
        if (stop instanceof JsonString single) {
            parameters.stopSequences(List.of(single.getString()));
        } else if (stop instanceof JsonArray many) {
            parameters.stopSequences(many.getValuesAs(JsonString.class).stream().map(JsonString::getString).toList());
        }
        return ChatRequest.builder().messages(chat).parameters(parameters.build()).build();
    }

    private static String content(JsonValue content) {
        if (content instanceof JsonString text) {
            return text.getString();
        }
        if (content instanceof JsonArray parts) {
            StringBuilder joined = new StringBuilder();
            for (JsonValue part : parts) {
                if (part instanceof JsonObject object && "text".equals(object.getString("type", ""))) {
                    joined.append(object.getString("text", ""));
                } else {
                    throw new ApiException(Response.Status.BAD_REQUEST, "only text content parts are supported");
                }
            }
            return joined.toString();
        }
        throw new ApiException(Response.Status.BAD_REQUEST, "message 'content' must be a string or an array of text parts");
    }
}
