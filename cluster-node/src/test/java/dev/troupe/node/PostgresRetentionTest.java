package dev.troupe.node;

import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** Retention on a node with a PostgreSQL journal: runs when TROUPE_TEST_PG_URL is set. */
@EnabledIfEnvironmentVariable(named = "TROUPE_TEST_PG_URL", matches = ".+",
    disabledReason = "TROUPE_TEST_PG_URL is not set: the PostgreSQL variant is skipped")
class PostgresRetentionTest extends RetentionContract {
  @Override
  String newDatabaseUrl() {
    return TestNodes.newPostgresUrl().orElseThrow();
  }
}
