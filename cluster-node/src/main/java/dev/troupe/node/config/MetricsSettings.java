package dev.troupe.node.config;

import com.typesafe.config.Config;

/**
 * The {@code troupe.metrics.*} settings of a node (defaults: cluster-node's reference.conf).
 *
 * @param jvm whether the node's {@code /metrics} also shows the JVM's meters
 */
public record MetricsSettings(boolean jvm) {

  public static MetricsSettings fromConfig(Config root) {
    return new MetricsSettings(root.getBoolean("troupe.metrics.jvm"));
  }
}
