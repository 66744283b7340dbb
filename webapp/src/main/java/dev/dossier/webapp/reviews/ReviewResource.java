package dev.dossier.webapp.reviews;

import dev.dossier.persistence.NotFoundException;
import dev.dossier.persistence.reviews.ReviewRun;
import dev.dossier.persistence.reviews.ReviewRunView;
import dev.dossier.webapp.platform.Platform;
import dev.dossier.webapp.problems.ApiException;
import jakarta.inject.Inject;
import jakarta.json.bind.Jsonb;
import jakarta.json.bind.JsonbBuilder;
import jakarta.json.bind.JsonbConfig;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.List;
import java.util.Locale;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("document-sets/{setId}/reviews")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Reviews")
public class ReviewResource {
    private static final Jsonb PRETTY = JsonbBuilder.create(new JsonbConfig().withFormatting(true));

    @Inject
    ReviewService service;

    @Inject
    Platform platform;

    /** {@code kind}: "contract" or "code"; {@code maxTokens}: answer length per model call. */
    public record StartRequest(String kind, Integer maxTokens) {
    }

    @POST
    @Operation(summary = "Start a review agent (contract or code) over the whole set; 202 with the run, which progresses in the background")
    public Response start(@PathParam("setId") UUID setId, StartRequest request) {
        ReviewRun.Kind kind;
        try {
            kind = ReviewRun.Kind.valueOf(request == null || request.kind() == null ? "" : request.kind().strip().toUpperCase(Locale.ROOT));
        } catch (IllegalArgumentException e) {
            throw new ApiException(Response.Status.BAD_REQUEST, "a review needs 'kind': \"contract\" or \"code\"");
        }
        return Response.accepted(service.start(setId, kind, request.maxTokens())).build();
    }

    @GET
    @Operation(summary = "The set's review runs, newest first (without findings)")
    public List<ReviewRunView> list(@PathParam("setId") UUID setId) {
        return platform.reviews().list(setId);
    }

    @GET
    @Path("{runId}")
    @Operation(summary = "A review run with its findings and error rows")
    public ReviewRunView get(@PathParam("setId") UUID setId, @PathParam("runId") UUID runId) {
        return find(setId, runId);
    }

    @DELETE
    @Path("{runId}")
    public Response delete(@PathParam("setId") UUID setId, @PathParam("runId") UUID runId) {
        platform.reviews().delete(setId, runId);
        return Response.noContent().build();
    }

    @GET
    @Path("{runId}/export.{format}")
    @Produces({MediaType.APPLICATION_JSON, "text/csv", "text/markdown"})
    @Operation(summary = "Export a run as json, csv or md (a file download)")
    public Response export(@PathParam("setId") UUID setId, @PathParam("runId") UUID runId, @PathParam("format") String format) {
        ReviewRunView run = find(setId, runId);
        String base = "review-" + run.kind().name().toLowerCase(Locale.ROOT) + "-" + run.id().toString().substring(0, 8);
        return switch (format) {
            case "json" -> download(PRETTY.toJson(run), "application/json", base + ".json");
            case "csv" -> download(ReviewExport.csv(run), "text/csv; charset=utf-8", base + ".csv");
            case "md" -> download(ReviewExport.markdown(run), "text/markdown; charset=utf-8", base + ".md");
            default -> throw new ApiException(Response.Status.NOT_FOUND, "no export format '" + format + "': use json, csv or md");
        };
    }

    private static Response download(String body, String type, String fileName) {
        return Response.ok(body, type).header("Content-Disposition", "attachment; filename=\"" + fileName + "\"").build();
    }

    private ReviewRunView find(UUID setId, UUID runId) {
        return platform.reviews().find(setId, runId).orElseThrow(() -> new NotFoundException("review run", runId));
    }
}
