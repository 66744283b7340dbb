package dev.dossier.persistence;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;
import org.junit.jupiter.api.extension.AfterAllCallback;
import org.junit.jupiter.api.extension.BeforeAllCallback;
import org.junit.jupiter.api.extension.ExtensionContext;

/**
 * A test class's own database on the real PostgreSQL: created empty before the class, opened
 * with {@link Database#open} (so migrated and validated), dropped after it. The server is
 * {@code dossier.test.postgres.url} (default {@code jdbc:postgresql://127.0.0.1:5432/test}) as
 * {@code dossier.test.postgres.user} (default {@code postgres}).
 *
 * <p>Use as {@code @RegisterExtension static final FreshDatabase fresh = new FreshDatabase();}.
 */
public final class FreshDatabase implements BeforeAllCallback, AfterAllCallback {

    private static final String ADMIN_URL =
            System.getProperty("dossier.test.postgres.url", "jdbc:postgresql://127.0.0.1:5432/test");
    public static final String USER = System.getProperty("dossier.test.postgres.user", "postgres");

    private String name;
    private Database database;

    @Override
    public void beforeAll(ExtensionContext context) {
        name = createEmptyDatabase();
        database = Database.open(DatabaseSettings.external(urlOf(name), USER, null));
    }

    @Override
    public void afterAll(ExtensionContext context) {
        if (database != null) {
            database.close();
        }
        if (name != null) {
            dropDatabase(name);
        }
    }

    public Database database() {
        return database;
    }

    public String url() {
        return urlOf(name);
    }

    /** The single number a plain SQL query returns, e.g. a count. */
    public long number(String sql, Object... parameters) {
        return ((Number) value(sql, parameters)).longValue();
    }

    /** The single string a plain SQL query returns. */
    public String string(String sql, Object... parameters) {
        return (String) value(sql, parameters);
    }

    private Object value(String sql, Object... parameters) {
        try (Connection connection = DriverManager.getConnection(url(), USER, null);
                PreparedStatement statement = prepared(connection, sql, parameters);
                ResultSet result = statement.executeQuery()) {
            if (!result.next()) {
                throw new IllegalStateException("no row: " + sql);
            }
            return result.getObject(1);
        } catch (SQLException e) {
            throw new IllegalStateException(sql, e);
        }
    }

    /** Runs plain SQL; returns the number of rows it changed. */
    public int execute(String sql, Object... parameters) throws SQLException {
        try (Connection connection = DriverManager.getConnection(url(), USER, null);
                PreparedStatement statement = prepared(connection, sql, parameters)) {
            return statement.executeUpdate();
        }
    }

    /** A new empty database on the test server; the caller drops it. */
    public static String createEmptyDatabase() {
        String database = "dossier_test_" + UUID.randomUUID().toString().replace("-", "");
        admin("create database " + database);
        return database;
    }

    public static void dropDatabase(String database) {
        admin("drop database if exists " + database + " with (force)");
    }

    public static String urlOf(String database) {
        return ADMIN_URL.substring(0, ADMIN_URL.lastIndexOf('/') + 1) + database;
    }

    private static void admin(String sql) {
        try (Connection connection = DriverManager.getConnection(ADMIN_URL, USER, null)) {
            connection.createStatement().execute(sql);
        } catch (SQLException e) {
            throw new IllegalStateException("test PostgreSQL at " + ADMIN_URL + ": " + sql, e);
        }
    }

    private static PreparedStatement prepared(Connection connection, String sql, Object... parameters)
            throws SQLException {
        PreparedStatement statement = connection.prepareStatement(sql);
        for (int i = 0; i < parameters.length; i++) {
            statement.setObject(i + 1, parameters[i]);
        }
        return statement;
    }
}
