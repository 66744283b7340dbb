package dev.dossier.persistence;

import static org.junit.jupiter.api.Assertions.assertEquals;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.stream.Stream;
import org.junit.jupiter.api.Test;

class ListedMigrationsTest {

    /** Every migration file in the source tree is listed, in version order. */
    @Test
    void theListNamesEveryMigration() throws Exception {
        try (Stream<Path> files = Files.list(Path.of("src/main/resources", ListedMigrations.DIRECTORY))) {
            var onDisk = files.map(f -> f.getFileName().toString()).filter(n -> n.endsWith(".sql"))
                    .sorted((a, b) -> Integer.compare(version(a), version(b))).toList();
            assertEquals(onDisk, new ListedMigrations(getClass().getClassLoader()).fileNames());
        }
    }

    @Test
    void flywayFindsTheListedMigrationsByPrefix() {
        var migrations = new ListedMigrations(getClass().getClassLoader());
        assertEquals(migrations.fileNames().size(), migrations.getResources("V", new String[] {".sql"}).size());
        assertEquals(0, migrations.getResources("R", new String[] {".sql"}).size());
    }

    private static int version(String fileName) {
        return Integer.parseInt(fileName.substring(1, fileName.indexOf("__")));
    }
}
