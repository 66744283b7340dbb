package dev.dossier.it;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.util.UUID;

/** Looks into the server's database directly (JDBC), to prove what is stored and that nothing is left behind. */
final class Database {
    private static final String URL = System.getProperty("dossier.it.db.url");
    private static final String USER = System.getProperty("dossier.it.db.user", "postgres");

    private Database() {
    }

    /** Rows of {@code table} whose {@code column} is {@code id}. */
    static long count(String table, String column, String id) {
        try (Connection connection = DriverManager.getConnection(URL, USER, null);
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
