package dev.troupe.node;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.node.config.ClusterSettings;
import dev.troupe.node.http.HttpServer;
import dev.troupe.node.http.HttpSettings;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.management.cluster.bootstrap.ClusterBootstrap;
import org.apache.pekko.management.javadsl.PekkoManagement;

/**
 * Runs a Troupe node: a single-member cluster on the embedded H2 journal under ./data by
 * default, with every WorkerModule on the classpath, the HTTP API on port 8080 and health
 * ({@code /alive}, {@code /ready}) on the management port 7626. With {@code
 * troupe.cluster.bootstrap = on} (TROUPE_CLUSTER_BOOTSTRAP) it forms or joins a cluster through
 * Pekko Management Cluster Bootstrap instead; with seed nodes (TROUPE_SEED_NODES) it joins them.
 * Ctrl-C (SIGTERM) drains and stops it; a node that is downed, or cannot join, exits
 * ({@code troupe-main.conf}).
 */
public final class Main {
  private Main() {}

  public static void main(String[] args) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "troupe",
        config(ConfigFactory.defaultApplication()));
    try {
      TroupeNode node = TroupeNode.start(system);
      PekkoManagement.get(system).start().toCompletableFuture().join();
      if (ClusterSettings.fromConfig(system.settings().config()).bootstrap()) {
        ClusterBootstrap.get(system).start();
      }
      HttpSettings http = HttpSettings.fromConfig(system.settings().config());
      if (http.enabled()) {
        HttpServer.start(node, http).toCompletableFuture().join();
      }
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
    system.getWhenTerminated().toCompletableFuture().join();
  }

  /**
   * The runnable node's configuration: {@code application} (unresolved, as for {@link
   * TroupeConfig#withDefaults}) with the HTTP API on and {@code troupe-main.conf}, over Troupe's
   * defaults.
   */
  public static Config config(Config application) {
    return TroupeConfig.withDefaults(application
        .withFallback(ConfigFactory.parseString(
            "troupe.http.enabled = on\ntroupe.http.enabled = ${?TROUPE_HTTP_ENABLED}"))
        .withFallback(ConfigFactory.parseResources("troupe-main.conf")));
  }
}
