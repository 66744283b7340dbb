package dev.dossier.webapp.documentsets;

import dev.dossier.webapp.problems.ApiException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.PATCH;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.core.UriInfo;
import jakarta.ws.rs.core.Context;
import java.util.List;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("document-sets")
@Produces(MediaType.APPLICATION_JSON)
@Consumes(MediaType.APPLICATION_JSON)
@Tag(name = "Document sets")
public class DocumentSetResource {

    @Inject
    DocumentSetService service;

    @POST
    @Operation(summary = "Create a document set")
    public Response create(Json.NameRequest request, @Context UriInfo uri) {
        Json.DocumentSet created = service.create(name(request));
        return Response.created(uri.getAbsolutePathBuilder().path(created.id().toString()).build()).entity(created).build();
    }

    @GET
    @Operation(summary = "List document sets, newest first")
    public List<Json.DocumentSet> list() {
        return service.list();
    }

    @GET
    @Path("{setId}")
    @Operation(summary = "A document set with its capacity gauge and prefix-cache state")
    public Json.DocumentSet get(@PathParam("setId") UUID setId) {
        return service.get(setId);
    }

    @PATCH
    @Path("{setId}")
    @Operation(summary = "Rename a document set")
    public Json.DocumentSet rename(@PathParam("setId") UUID setId, Json.NameRequest request) {
        return service.rename(setId, name(request));
    }

    @DELETE
    @Path("{setId}")
    @Operation(summary = "Delete a document set with its documents, conversations and prefix caches")
    public Response delete(@PathParam("setId") UUID setId) {
        service.delete(setId);
        return Response.noContent().build();
    }

    private static String name(Json.NameRequest request) {
        if (request == null || request.name() == null || request.name().isBlank()) {
            throw new ApiException(Response.Status.BAD_REQUEST, "a document set needs a non-blank 'name'");
        }
        return request.name().strip();
    }
}
