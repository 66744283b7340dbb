package dev.dossier.webapp.health;

import dev.dossier.webapp.platform.Platform;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the database answers. */
@Readiness
@ApplicationScoped
public class DatabaseHealth implements HealthCheck {
    @Inject
    Platform platform;

    @Override
    public HealthCheckResponse call() {
        boolean up;
        try {
            platform.repositories();
            up = platform.databaseHealthy();
        } catch (RuntimeException e) {
            up = false;
        }
        return HealthCheckResponse.named("database").status(up).withData("database", platform.databaseDescription()).build();
    }
}
