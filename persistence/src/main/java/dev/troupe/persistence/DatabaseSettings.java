package dev.troupe.persistence;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.util.Locale;
import java.util.Map;

/**
 * Where the journal lives: {@code troupe.db} in reference.conf, overridable by {@code
 * TROUPE_DB_URL}, {@code TROUPE_DB_USER}, {@code TROUPE_DB_PASSWORD}. H2 and PostgreSQL are
 * supported; the JDBC URL decides which.
 *
 * <p>An H2 URL without a {@code WRITE_DELAY} gets {@code ;WRITE_DELAY=0}: every commit is handed
 * to the operating system before it returns, so a run accepted before the process is killed
 * (SIGKILL, the OOM killer) is still in the journal afterwards. H2's own default writes commits
 * up to 500 ms later, and a killed process loses them. A URL that sets {@code WRITE_DELAY} keeps
 * its value.
 */
public record DatabaseSettings(String url, String user, String password, int poolSize) {

  public enum Kind { H2, POSTGRESQL }

  private static final String H2_WRITE_DELAY = ";WRITE_DELAY=";

  public DatabaseSettings {
    if (url == null || !(url.startsWith("jdbc:h2:") || url.startsWith("jdbc:postgresql:"))) {
      throw new IllegalArgumentException("troupe.db.url must be a jdbc:h2: or jdbc:postgresql: URL,"
          + " was '" + url + "'");
    }
    if (url.startsWith("jdbc:h2:")
        && !url.toUpperCase(Locale.ROOT).contains(H2_WRITE_DELAY)) {
      url = url + H2_WRITE_DELAY + "0";
    }
  }

  public static DatabaseSettings fromConfig(Config config) {
    Config db = config.getConfig("troupe.db");
    return new DatabaseSettings(db.getString("url"), db.getString("user"),
        db.getString("password"), db.getInt("pool-size"));
  }

  public Kind kind() {
    return url.startsWith("jdbc:h2:") ? Kind.H2 : Kind.POSTGRESQL;
  }

  /** The Slick database that the journal, snapshot store and read journal share. */
  public Config pekkoConfig() {
    boolean h2 = kind() == Kind.H2;
    Map<String, Object> db = Map.of(
        "url", url,
        "user", user,
        "password", password,
        "driver", h2 ? "org.h2.Driver" : "org.postgresql.Driver",
        "numThreads", poolSize,
        "maxConnections", poolSize,
        "minConnections", 1);
    return ConfigFactory.parseMap(Map.of(
        "pekko-persistence-jdbc.shared-databases.slick.profile",
        h2 ? "slick.jdbc.H2Profile$" : "slick.jdbc.PostgresProfile$",
        "pekko-persistence-jdbc.shared-databases.slick.db", db));
  }
}
