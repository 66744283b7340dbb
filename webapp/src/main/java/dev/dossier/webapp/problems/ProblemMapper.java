package dev.dossier.webapp.problems;

import dev.dossier.runtime.model.ContextOverflowException;
import jakarta.ws.rs.WebApplicationException;
import jakarta.ws.rs.core.Response;
import jakarta.ws.rs.ext.ExceptionMapper;
import jakarta.ws.rs.ext.Provider;
import java.util.Map;
import java.util.logging.Level;
import java.util.logging.Logger;

/** Every exception leaves the API as a problem detail with a clear message, never a stack trace. */
@Provider
public class ProblemMapper implements ExceptionMapper<Throwable> {
    private static final Logger LOG = Logger.getLogger(ProblemMapper.class.getName());

    @Override
    public Response toResponse(Throwable error) {
        return problemFor(error).toResponse();
    }

    public static Problem problemFor(Throwable error) {
        return switch (error) {
            case ApiException api -> api.problem();
            case ContextOverflowException overflow -> new Problem(422, "Too many tokens",
                    "the document set and question need " + overflow.tokensNeeded() + " tokens but the model's context holds "
                            + overflow.tokensAvailable(),
                    Map.of("tokens_needed", overflow.tokensNeeded(), "tokens_available", overflow.tokensAvailable()));
            case WebApplicationException web -> {
                Response.StatusType status = web.getResponse().getStatusInfo();
                yield new Problem(status.getStatusCode(), status.getReasonPhrase(), web.getMessage(), Map.of());
            }
            default -> {
                Problem known = PlatformProblems.of(error);
                if (known != null) {
                    yield known;
                }
                LOG.log(Level.SEVERE, "unexpected error", error);
                yield Problem.of(Response.Status.INTERNAL_SERVER_ERROR, "an unexpected error occurred; the server log has the details");
            }
        };
    }
}
