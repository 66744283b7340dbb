package dev.dossier.webapp.health;

import dev.dossier.webapp.chat.ChatModels;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.inject.Inject;
import org.eclipse.microprofile.health.HealthCheck;
import org.eclipse.microprofile.health.HealthCheckResponse;
import org.eclipse.microprofile.health.Readiness;

/** Ready when the chat model is loaded (or the remote one is configured). */
@Readiness
@ApplicationScoped
public class ModelHealth implements HealthCheck {
    @Inject
    ChatModels models;

    @Override
    public HealthCheckResponse call() {
        var response = HealthCheckResponse.named("model").status(models.ready());
        if (models.ready()) {
            response.withData("model", models.modelName()).withData("capacity_tokens", models.capacity()).withData("attention", models.attentionKey());
            models.local().ifPresent(local -> response.withData("engine", local.engine().name())
                    .withData("device", local.engine().device())
                    .withData("kv_cache", local.engine().kvPrecision().id()));
        } else {
            response.withData("error", String.valueOf(models.failure()));
        }
        return response.build();
    }
}
