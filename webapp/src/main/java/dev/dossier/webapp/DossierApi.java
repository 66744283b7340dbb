package dev.dossier.webapp;

import dev.dossier.webapp.conversations.ConversationResource;
import dev.dossier.webapp.documentsets.DocumentResource;
import dev.dossier.webapp.documentsets.DocumentSetResource;
import dev.dossier.webapp.prefixcache.PrefixCacheResource;
import dev.dossier.webapp.problems.ProblemMapper;
import dev.dossier.webapp.reviews.ReviewResource;
import jakarta.ws.rs.ApplicationPath;
import jakarta.ws.rs.core.Application;
import java.util.Set;
import org.eclipse.microprofile.openapi.annotations.OpenAPIDefinition;
import org.eclipse.microprofile.openapi.annotations.info.Info;

/** The JAX-RS application behind {@code /api}: document sets, documents, conversations. */
@ApplicationPath("/api")
@OpenAPIDefinition(info = @Info(title = "Dossier API", version = "0.1",
        description = "Retrieval-free long-document review: every question is answered with the whole document set in context."))
public class DossierApi extends Application {
    @Override
    public Set<Class<?>> getClasses() {
        return Set.of(DocumentSetResource.class, DocumentResource.class, PrefixCacheResource.class,
                ConversationResource.class, ReviewResource.class, ProblemMapper.class);
    }
}
