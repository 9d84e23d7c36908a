package dev.troupe.persistence.sql;

import slick.jdbc.JdbcProfile;

/**
 * What differs between the databases Troupe runs on, one implementation per database: H2 (embedded,
 * the default) and PostgreSQL (a cluster). The JDBC URL decides which. Everything not asked of the
 * dialect is the same on both: the schema's quoted lower-case names, and the run history's
 * statements, which use only SQL that both databases read alike. {@link SqlDialects#of} picks
 * the dialect of a URL.
 */
public interface SqlDialect {

  /** {@code url}, a URL of this dialect, as Troupe connects with it (see each dialect). */
  String effectiveUrl(String url);

  /** The JDBC driver's class name. */
  String driverClassName();

  /** The Slick profile that pekko-persistence-jdbc uses for the journal, snapshots and queries. */
  JdbcProfile slickProfile();

  /** Where Flyway finds this database's migrations of Troupe's schema. */
  String migrationsLocation();

  /** SQL run once on every new connection of the run history's pool; null when none is needed. */
  String connectionInitSql();

  /**
   * SQL that takes a lock for the session, held while Troupe's schema is migrated, so that nodes
   * starting together on a new database migrate it one after the other; null when the database
   * needs none (H2 is embedded: one process opens its file).
   */
  String migrationLockSql();

  /** SQL that releases {@link #migrationLockSql()}'s lock; null when it takes none. */
  String migrationUnlockSql();
}
