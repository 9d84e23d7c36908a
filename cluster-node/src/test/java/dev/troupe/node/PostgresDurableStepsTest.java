package dev.troupe.node;

import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** Durable steps and compensations on PostgreSQL: runs when TROUPE_TEST_PG_URL is set. */
@EnabledIfEnvironmentVariable(named = "TROUPE_TEST_PG_URL", matches = ".+",
    disabledReason = "TROUPE_TEST_PG_URL is not set: the PostgreSQL variant is skipped")
class PostgresDurableStepsTest extends DurableStepsContract {
  @Override
  String newDatabaseUrl() {
    return TestNodes.newPostgresUrl().orElseThrow();
  }
}
