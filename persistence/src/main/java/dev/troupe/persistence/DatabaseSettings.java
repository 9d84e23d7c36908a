package dev.troupe.persistence;

import com.typesafe.config.Config;
import com.zaxxer.hikari.HikariConfig;
import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import dev.troupe.persistence.sql.SqlDialect;
import dev.troupe.persistence.sql.SqlDialects;

/**
 * Where the journal lives: {@code troupe.db} in reference.conf, overridable by {@code
 * TROUPE_DB_URL}, {@code TROUPE_DB_USER}, {@code TROUPE_DB_PASSWORD}. H2 and PostgreSQL are
 * supported; the JDBC URL decides which ({@link #dialect()}). The journal's pool is {@link
 * dev.troupe.persistence.journal.JournalDatabase}; the run history has its own.
 *
 * <p>{@link #url()} is the URL as Troupe connects with it: an H2 URL without a {@code WRITE_DELAY}
 * gets {@code ;WRITE_DELAY=0}, so that every commit reaches the operating system before it
 * returns and a killed process loses nothing it acknowledged. A URL that sets {@code WRITE_DELAY}
 * keeps its value.
 */
public record DatabaseSettings(String url, String user, String password, int poolSize) {

  /** @throws IllegalArgumentException when {@code url} is neither an H2 nor a PostgreSQL URL */
  public DatabaseSettings {
    url = SqlDialects.of(url).effectiveUrl(url);
  }

  public static DatabaseSettings fromConfig(Config config) {
    Config db = config.getConfig("troupe.db");
    return new DatabaseSettings(db.getString("url"), db.getString("user"),
        db.getString("password"), db.getInt("pool-size"));
  }

  /** The database's dialect, which every database-specific choice asks. */
  public SqlDialect dialect() {
    return SqlDialects.of(url);
  }

  /**
   * A HikariCP configuration for this database, as every pool of Troupe's starts: named {@code
   * poolName}, at most {@code poolSize} connections, at least one kept, its meters reported to
   * {@code metrics} (none when null), and started without waiting for the database (it may come
   * up after the node: the first statement waits for it, not the start).
   */
  public HikariConfig hikari(String poolName, int poolSize, MetricsTrackerFactory metrics) {
    HikariConfig c = new HikariConfig();
    c.setPoolName(poolName);
    if (metrics != null) {
      c.setMetricsTrackerFactory(metrics);
    }
    c.setJdbcUrl(url);
    c.setUsername(user);
    c.setPassword(password);
    c.setDriverClassName(dialect().driverClassName());
    c.setMaximumPoolSize(poolSize);
    c.setMinimumIdle(1);
    c.setInitializationFailTimeout(-1);
    return c;
  }

  /** The URL with any password in it masked, for logs. */
  public String redactedUrl() {
    return url.replaceAll("(?i)password=[^;&]*", "password=***");
  }
}
