package dev.dossier.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertSame;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;
import static org.junit.jupiter.api.Assumptions.assumeTrue;

import jakarta.persistence.PersistenceException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import java.util.Optional;
import java.util.UUID;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.io.TempDir;

class DatabaseTest {

    @RegisterExtension
    static final FreshDatabase fresh = new FreshDatabase();

    @Test
    void opensMigratedAndValidated() {
        assertEquals(1, fresh.number("select count(*) from flyway_schema_history where version = '1' and success"));
        for (String table : List.of("document_set", "document", "document_content", "conversation", "message",
                "prefix_cache_entry")) {
            assertEquals(1, fresh.number("select count(*) from information_schema.tables where table_name = ?", table),
                    table);
        }
        assertTrue(fresh.database().isHealthy());
        assertEquals("external " + fresh.url().substring("jdbc:".length()), fresh.database().description());
    }

    @Test
    void hibernateRefusesASchemaThatDoesNotMatchTheEntities() throws Exception {
        String name = FreshDatabase.createEmptyDatabase();
        try {
            DatabaseSettings settings = DatabaseSettings.external(FreshDatabase.urlOf(name), FreshDatabase.USER, null);
            Database.open(settings).close();
            try (Database migrated = Database.open(settings)) {
                migrated.inTransaction(em -> em.createNativeQuery("alter table document drop column token_count")
                        .executeUpdate());
            }
            PersistenceException failure = assertThrows(PersistenceException.class, () -> Database.open(settings));
            assertTrue(failure.getMessage().contains("token_count"), failure.getMessage());
        } finally {
            FreshDatabase.dropDatabase(name);
        }
    }

    @Test
    void transactionRollsBackAndRethrowsTheSameException() {
        UUID id = UUID.randomUUID();
        IllegalStateException thrown = new IllegalStateException("work failed");
        IllegalStateException caught = assertThrows(IllegalStateException.class, () -> fresh.database().inTransaction(em -> {
            em.createNativeQuery("""
                            insert into document_set (id, name, content_version, created_at, updated_at)
                            values (?, 'doomed', 1, now(), now())
                            """)
                    .setParameter(1, id)
                    .executeUpdate();
            throw thrown;
        }));
        assertSame(thrown, caught);
        assertEquals(0, fresh.number("select count(*) from document_set where id = ?", id));
    }

    @Test
    void transactionCommitsAndReturnsTheResult() {
        UUID id = UUID.randomUUID();
        int inserted = fresh.database().transaction(em -> em.createNativeQuery("""
                        insert into document_set (id, name, content_version, created_at, updated_at)
                        values (?, 'kept', 1, now(), now())
                        """)
                .setParameter(1, id)
                .executeUpdate());
        assertEquals(1, inserted);
        assertEquals(1, fresh.number("select count(*) from document_set where id = ?", id));
    }

    @Test
    void aClosedDatabaseIsNotHealthy() {
        Database second = Database.open(DatabaseSettings.external(fresh.url(), FreshDatabase.USER, null));
        assertTrue(second.isHealthy());
        second.close();
        assertFalse(second.isHealthy());
    }

    @Test
    void anUnreachableServerFailsFastNamingTheUrlButNotThePassword() {
        DatabaseSettings settings = DatabaseSettings.external(
                "jdbc:postgresql://127.0.0.1:1/dossier?password=hunter2", "postgres", "hunter2");
        long start = System.nanoTime();
        DatabaseUnavailableException failure =
                assertThrows(DatabaseUnavailableException.class, () -> Database.open(settings));
        Duration elapsed = Duration.ofNanos(System.nanoTime() - start);

        assertTrue(elapsed.compareTo(Duration.ofSeconds(6)) < 0, "took " + elapsed);
        assertTrue(failure.getMessage().contains("postgresql://127.0.0.1:1/dossier"), failure.getMessage());
        assertFalse(failure.getMessage().contains("hunter2"), failure.getMessage());
        assertFalse(settings.toString().contains("hunter2"), settings.toString());
    }

    @Test
    void embeddedPostgresRefusesToRunAsRoot(@TempDir Path directory) {
        assumeTrue("root".equals(System.getProperty("user.name")), "only meaningful when running as root");
        Path dataDirectory = directory.resolve("postgres");
        DatabaseUnavailableException failure = assertThrows(DatabaseUnavailableException.class,
                () -> Database.open(DatabaseSettings.embedded(dataDirectory, 0)));
        assertEquals("embedded PostgreSQL cannot run as root; set DOSSIER_DB_URL to an external PostgreSQL",
                failure.getMessage());
        assertFalse(Files.exists(dataDirectory), "nothing should have been started or created");
    }

    @Test
    void settingsComeFromSystemProperties() {
        List<String> properties = List.of("dossier.db.url", "dossier.db.user", "dossier.db.password",
                "dossier.db.embedded-dir", "dossier.db.embedded-port");
        try {
            System.setProperty("dossier.db.url", "jdbc:postgresql://db.example:5433/dossier");
            System.setProperty("dossier.db.user", "reviewer");
            System.setProperty("dossier.db.password", "secret");
            System.setProperty("dossier.db.embedded-dir", "~/elsewhere");
            System.setProperty("dossier.db.embedded-port", "15432");

            DatabaseSettings settings = DatabaseSettings.fromEnvironment();

            assertEquals(Optional.of("jdbc:postgresql://db.example:5433/dossier"), settings.url());
            assertEquals("reviewer", settings.user());
            assertEquals("secret", settings.password());
            assertEquals(Path.of(System.getProperty("user.home"), "elsewhere"), settings.embeddedDataDirectory());
            assertEquals(15432, settings.embeddedPort());
        } finally {
            properties.forEach(System::clearProperty);
        }
    }

    @Test
    void descriptionsLeaveCredentialsOut() {
        assertEquals("postgresql://db.example:5432/dossier",
                DatabaseSettings.withoutCredentials("jdbc:postgresql://reviewer:secret@db.example:5432/dossier?password=secret"));
    }
}
