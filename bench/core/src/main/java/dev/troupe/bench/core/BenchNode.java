package dev.troupe.bench.core;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import dev.troupe.node.TroupeConfig;
import java.util.ArrayList;
import java.util.List;

/**
 * How every harness configures the Troupe node it starts in its own JVM: Troupe's defaults
 * ({@link TroupeConfig#withDefaults}) on the given journal, production mode, no module discovery,
 * a free remoting port, and a JVM that the node's shutdown leaves to the harness.
 */
public final class BenchNode {
  private BenchNode() {}

  /**
   * The node's configuration on the database at {@code url}; {@code more} are further HOCON lines
   * (e.g. {@code "troupe.http { enabled = on, port = 0 }"}).
   */
  public static Config config(String url, String user, String password, String... more) {
    List<String> lines = new ArrayList<>(List.of(
        "troupe.db.url = " + ConfigUtil.quoteString(url),
        "troupe.db.user = " + ConfigUtil.quoteString(user),
        "troupe.db.password = " + ConfigUtil.quoteString(password),
        "troupe.discover-modules = off",
        "troupe.env = production"));
    lines.addAll(List.of(more));
    lines.addAll(List.of(
        "pekko.loglevel = WARNING",
        "pekko.remote.artery.canonical.port = 0",
        "pekko.coordinated-shutdown.exit-jvm = off",
        "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off"));
    return TroupeConfig.withDefaults(ConfigFactory.parseString(String.join("\n", lines)));
  }
}
