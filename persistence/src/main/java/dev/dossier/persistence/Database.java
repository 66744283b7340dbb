package dev.dossier.persistence;

import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.HikariDataSource;
import dev.dossier.persistence.conversations.Conversation;
import dev.dossier.persistence.conversations.Message;
import dev.dossier.persistence.documents.Document;
import dev.dossier.persistence.documents.DocumentContent;
import dev.dossier.persistence.documents.DocumentSet;
import dev.dossier.persistence.prefixcache.PrefixCacheEntry;
import io.zonky.test.db.postgres.embedded.EmbeddedPostgres;
import jakarta.persistence.EntityManager;
import jakarta.persistence.EntityManagerFactory;
import jakarta.persistence.EntityTransaction;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.Duration;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.function.Consumer;
import java.util.function.Function;
import javax.sql.DataSource;
import org.flywaydb.core.Flyway;
import org.hibernate.SessionFactory;
import org.hibernate.boot.MetadataSources;
import org.hibernate.boot.model.naming.CamelCaseToUnderscoresNamingStrategy;
import org.hibernate.boot.registry.StandardServiceRegistry;
import org.hibernate.boot.registry.StandardServiceRegistryBuilder;
import org.hibernate.cfg.AvailableSettings;

/**
 * The running database: connection pool, migrated schema and entity manager factory, started
 * in that order by {@link #open}. Closing it stops all three (and the embedded server, if any).
 */
public final class Database implements AutoCloseable {

    private static final List<Class<?>> ENTITY_CLASSES = List.of(
            DocumentSet.class,
            Document.class,
            DocumentContent.class,
            Conversation.class,
            Message.class,
            PrefixCacheEntry.class,
            dev.dossier.persistence.reviews.ReviewRun.class);

    private static final int MAX_POOL_SIZE = 8;
    /** Short, so that a database that went away fails a request instead of hanging it. */
    private static final Duration CONNECTION_TIMEOUT = Duration.ofSeconds(5);
    private static final int HEALTH_CHECK_TIMEOUT_SECONDS = 2;
    private static final String EMBEDDED_USER = "postgres";
    private static final String EMBEDDED_DATABASE = "postgres";

    private final HikariDataSource dataSource;
    private final SessionFactory sessionFactory;
    private final EmbeddedPostgres embeddedServer;
    private final String description;

    private Database(HikariDataSource dataSource, SessionFactory sessionFactory,
            EmbeddedPostgres embeddedServer, String description) {
        this.dataSource = dataSource;
        this.sessionFactory = sessionFactory;
        this.embeddedServer = embeddedServer;
        this.description = description;
    }

    /**
     * Connects (or starts the embedded server), migrates the schema and validates the entities
     * against it.
     *
     * @throws DatabaseUnavailableException if the database cannot be reached or started
     */
    public static Database open(DatabaseSettings settings) {
        Objects.requireNonNull(settings, "settings");
        if (settings.url().isPresent()) {
            String url = settings.url().get();
            String description = "external " + DatabaseSettings.withoutCredentials(url);
            return openOn(connectionPool(url, settings.user(), settings.password(), description),
                    null, description, schemaOf(url));
        }
        EmbeddedPostgres server = startEmbedded(settings.embeddedDataDirectory(), settings.embeddedPort());
        try {
            String description = "embedded at " + settings.embeddedDataDirectory();
            String url = server.getJdbcUrl(EMBEDDED_USER, EMBEDDED_DATABASE);
            return openOn(connectionPool(url, EMBEDDED_USER, null, description), server, description, Optional.empty());
        } catch (RuntimeException failure) {
            closeAfterFailure(server, failure);
            throw failure;
        }
    }

    public EntityManagerFactory entityManagerFactory() {
        return sessionFactory;
    }

    /**
     * Runs {@code work} in one RESOURCE_LOCAL transaction and returns its result. Any exception
     * rolls the transaction back and is rethrown as it was.
     */
    public <T> T transaction(Function<EntityManager, T> work) {
        try (EntityManager entityManager = sessionFactory.createEntityManager()) {
            EntityTransaction transaction = entityManager.getTransaction();
            transaction.begin();
            try {
                T result = work.apply(entityManager);
                transaction.commit();
                return result;
            } catch (RuntimeException | Error failure) {
                rollBack(transaction, failure);
                throw failure;
            }
        }
    }

    /** {@link #transaction} for work without a result. */
    public void inTransaction(Consumer<EntityManager> work) {
        transaction(entityManager -> {
            work.accept(entityManager);
            return null;
        });
    }

    /**
     * Whether the database answers {@code SELECT 1} now. Takes at most the pool's connection
     * timeout plus a couple of seconds; never throws.
     */
    public boolean isHealthy() {
        try (Connection connection = dataSource.getConnection();
                Statement statement = connection.createStatement()) {
            statement.setQueryTimeout(HEALTH_CHECK_TIMEOUT_SECONDS);
            statement.execute("SELECT 1");
            return true;
        } catch (SQLException | RuntimeException unhealthy) {
            return false;
        }
    }

    /** Where the data lives, without credentials: "external postgresql://host:port/db" or "embedded at DIR". */
    public String description() {
        return description;
    }

    @Override
    public String toString() {
        return "Database[" + description + "]";
    }

    @Override
    public void close() {
        RuntimeException failure = null;
        try {
            sessionFactory.close();
        } catch (RuntimeException e) {
            failure = e;
        }
        dataSource.close();
        if (embeddedServer != null) {
            try {
                embeddedServer.close();
            } catch (IOException e) {
                RuntimeException stopFailure = new DatabaseUnavailableException(
                        "cannot stop the embedded PostgreSQL: " + e.getMessage(), e);
                if (failure == null) {
                    failure = stopFailure;
                } else {
                    failure.addSuppressed(stopFailure);
                }
            }
        }
        if (failure != null) {
            throw failure;
        }
    }

