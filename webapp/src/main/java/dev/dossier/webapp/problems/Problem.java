package dev.dossier.webapp.problems;

import jakarta.json.Json;
import jakarta.json.JsonObject;
import jakarta.json.JsonObjectBuilder;
import jakarta.ws.rs.core.MediaType;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/**
 * An RFC 9457 problem detail: what every error of the API looks like. Extension members
 * (for example {@code tokens_needed} and {@code tokens_available}) sit beside the standard ones.
 */
public record Problem(int status, String title, String detail, Map<String, Object> extensions) {
    public static final MediaType MEDIA_TYPE = new MediaType("application", "problem+json");

    public static Problem of(Response.Status status, String detail) {
        return new Problem(status.getStatusCode(), status.getReasonPhrase(), detail, Map.of());
    }

    public JsonObject toJson() {
        JsonObjectBuilder json = Json.createObjectBuilder()
                .add("type", "about:blank")
                .add("title", title)
                .add("status", status)
                .add("detail", detail == null ? title : detail);
        extensions.forEach((key, value) -> {
            switch (value) {
                case Integer i -> json.add(key, i);
                case Long l -> json.add(key, l);
                case Number n -> json.add(key, n.doubleValue());
                case Boolean b -> json.add(key, b);
                default -> json.add(key, String.valueOf(value));
            }
        });
        return json.build();
    }

    public Response toResponse() {
        return Response.status(status).type(MEDIA_TYPE).entity(toJson().toString()).build();
    }
}
