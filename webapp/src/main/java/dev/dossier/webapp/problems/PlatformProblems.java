package dev.dossier.webapp.problems;

/** Problem details for the errors of the platform's own layers (ingestion, persistence). */
final class PlatformProblems {
    private PlatformProblems() {
    }

    /** The problem for {@code error}, or null when it is not one of ours. */
    static Problem of(Throwable error) {
        return null;
    }
}
