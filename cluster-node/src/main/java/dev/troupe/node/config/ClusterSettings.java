package dev.troupe.node.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;
import java.util.Map;

/**
 * The {@code troupe.cluster.*} settings: how a node finds its cluster (defaults in cluster-node's
 * reference.conf).
 *
 * @param bootstrap form or join the cluster through Pekko Management Cluster Bootstrap
 * @param bootstrapEndpoints management endpoints ({@code host:port}) for the config discovery
 * @param seedNodes Pekko addresses of seed nodes, when set
 * @param viewTimeout how long the cluster view waits for each node's shard regions
 */
public record ClusterSettings(
    boolean bootstrap,
    List<String> bootstrapEndpoints,
    List<String> seedNodes,
    Duration viewTimeout) {

  /** Reads {@code troupe.cluster} of a resolved config. */
  public static ClusterSettings fromConfig(Config root) {
    Config c = root.getConfig("troupe.cluster");
    return new ClusterSettings(
        c.getBoolean("bootstrap"),
        csv(c.getString("bootstrap-endpoints")),
        csv(c.getString("seed-nodes")),
        c.getDuration("view-timeout"));
  }

  private static List<String> csv(String text) {
    return Arrays.stream(text.split(",")).map(String::trim).filter(s -> !s.isEmpty()).toList();
  }

  /**
   * The Pekko settings these imply: the endpoints of the config discovery's service {@code
   * serviceName}, and {@code pekko.cluster.seed-nodes}; empty for what is not set.
   *
   * @throws IllegalArgumentException when an endpoint is not {@code host:port}
   */
  public Config pekkoConfig(String serviceName) {
    Config out = ConfigFactory.empty();
    if (!bootstrapEndpoints.isEmpty()) {
      List<Map<String, Object>> endpoints = bootstrapEndpoints.stream().map(ClusterSettings::endpoint)
          .toList();
      out = out.withValue("pekko.discovery.config.services",
          ConfigValueFactory.fromMap(Map.of(serviceName, Map.of("endpoints", endpoints))));
    }
    if (!seedNodes.isEmpty()) {
      out = out.withValue("pekko.cluster.seed-nodes", ConfigValueFactory.fromIterable(seedNodes));
    }
    return out;
  }

  private static Map<String, Object> endpoint(String hostPort) {
    int colon = hostPort.lastIndexOf(':');
    try {
      if (colon <= 0) {
        throw new NumberFormatException("no port");
      }
      int port = Integer.parseInt(hostPort.substring(colon + 1));
      if (port < 1 || port > 65535) {
        throw new NumberFormatException("out of range");
      }
      return Map.of("host", hostPort.substring(0, colon), "port", port);
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException("troupe.cluster.bootstrap-endpoints (TROUPE_BOOTSTRAP_ENDPOINTS)"
          + " must list host:port pairs separated by commas, had '" + hostPort + "'");
    }
  }
}
