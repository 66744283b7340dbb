package dev.dossier.webapp.openai;

import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Set;

/** The OpenAI-compatible API behind {@code /v1}, served from the same runtime as {@code /api}. */
@ApplicationPath("/v1")
public class OpenAiApi extends Application {
    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(ChatCompletionsResource.class, dev.dossier.webapp.problems.ProblemMapper.class);
    }
}
