package dev.dossier.persistence;

import java.nio.file.Path;
import java.util.Objects;
import java.util.Optional;

/**
 * Where the data lives: an external PostgreSQL when {@code url} is present, otherwise an
 * embedded PostgreSQL whose data directory survives restarts.
 *
 * @param url JDBC URL of an external PostgreSQL ({@code jdbc:postgresql://host:port/db})
 * @param user user for the external database; {@code null} leaves it to the URL or the driver
 * @param password password for the external database; {@code null} when there is none
 * @param embeddedDataDirectory data directory of the embedded PostgreSQL
 * @param embeddedPort port of the embedded PostgreSQL; 0 picks a free one
 */
public record DatabaseSettings(
        Optional<String> url,
        String user,
        String password,
        Path embeddedDataDirectory,
        int embeddedPort) {

    public static final Path DEFAULT_EMBEDDED_DIRECTORY =
            Path.of(System.getProperty("user.home"), ".dossier", "postgres");

    public DatabaseSettings {
        Objects.requireNonNull(url, "url");
        Objects.requireNonNull(embeddedDataDirectory, "embeddedDataDirectory");
        if (embeddedPort < 0 || embeddedPort > 65535) {
            throw new IllegalArgumentException("embedded port out of range: " + embeddedPort);
        }
    }

    public static DatabaseSettings external(String url, String user, String password) {
        return new DatabaseSettings(Optional.of(url), user, password, DEFAULT_EMBEDDED_DIRECTORY, 0);
    }

    public static DatabaseSettings embedded(Path dataDirectory, int port) {
        return new DatabaseSettings(Optional.empty(), null, null, dataDirectory, port);
    }

    /**
     * Reads {@code dossier.db.url}, {@code .user}, {@code .password}, {@code .embedded-dir} and
     * {@code .embedded-port}, each a system property first, then the environment variable
     * {@code DOSSIER_DB_URL}, {@code _USER}, {@code _PASSWORD}, {@code _EMBEDDED_DIR},
     * {@code _EMBEDDED_PORT}.
     */
    public static DatabaseSettings fromEnvironment() {
        Path directory = setting("dossier.db.embedded-dir", "DOSSIER_DB_EMBEDDED_DIR")
                .map(DatabaseSettings::expandHome)
                .orElse(DEFAULT_EMBEDDED_DIRECTORY);
        int port = setting("dossier.db.embedded-port", "DOSSIER_DB_EMBEDDED_PORT")
                .map(Integer::parseInt)
                .orElse(0);
        return new DatabaseSettings(
                setting("dossier.db.url", "DOSSIER_DB_URL"),
                setting("dossier.db.user", "DOSSIER_DB_USER").orElse(null),
                setting("dossier.db.password", "DOSSIER_DB_PASSWORD").orElse(null),
                directory,
                port);
    }

    /** Never shows the password: settings end up in logs. */
    @Override
    public String toString() {
        return "DatabaseSettings[url=" + url.map(DatabaseSettings::withoutCredentials).orElse("(embedded)")
                + ", user=" + user
                + ", password=" + (password == null ? "(none)" : "***")
                + ", embeddedDataDirectory=" + embeddedDataDirectory
                + ", embeddedPort=" + embeddedPort + "]";
    }

    /** {@code jdbc:postgresql://user:secret@host:5432/db?password=x} becomes {@code postgresql://host:5432/db}. */
    static String withoutCredentials(String jdbcUrl) {
        String url = jdbcUrl.startsWith("jdbc:") ? jdbcUrl.substring("jdbc:".length()) : jdbcUrl;
        int query = url.indexOf('?');
        if (query >= 0) {
            url = url.substring(0, query);
        }
        return url.replaceFirst("//[^/@]*@", "//");
    }

    private static Optional<String> setting(String property, String environmentVariable) {
        String value = System.getProperty(property);
        if (value == null || value.isBlank()) {
            value = System.getenv(environmentVariable);
        }
        return Optional.ofNullable(value).map(String::strip).filter(v -> !v.isEmpty());
    }

    private static Path expandHome(String directory) {
        if (directory.equals("~") || directory.startsWith("~/")) {
            return Path.of(System.getProperty("user.home"), directory.substring(1).replaceFirst("^/", ""));
        }
        return Path.of(directory);
    }
}
