package dev.dossier.webapp.prefixcache;

import dev.dossier.persistence.NotFoundException;
import dev.dossier.persistence.documents.DocumentSetView;
import dev.dossier.webapp.platform.Platform;
import jakarta.inject.Inject;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.UUID;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("document-sets/{setId}/prefix-cache")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Prefix cache")
public class PrefixCacheResource {

    @Inject
    PrefixCacheService service;

    @Inject
    Platform platform;

    @GET
    @Operation(summary = "State of the set's prefix cache: none, computing (with progress), ready or failed")
    public dev.dossier.webapp.documentsets.Json.PrefixCache get(@PathParam("setId") UUID setId) {
        DocumentSetView set = platform.documentSets().find(setId).orElseThrow(() -> new NotFoundException("document set", setId));
        return service.current(set).map(dev.dossier.webapp.documentsets.Json.PrefixCache::of)
                .orElse(dev.dossier.webapp.documentsets.Json.PrefixCache.NONE);
    }

    @POST
    @Operation(summary = "Compute the set's prefix cache again")
    public Response recompute(@PathParam("setId") UUID setId) {
        service.refresh(setId);
        return Response.accepted(get(setId)).build();
    }
}