    /**
     * A URL's {@code currentSchema} parameter puts Dossier's tables in that schema (created when
     * missing), so one database can hold several installations, or a test run beside others.
     */
    static Optional<String> schemaOf(String url) {
        int query = url.indexOf('?');
        if (query < 0) {
            return Optional.empty();
        }
        for (String parameter : url.substring(query + 1).split("&")) {
            if (parameter.startsWith("currentSchema=") && parameter.length() > "currentSchema=".length()) {
                return Optional.of(parameter.substring("currentSchema=".length()));
            }
        }
        return Optional.empty();
    }

    private static Database openOn(HikariDataSource pool, EmbeddedPostgres server, String description, Optional<String> schema) {
        try {
            ClassLoader classLoader = Database.class.getClassLoader();
            var flyway = Flyway.configure(classLoader)
                    .dataSource(pool)
                    .resourceProvider(new ListedMigrations(classLoader))
                    .javaMigrationClassProvider(List::of);
            schema.ifPresent(name -> flyway.schemas(name).createSchemas(true));
            flyway.load().migrate();
            return new Database(pool, buildSessionFactory(pool, schema), server, description);
        } catch (RuntimeException failure) {
            pool.close();
            throw failure;
        }
    }

    private static HikariDataSource connectionPool(String url, String user, String password, String description) {
        HikariConfig config = new HikariConfig();
        config.setPoolName("dossier");
        config.setJdbcUrl(url);
        // Named, not looked up through DriverManager: an application server's class loaders can
        // hide the driver from DriverManager ("No suitable driver").
        config.setDriverClassName("org.postgresql.Driver");
        if (user != null) {
            config.setUsername(user);
        }
        if (password != null) {
            config.setPassword(password);
        }
        config.setMaximumPoolSize(MAX_POOL_SIZE);
        config.setMinimumIdle(1);
        config.setConnectionTimeout(CONNECTION_TIMEOUT.toMillis());
        // The driver's own timeout (seconds) bounds a host that drops packets instead of refusing.
        config.addDataSourceProperty("connectTimeout", (int) CONNECTION_TIMEOUT.toSeconds());
        try {
            return new HikariDataSource(config);
        } catch (RuntimeException connectionFailure) {
            throw new DatabaseUnavailableException("cannot connect to PostgreSQL ("
                    + description + "): " + rootCauseMessage(connectionFailure), connectionFailure);
        }
    }

    private static EmbeddedPostgres startEmbedded(Path dataDirectory, int port) {
        if ("root".equals(System.getProperty("user.name"))) {
            throw new DatabaseUnavailableException(
                    "embedded PostgreSQL cannot run as root; set DOSSIER_DB_URL to an external PostgreSQL");
        }
        try {
            Files.createDirectories(dataDirectory);
            return EmbeddedPostgres.builder()
                    .setDataDirectory(dataDirectory)
                    .setCleanDataDirectory(false)
                    .setPort(port)
                    .start();
        } catch (IOException | RuntimeException e) {
            throw new DatabaseUnavailableException("cannot start embedded PostgreSQL in "
                    + dataDirectory + ": " + rootCauseMessage(e), e);
        }
    }

    /**
     * Hibernate's own bootstrap: no persistence.xml, the entity classes listed here, the pool
     * handed over as is. (JPA 3.2's {@code PersistenceConfiguration}, and Hibernate's
     * {@code HibernatePersistenceConfiguration}, arrive only with Hibernate 7.) A
     * {@link SessionFactory} is the {@link EntityManagerFactory}; with no JTA platform its
     * transactions are resource-local JDBC ones.
     */
    private static SessionFactory buildSessionFactory(DataSource dataSource, Optional<String> schema) {
        StandardServiceRegistryBuilder settings = new StandardServiceRegistryBuilder();
        schema.ifPresent(name -> settings.applySetting(AvailableSettings.DEFAULT_SCHEMA, name));
        StandardServiceRegistry registry = settings
                .applySetting(AvailableSettings.DATASOURCE, dataSource)
                .applySetting(AvailableSettings.HBM2DDL_AUTO, "validate")
                .applySetting(AvailableSettings.PHYSICAL_NAMING_STRATEGY,
                        CamelCaseToUnderscoresNamingStrategy.class.getName())
                .build();
        try {
            MetadataSources sources = new MetadataSources(registry);
            ENTITY_CLASSES.forEach(sources::addAnnotatedClass);
            return sources.buildMetadata().buildSessionFactory();
        } catch (RuntimeException failure) {
            StandardServiceRegistryBuilder.destroy(registry);
            throw failure;
        }
    }

    private static void rollBack(EntityTransaction transaction, Throwable failure) {
        try {
            if (transaction.isActive()) {
                transaction.rollback();
            }
        } catch (RuntimeException rollbackFailure) {
            failure.addSuppressed(rollbackFailure);
        }
    }

    private static void closeAfterFailure(EmbeddedPostgres server, Throwable failure) {
        try {
            server.close();
        } catch (IOException closeFailure) {
            failure.addSuppressed(closeFailure);
        }
    }

    private static String rootCauseMessage(Throwable failure) {
        Throwable cause = failure;
        while (cause.getCause() != null && cause.getCause() != cause) {
            cause = cause.getCause();
        }
        return cause.getMessage();
    }
}
