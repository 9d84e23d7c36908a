package dev.troupe.node;

import org.junit.jupiter.api.condition.EnabledIfEnvironmentVariable;

/** The durability contract on PostgreSQL: runs when TROUPE_TEST_PG_URL is set. */
@EnabledIfEnvironmentVariable(named = "TROUPE_TEST_PG_URL", matches = ".+",
    disabledReason = "TROUPE_TEST_PG_URL is not set: the PostgreSQL variant is skipped")
class PostgresDurabilityTest extends DurabilityContract {
  @Override
  String newDatabaseUrl() {
    return TestNodes.newPostgresUrl().orElseThrow();
  }
}
