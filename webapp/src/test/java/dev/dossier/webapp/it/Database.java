package dev.dossier.webapp.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/** Looks into the test server's database directly, to prove nothing was left behind. */
final class Database {
    private static final String URL = System.getProperty("dossier.it.db.url");

    private Database() {
    }

    /** Rows in {@code table} whose {@code column} is {@code id}. */
    static long count(String table, String column, String id) {
        try (Connection connection = DriverManager.getConnection(URL, "postgres", null);
             PreparedStatement statement = connection.prepareStatement("select count(*) from " + table + " where " + column + " = ?")) {
            statement.setObject(1, UUID.fromString(id));
            try (ResultSet rows = statement.executeQuery()) {
                rows.next();
                return rows.getLong(1);
            }
        } catch (SQLException e) {
            throw new AssertionError(e);
        }
    }
}
