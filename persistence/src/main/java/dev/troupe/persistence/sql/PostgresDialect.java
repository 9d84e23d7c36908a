package dev.troupe.persistence.sql;

import slick.jdbc.JdbcProfile;
import slick.jdbc.PostgresProfile$;

/**
 * PostgreSQL. The run history's connections plan every statement for its parameters and the
 * table's current size ({@code plan_cache_mode = force_custom_plan}): a generic plan cached while
 * {@code troupe_runs} was small (a sequential scan) would otherwise stay until the next {@code
 * ANALYZE}, and every batch's lookups would scan the whole table.
 */
final class PostgresDialect implements SqlDialect {
  static final String URL_PREFIX = "jdbc:postgresql:";
  static final PostgresDialect INSTANCE = new PostgresDialect();

  private PostgresDialect() {}

  /** The URL unchanged. */
  @Override
  public String effectiveUrl(String url) {
    return url;
  }

  @Override
  public String driverClassName() {
    return "org.postgresql.Driver";
  }

  @Override
  public JdbcProfile slickProfile() {
    return PostgresProfile$.MODULE$;
  }

  @Override
  public String migrationsLocation() {
    return "classpath:db/troupe/postgresql";
  }

  @Override
  public String connectionInitSql() {
    return "SET plan_cache_mode = force_custom_plan";
  }

  /** A session-level advisory lock, released at unlock or when the connection closes. */
  @Override
  public String migrationLockSql() {
    return "SELECT pg_advisory_lock(" + MIGRATION_LOCK + ")";
  }

  @Override
  public String migrationUnlockSql() {
    return "SELECT pg_advisory_unlock(" + MIGRATION_LOCK + ")";
  }

  /** The advisory lock's key: "troupe" in ASCII, to keep clear of other applications' keys. */
  private static final long MIGRATION_LOCK = 0x74726f757065L;

  @Override
  public String toString() {
    return "PostgreSQL";
  }
}
