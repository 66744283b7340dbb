package dev.dossier.webapp.conversations;

import dev.dossier.persistence.NotFoundException;
import dev.dossier.persistence.conversations.ConversationView;
import dev.dossier.webapp.chat.SseWriter;
import dev.dossier.webapp.platform.Platform;
import dev.dossier.webapp.problems.ApiException;
import dev.dossier.webapp.problems.ProblemMapper;
import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.StreamingOutput;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("document-sets/{setId}/conversations")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Conversations")
public class ConversationResource {
    private static final Jsonb JSON = JsonbBuilder.create();
    /** A client that accepts anything gets JSON; events only when it asks for them. */
    static final String JSON_FIRST = "application/json;qs=1";
    static final String EVENTS_ON_REQUEST = "text/event-stream;qs=0.5";

    @Inject
    Platform platform;

    @Inject
    QuestionService questions;

    @POST
    @Operation(summary = "Start a conversation about a document set")
    public Response create(@PathParam("setId") UUID setId, ConversationJson.TitleRequest request) {
        String title = request == null || request.title() == null || request.title().isBlank() ? "New conversation" : request.title().strip();
        ConversationView created = platform.conversations().create(setId, title);
        return Response.status(Response.Status.CREATED).entity(ConversationJson.Conversation.of(created, List.of())).build();
    }

    @GET
    @Operation(summary = "The set's conversations, newest first")
    public List<ConversationJson.Conversation> list(@PathParam("setId") UUID setId) {
        platform.documentSets().find(setId).orElseThrow(() -> new NotFoundException("document set", setId));
        return platform.conversations().list(setId).stream().map(c -> ConversationJson.Conversation.of(c, List.of())).toList();
    }

    @GET
    @Path("{conversationId}")
    @Operation(summary = "A conversation with its messages")
    public ConversationJson.Conversation get(@PathParam("setId") UUID setId, @PathParam("conversationId") UUID conversationId) {
        var conversation = platform.conversations().find(setId, conversationId)
                .orElseThrow(() -> new NotFoundException("conversation", conversationId));
        return ConversationJson.Conversation.of(conversation.conversation(), conversation.messages());
    }

    @DELETE
    @Path("{conversationId}")
    public Response delete(@PathParam("setId") UUID setId, @PathParam("conversationId") UUID conversationId) {
        platform.conversations().delete(setId, conversationId);
        return Response.noContent().build();
    }

    @POST
    @Path("{conversationId}/messages")
    @Produces(ConversationResource.JSON_FIRST)
    @Operation(summary = "Ask a question; the whole document set is in the model's context. JSON answer.")
    public ConversationJson.Exchange ask(@PathParam("setId") UUID setId, @PathParam("conversationId") UUID conversationId,
                                         ConversationJson.Question question) throws InterruptedException {
        return questions.answer(questions.prepare(setId, conversationId, question), text -> { });
    }

    /**
     * The same question, answered as Server-Sent Events: {@code token} events with each piece of
     * text, then {@code done} with the stored question and answer, or {@code error} with a problem.
     */
    @POST
    @Path("{conversationId}/messages")
    @Produces(ConversationResource.EVENTS_ON_REQUEST)
    @Operation(summary = "Ask a question and stream the answer token by token (text/event-stream)")
    public Response askStreaming(@PathParam("setId") UUID setId, @PathParam("conversationId") UUID conversationId,
                                 ConversationJson.Question question) {
        QuestionService.Prepared prepared = questions.prepare(setId, conversationId, question); // refusals before streaming starts
        StreamingOutput body = output -> {
            SseWriter sse = new SseWriter(output);
            try {
                ConversationJson.Exchange exchange = questions.answer(prepared,
                        text -> sse.event("token", JSON.toJson(Map.of("text", text))));
                sse.event("done", JSON.toJson(exchange));
            } catch (ApiException e) {
                if (e.problem().status() != 499) {
                    sse.event("error", ProblemMapper.problemFor(e).toJson().toString());
                }
            } catch (InterruptedException e) {
                Thread.currentThread().interrupt();
            } catch (RuntimeException e) {
                sse.event("error", ProblemMapper.problemFor(e).toJson().toString());
            }
        };
        return Response.ok(body, MediaType.SERVER_SENT_EVENTS).header("Cache-Control", "no-cache").build();
    }
}
