package dev.troupe.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.util.Optional;
import java.util.UUID;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** Nodes for tests: each on its own H2 file or PostgreSQL schema, on a free port. */
public final class TestNodes {
  private TestNodes() {}

  /** A fresh H2 database URL in a temporary folder. */
  public static String newH2Url() {
    try {
      Path dir = Files.createTempDirectory("troupe-test");
      return "jdbc:h2:file:" + dir.resolve("troupe").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /**
   * A fresh schema in the PostgreSQL database of {@code TROUPE_TEST_PG_URL} (user {@code
   * TROUPE_TEST_PG_USER}, default postgres), or empty when the variable is not set.
   */
  static Optional<String> newPostgresUrl() {
    String base = System.getenv("TROUPE_TEST_PG_URL");
    if (base == null || base.isBlank()) {
      return Optional.empty();
    }
    String schema = "troupe_test_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(base, pgUser(), pgPassword())) {
      c.createStatement().execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      throw new IllegalStateException("TROUPE_TEST_PG_URL is set but PostgreSQL is not usable: "
          + e.getMessage(), e);
    }
    Runtime.getRuntime().addShutdownHook(new Thread(() -> dropSchema(base, schema)));
    String sep = base.contains("?") ? "&" : "?";
    return Optional.of(base + sep + "currentSchema=" + schema + "&reWriteBatchedInserts=true");
  }

  private static void dropSchema(String base, String schema) {
    try (Connection c = DriverManager.getConnection(base, pgUser(), pgPassword())) {
      c.createStatement().execute("DROP SCHEMA IF EXISTS " + schema + " CASCADE");
    } catch (SQLException e) {
      System.err.println("could not drop test schema " + schema + ": " + e.getMessage());
    }
  }

  static String pgUser() {
    return Optional.ofNullable(System.getenv("TROUPE_TEST_PG_USER")).orElse("postgres");
  }

  static String pgPassword() {
    return Optional.ofNullable(System.getenv("TROUPE_TEST_PG_PASSWORD")).orElse("");
  }

  /** The config of a test node on {@code dbUrl}, with {@code extra} HOCON on top. */
  public static Config config(String dbUrl, String extra) {
    boolean pg = dbUrl.startsWith("jdbc:postgresql:");
    return TroupeConfig.withDefaults(ConfigFactory.parseString(extra)
        .withFallback(ConfigFactory.parseString(
            "troupe.db.url = \"" + dbUrl + "\"\n"
                + (pg ? "troupe.db.user = \"" + pgUser() + "\"\n"
                    + "troupe.db.password = \"" + pgPassword() + "\"\n" : "")
                + "troupe.discover-modules = off\n"
                + "pekko.remote.artery.canonical.port = 0\n"
                + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
                + "pekko.coordinated-shutdown.exit-jvm = off\n"
                + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n")));
  }

  public static ActorSystem<Void> system(Config config) {
    return ActorSystem.create(Behaviors.empty(), "troupe", config);
  }

  /** Subscribers attached to the live stream of {@code runId} on {@code node}. */
  public static int runSubscribers(TroupeNode node, String runId) {
    return node.streamSubscribers(runId);
  }
}
