package dev.dossier.persistence;

import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.util.Arrays;
import java.util.Collection;
import java.util.List;
import org.flywaydb.core.api.Location;
import org.flywaydb.core.api.ResourceProvider;
import org.flywaydb.core.api.resource.LoadableResource;
import org.flywaydb.core.internal.resource.classpath.ClassPathResource;

/**
 * The migrations named in {@code db/migration/migrations.list}, loaded by name. Flyway's own
 * classpath scanning cannot list a directory inside an application server's archives (Open
 * Liberty's {@code wsjar:} URLs), so the list is explicit; a test keeps it complete.
 */
final class ListedMigrations implements ResourceProvider {
    static final String DIRECTORY = "db/migration";
    static final String LIST = DIRECTORY + "/migrations.list";

    private final ClassLoader classLoader;
    private final List<String> fileNames;

    ListedMigrations(ClassLoader classLoader) {
        this.classLoader = classLoader;
        this.fileNames = readList(classLoader);
    }

    List<String> fileNames() {
        return fileNames;
    }

    @Override
    public LoadableResource getResource(String name) {
        String path = name.startsWith(DIRECTORY + "/") ? name : DIRECTORY + "/" + name;
        return classLoader.getResource(path) == null ? null : resource(path);
    }

    @Override
    public Collection<LoadableResource> getResources(String prefix, String[] suffixes) {
        return fileNames.stream()
                .filter(name -> name.startsWith(prefix) && Arrays.stream(suffixes).anyMatch(name::endsWith))
                .map(name -> resource(DIRECTORY + "/" + name))
                .toList();
    }

    private LoadableResource resource(String path) {
        return new ClassPathResource(new Location("classpath:" + DIRECTORY), path, classLoader, StandardCharsets.UTF_8);
    }

    private static List<String> readList(ClassLoader classLoader) {
        try (InputStream in = classLoader.getResourceAsStream(LIST)) {
            if (in == null) {
                throw new IllegalStateException(LIST + " is missing from the classpath");
            }
            return new BufferedReader(new InputStreamReader(in, StandardCharsets.UTF_8)).lines()
                    .map(String::strip)
                    .filter(line -> !line.isEmpty() && !line.startsWith("#"))
                    .toList();
        } catch (IOException e) {
            throw new UncheckedIOException(e);
        }
    }
}
