package dev.dossier.webapp.platform;

import dev.dossier.persistence.Database;
import dev.dossier.persistence.DatabaseSettings;
import dev.dossier.persistence.conversations.Conversations;
import dev.dossier.persistence.documents.DocumentSets;
import dev.dossier.persistence.prefixcache.PrefixCaches;
import dev.dossier.persistence.reviews.Reviews;
import jakarta.annotation.PreDestroy;
import jakarta.enterprise.context.ApplicationScoped;
import jakarta.enterprise.event.Observes;
import jakarta.enterprise.event.Startup;
import jakarta.inject.Inject;
import java.nio.file.Path;
import java.util.Optional;
import java.util.logging.Logger;
import org.eclipse.microprofile.config.inject.ConfigProperty;

/**
 * The platform's storage: the database (an external PostgreSQL from {@code dossier.db.url}, or
 * an embedded one under the user's home) with its repositories, and the data directory for
 * prefix-cache files. A database that is down at start-up, or goes away later, is retried on
 * the next request instead of taking the server down.
 */
@ApplicationScoped
public class Platform {
    private static final Logger LOG = Logger.getLogger(Platform.class.getName());

    @Inject
    @ConfigProperty(name = "dossier.db.url")
    Optional<String> url;

    @Inject
    @ConfigProperty(name = "dossier.db.user")
    Optional<String> user;

    @Inject
    @ConfigProperty(name = "dossier.db.password")
    Optional<String> password;

    @Inject
    @ConfigProperty(name = "dossier.data-dir", defaultValue = "${user.home}/.dossier")
    String dataDirectory;

    private volatile Database database;
    private volatile Repositories repositories;

    /** The repositories over one open database. */
    public record Repositories(DocumentSets documentSets, Conversations conversations, PrefixCaches prefixCaches, Reviews reviews) {
    }

    void start(@Observes Startup startup) {
        try {
            repositories();
        } catch (RuntimeException e) {
            LOG.severe("database unavailable at start-up (will retry on use): " + e.getMessage());
        }
    }

    public Repositories repositories() {
        Repositories current = repositories;
        if (current == null) {
            synchronized (this) {
                if (repositories == null) {
                    DatabaseSettings settings = url.isPresent()
                            ? DatabaseSettings.external(url.get(), user.orElse(null), password.orElse(null))
                            : DatabaseSettings.embedded(dataDirectory().resolve("postgres"), 0);
                    database = Database.open(settings);
                    LOG.info("database: " + database.description());
                    repositories = new Repositories(new DocumentSets(database), new Conversations(database), new PrefixCaches(database), new Reviews(database));
                    int abandoned = repositories.reviews().failAbandoned("the server stopped during the run");
                    if (abandoned > 0) {
                        LOG.info("review runs left running by an earlier server marked failed: " + abandoned);
                    }
                }
                current = repositories;
            }
        }
        return current;
    }

    public DocumentSets documentSets() {
        return repositories().documentSets();
    }

    public Conversations conversations() {
        return repositories().conversations();
    }

    public Reviews reviews() {
        return repositories().reviews();
    }

    public PrefixCaches prefixCaches() {
        return repositories().prefixCaches();
    }

    public boolean databaseHealthy() {
        Database current = database;
        return current != null && current.isHealthy();
    }

    public String databaseDescription() {
        Database current = database;
        return current == null ? "not connected" : current.description();
    }

    public Path dataDirectory() {
        return Path.of(dataDirectory.replace("${user.home}", System.getProperty("user.home")));
    }

    @PreDestroy
    void stop() {
        if (database != null) {
            database.close();
        }
    }
}
