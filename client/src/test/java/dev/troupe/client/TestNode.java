package dev.troupe.client;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.troupe.node.TroupeConfig;
import dev.troupe.node.TroupeNode;
import dev.troupe.node.http.HttpServer;
import dev.troupe.node.http.HttpSettings;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * A real Troupe node for the client's tests, started through the node's public API with the
 * test workers ({@link TestWorkers}) and the HTTP API on 127.0.0.1.
 */
public final class TestNode implements AutoCloseable {
  private final ActorSystem<Void> system;
  private final String url;

  private TestNode(ActorSystem<Void> system, String url) {
    this.system = system;
    this.url = url;
  }

  /** A node on {@code dbUrl} serving HTTP on {@code port} (0: any free one), with {@code extra} HOCON. */
  public static TestNode start(String dbUrl, int port, String extra) {
    Config config = TroupeConfig.withDefaults(ConfigFactory.parseString(String.join("\n",
            extra,
            "troupe.discover-modules = off",
            "troupe.http { enabled = on, host = 127.0.0.1, port = " + port + " }",
            "pekko.remote.artery.canonical.port = 0",
            "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on",
            "pekko.coordinated-shutdown.exit-jvm = off",
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off"))
        .withValue("troupe.db.url", ConfigValueFactory.fromAnyRef(dbUrl)));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "troupe", config);
    try {
      TroupeNode node = TroupeNode.start(system);
      TestWorkers.register(node);
      int bound = HttpServer.start(node, HttpSettings.fromConfig(config)).toCompletableFuture()
          .get(60, TimeUnit.SECONDS).localAddress().getPort();
      return new TestNode(system, "http://127.0.0.1:" + bound);
    } catch (Exception e) {
      system.terminate();
      throw new IllegalStateException("the test node did not start", e);
    }
  }

  public static TestNode start() {
    return start(newH2Url(), 0, "");
  }

  /** The node's base URL, such as {@code http://127.0.0.1:41234}. */
  public String url() {
    return url;
  }

  /**
   * Stops the node the way a crash would, when started with {@code
   * pekko.coordinated-shutdown.run-by-actor-system-terminate = off}: no drain, connections cut,
   * runs left as the journal last saw them.
   */
  @Override
  public void close() {
    system.terminate();
    try {
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      throw new IllegalStateException("the test node did not stop", e);
    }
  }

  /** A new H2 database file of its own. */
  public static String newH2Url() {
    try {
      Path dir = Files.createTempDirectory("troupe-client-test");
      return "jdbc:h2:file:" + dir.resolve("troupe").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** A TCP port that was free a moment ago (for a node that must come back on a known port). */
  public static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }
}
