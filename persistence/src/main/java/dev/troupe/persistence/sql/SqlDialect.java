package dev.troupe.persistence.sql;

/**
 * What differs between the databases Troupe runs on, one implementation per database: H2 (embedded,
 * the default) and PostgreSQL (a cluster). The JDBC URL decides which. Everything not asked of the
 * dialect is the same on both: the schema's quoted lower-case names, and the run history's
 * statements, which use only SQL that both databases read alike.
 */
public sealed interface SqlDialect permits H2Dialect, PostgresDialect {

  /**
   * The dialect of {@code url}.
   *
   * @throws IllegalArgumentException when {@code url} is neither a {@code jdbc:h2:} nor a {@code
   *     jdbc:postgresql:} URL
   */
  static SqlDialect of(String url) {
    if (url != null && url.startsWith(H2Dialect.URL_PREFIX)) {
      return H2Dialect.INSTANCE;
    }
    if (url != null && url.startsWith(PostgresDialect.URL_PREFIX)) {
      return PostgresDialect.INSTANCE;
    }
    throw new IllegalArgumentException("troupe.db.url must be a jdbc:h2: or jdbc:postgresql: URL,"
        + " was '" + url + "'");
  }

  /** {@code url}, a URL of this dialect, as Troupe connects with it (see each dialect). */
  String effectiveUrl(String url);

  /** The JDBC driver's class name. */
  String driverClassName();

  /** The Slick profile that pekko-persistence-jdbc uses for the journal, snapshots and queries. */
  String slickProfile();

  /** Where Flyway finds this database's migrations of Troupe's schema. */
  String migrationsLocation();

  /** SQL run once on every new connection of the run history's pool; null when none is needed. */
  String connectionInitSql();
}
