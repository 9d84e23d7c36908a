package dev.troupe.persistence;

import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.util.Locale;
import java.util.Objects;
import java.util.UUID;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Retention on PostgreSQL, in a fresh schema {@code troupe_test_<random>} per test,
 * dropped afterwards. Runs only when {@code TROUPE_TEST_PG_URL} is set (see {@link
 * PostgresSchemaMigratorTest} for the variables).
 */
@EnabledIfEnvironmentVariable(named = "TROUPE_TEST_PG_URL", matches = ".+",
    disabledReason = "TROUPE_TEST_PG_URL is not set: the PostgreSQL retention tests are skipped")
class PostgresRetentionTest extends RetentionContract {
  private String schema;

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

  @Override
  protected DatabaseSettings newDatabase() throws SQLException {
    schema = "troupe_test_" + UUID.randomUUID().toString().replace("-", "")
        .substring(0, 12).toLowerCase(Locale.ROOT);
    execute("CREATE SCHEMA " + schema);
    String url = url();
    return new DatabaseSettings(url + (url.contains("?") ? "&" : "?") + "currentSchema=" + schema
        + "&reWriteBatchedInserts=true", user(), password(), 2);
  }

  @Override
  protected void dropDatabase(DatabaseSettings db) throws SQLException {
    execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
  }
}
