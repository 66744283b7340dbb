package dev.dossier.webapp.problems;

import dev.dossier.persistence.DatabaseUnavailableException;
import dev.dossier.persistence.NotFoundException;
import dev.dossier.webapp.ingest.CorruptDocumentException;
import dev.dossier.webapp.ingest.UnsupportedDocumentException;
import dev.dossier.webapp.ingest.UploadTooLargeException;
import jakarta.persistence.PersistenceException;
import jakarta.ws.rs.core.Response;
import java.util.Map;

/** Problem details for the errors of the platform's own layers (ingestion, persistence). */
final class PlatformProblems {
    private PlatformProblems() {
    }

    /** The problem for {@code error}, or null when it is not one of ours. */
    static Problem of(Throwable error) {
        return switch (error) {
            case NotFoundException missing -> Problem.of(Response.Status.NOT_FOUND, missing.getMessage());
            case UnsupportedDocumentException unsupported -> new Problem(415, "Unsupported Media Type", unsupported.getMessage(), Map.of());
            case CorruptDocumentException corrupt -> new Problem(422, "Unreadable Document", corrupt.getMessage(), Map.of());
            case UploadTooLargeException tooLarge -> new Problem(413, "Content Too Large", tooLarge.getMessage(), Map.of());
            case IllegalArgumentException invalid -> Problem.of(Response.Status.BAD_REQUEST, invalid.getMessage());
            case DatabaseUnavailableException down -> Problem.of(Response.Status.SERVICE_UNAVAILABLE, down.getMessage());
            case PersistenceException persistence when isConnectionFailure(persistence) ->
                    Problem.of(Response.Status.SERVICE_UNAVAILABLE, "the database is unavailable; try again shortly");
            default -> null;
        };
    }

    private static boolean isConnectionFailure(Throwable error) {
        for (Throwable cause = error; cause != null; cause = cause.getCause()) {
            if (cause instanceof java.sql.SQLTransientConnectionException
                    || (cause instanceof java.sql.SQLException sql && sql.getSQLState() != null && sql.getSQLState().startsWith("08"))) {
                return true;
            }
        }
        return false;
    }
}
