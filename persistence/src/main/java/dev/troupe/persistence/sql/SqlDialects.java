package dev.troupe.persistence.sql;

/** The dialects Troupe knows, found by their JDBC URL. */
public final class SqlDialects {
  private SqlDialects() {}

  /**
   * The dialect of {@code url}.
   *
   * @throws IllegalArgumentException when {@code url} is neither a {@code jdbc:h2:} nor a {@code
   *     jdbc:postgresql:} URL
   */
  public static SqlDialect of(String url) {
    if (url != null && url.startsWith(H2Dialect.URL_PREFIX)) {
      return H2Dialect.INSTANCE;
    }
    if (url != null && url.startsWith(PostgresDialect.URL_PREFIX)) {
      return PostgresDialect.INSTANCE;
    }
    throw new IllegalArgumentException("troupe.db.url must be a jdbc:h2: or jdbc:postgresql: URL,"
        + " was '" + url + "'");
  }
}
