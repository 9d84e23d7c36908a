package dev.troupe.persistence;

import java.sql.SQLException;
import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/**
 * Retention on PostgreSQL, in a fresh schema {@code troupe_test_<random>} per test,
 * dropped afterwards. Runs only when {@code TROUPE_TEST_PG_URL} is set (see {@link
 * PostgresSchemaMigratorTest} for the variables).
 */
@EnabledIfEnvironmentVariable(named = "TROUPE_TEST_PG_URL", matches = ".+",
    disabledReason = "TROUPE_TEST_PG_URL is not set: the PostgreSQL retention tests are skipped")
class PostgresRetentionTest extends RetentionContract {
  private PostgresTestSchema schema;

  @Override
  protected DatabaseSettings newDatabase() throws SQLException {
    schema = new PostgresTestSchema();
    return schema.create();
  }

  @Override
  protected void dropDatabase(DatabaseSettings db) throws SQLException {
    schema.drop();
  }
}
