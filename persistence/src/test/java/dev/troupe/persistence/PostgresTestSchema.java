package dev.troupe.persistence;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;

/**
 * A fresh schema {@code troupe_test_<random>} on the PostgreSQL of {@code TROUPE_TEST_PG_URL}
 * (user {@code TROUPE_TEST_PG_USER}, default postgres; password {@code TROUPE_TEST_PG_PASSWORD},
 * default empty), for one test, dropped afterwards.
 */
final class PostgresTestSchema {
  private final String schema = "troupe_test_" + UUID.randomUUID().toString().replace("-", "")
      .substring(0, 12).toLowerCase(Locale.ROOT);

  /** Creates the schema; the settings of a pool of two connections to it. */
  DatabaseSettings create() throws SQLException {
    execute("CREATE SCHEMA " + schema);
    String url = url();
    return new DatabaseSettings(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema
        + "&reWriteBatchedInserts=true", user(), password(), 2);
  }

  void drop() throws SQLException {
    execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }

  private static String url() {
    return System.getenv("TROUPE_TEST_PG_URL");
  }

  private static String user() {
    return Objects.requireNonNullElse(System.getenv("TROUPE_TEST_PG_USER"), "postgres");
  }

  private static String password() {
    return Objects.requireNonNullElse(System.getenv("TROUPE_TEST_PG_PASSWORD"), "");
  }

  private static void execute(String sql) throws SQLException {
    try (Connection c = DriverManager.getConnection(url(), user(), password());
        Statement st = c.createStatement()) {
      st.execute(sql);
    }
  }
}
