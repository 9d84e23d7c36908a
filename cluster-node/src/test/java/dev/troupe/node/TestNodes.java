package dev.troupe.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/** Nodes for tests: each on its own H2 file (or PostgreSQL schema), on a free port. */
final class TestNodes {
  private TestNodes() {}

  /** A fresh H2 database URL in a temporary folder. */
  static String newH2Url() {
    try {
      Path dir = Files.createTempDirectory("troupe-test");
      return "jdbc:h2:file:" + dir.resolve("troupe").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The config of a test node on {@code dbUrl}, with {@code extra} HOCON on top. */
  static Config config(String dbUrl, String extra) {
    return TroupeConfig.withDefaults(ConfigFactory.parseString(extra)
        .withFallback(ConfigFactory.parseString(
            "troupe.db.url = \"" + dbUrl + "\"\n"
                + "troupe.discover-modules = off\n"
                + "pekko.remote.artery.canonical.port = 0\n"
                + "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on\n"
                + "pekko.coordinated-shutdown.exit-jvm = off\n"
                + "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off\n")));
  }

  static ActorSystem<Void> system(Config config) {
    return ActorSystem.create(Behaviors.empty(), "troupe", config);
  }
}
