package dev.dossier.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import dev.dossier.persistence.documents.DocumentSets;
import java.util.Optional;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.RegisterExtension;

/** A URL's currentSchema keeps Dossier's tables in a schema of their own, created on first use. */
class DatabaseSchemaTest {
    @RegisterExtension
    static final FreshDatabase fresh = new FreshDatabase();

    @Test
    void schemaIsReadFromTheUrl() {
        assertEquals(Optional.of("dossier_it"), Database.schemaOf("jdbc:postgresql://h:5432/db?ssl=false&currentSchema=dossier_it"));
        assertEquals(Optional.empty(), Database.schemaOf("jdbc:postgresql://h:5432/db"));
    }

    @Test
    void tablesGoToTheSchemaNamedInTheUrl() {
        String url = fresh.url() + "?currentSchema=installation_a";
        try (Database database = Database.open(DatabaseSettings.external(url, FreshDatabase.USER, null))) {
            new DocumentSets(database).create("in a schema");
            assertEquals(1, new DocumentSets(database).list().size());
        }
        assertEquals(1, fresh.number("select count(*) from installation_a.document_set"));
        assertEquals(0, fresh.number("select count(*) from public.document_set"));
    }
}
