package dev.dossier.webapp.documentsets;

import dev.dossier.persistence.NotFoundException;
import dev.dossier.webapp.platform.Platform;
import dev.dossier.webapp.problems.ApiException;
import jakarta.inject.Inject;
import jakarta.ws.rs.Consumes;
import jakarta.ws.rs.DELETE;
import jakarta.ws.rs.GET;
import jakarta.ws.rs.POST;
import jakarta.ws.rs.Path;
import jakarta.ws.rs.PathParam;
import jakarta.ws.rs.Produces;
import jakarta.ws.rs.core.EntityPart;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import org.eclipse.microprofile.config.inject.ConfigProperty;
import org.eclipse.microprofile.openapi.annotations.Operation;
import org.eclipse.microprofile.openapi.annotations.tags.Tag;

@Path("document-sets/{setId}/documents")
@Produces(MediaType.APPLICATION_JSON)
@Tag(name = "Documents")
public class DocumentResource {

    @Inject
    DocumentSetService service;

    @Inject
    Platform platform;

    /** The most bytes one upload request may carry, all files together. */
    @Inject
    @ConfigProperty(name = "dossier.upload.max-bytes", defaultValue = "104857600")
    long maxUploadBytes;

    @POST
    @Consumes(MediaType.MULTIPART_FORM_DATA)
    @Operation(summary = "Upload files (.txt, .md, .pdf, .docx, source files, .zip of a codebase); all are stored or none")
    public Response upload(@PathParam("setId") UUID setId, List<EntityPart> parts) throws IOException {
        List<DocumentSetService.UploadedFile> files = new ArrayList<>();
        long total = 0;
        for (EntityPart part : parts == null ? List.<EntityPart>of() : parts) {
            if (part.getFileName().isEmpty()) {
                continue; // a plain form field, not a file
            }
            byte[] bytes = readAtMost(part.getContent(), maxUploadBytes - total, part.getFileName().get());
            total += bytes.length;
            String mediaType = part.getMediaType() == null ? null : part.getMediaType().toString();
            files.add(new DocumentSetService.UploadedFile(part.getFileName().get(), mediaType, bytes));
        }
        if (files.isEmpty()) {
            throw new ApiException(Response.Status.BAD_REQUEST, "the upload holds no file: send multipart/form-data parts with a file name");
        }
        return Response.status(Response.Status.CREATED).entity(service.upload(setId, files)).build();
    }

    @GET
    @Operation(summary = "The documents of a set, in their stable order")
    public List<Json.Document> list(@PathParam("setId") UUID setId) {
        return service.documents(setId);
    }

    @GET
    @Path("{documentId}")
    @Operation(summary = "A document with its extracted text and anchors")
    public Json.DocumentWithText get(@PathParam("setId") UUID setId, @PathParam("documentId") UUID documentId) {
        return service.document(setId, documentId);
    }

    @GET
    @Path("{documentId}/content")
    @Produces(MediaType.WILDCARD)
    @Operation(summary = "A document's original bytes")
    public Response content(@PathParam("setId") UUID setId, @PathParam("documentId") UUID documentId) {
        Json.DocumentWithText document = service.document(setId, documentId);
        byte[] bytes = platform.documentSets().originalBytes(setId, documentId)
                .orElseThrow(() -> new NotFoundException("document", documentId));
        String fileName = document.document().path().substring(document.document().path().lastIndexOf('/') + 1);
        return Response.ok(bytes, document.document().mediaType())
                .header("Content-Disposition", "inline; filename=\"" + fileName.replace("\"", "") + "\"")
                .build();
    }

    @DELETE
    @Path("{documentId}")
    @Operation(summary = "Remove a document from its set")
    public Json.DocumentSet delete(@PathParam("setId") UUID setId, @PathParam("documentId") UUID documentId) {
        return service.removeDocument(setId, documentId);
    }

    private static byte[] readAtMost(InputStream in, long allowed, String fileName) throws IOException {
        try (in) {
            byte[] bytes = in.readNBytes((int) Math.min(Integer.MAX_VALUE - 8, Math.max(allowed, 0) + 1));
            if (bytes.length > allowed) {
                throw new ApiException(413, "Content Too Large", "the upload is larger than the limit of " + (allowed) + " bytes left at '"
                        + fileName + "'", Map.of("limit_bytes", allowed));
            }
            return bytes;
        }
    }
}
