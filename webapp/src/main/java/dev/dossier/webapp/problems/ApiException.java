package dev.dossier.webapp.problems;

import jakarta.ws.rs.core.Response;
import java.util.Map;

/** An error the API reports as a problem detail with a given status. */
public class ApiException extends RuntimeException {
    private final int status;
    private final String title;
    private final Map<String, Object> extensions;

    public ApiException(Response.Status status, String detail) {
        this(status.getStatusCode(), status.getReasonPhrase(), detail, Map.of());
    }

    public ApiException(int status, String title, String detail, Map<String, Object> extensions) {
        super(detail);
        this.status = status;
        this.title = title;
        this.extensions = extensions;
    }

    public static ApiException notFound(String what) {
        return new ApiException(Response.Status.NOT_FOUND, what + " not found");
    }

    public Problem problem() {
        return new Problem(status, title, getMessage(), extensions);
    }
}
