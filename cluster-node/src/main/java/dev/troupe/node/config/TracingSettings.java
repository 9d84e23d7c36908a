package dev.troupe.node.config;

import com.typesafe.config.Config;

/**
 * The {@code troupe.tracing.*} settings of a node (defaults: cluster-node's reference.conf).
 *
 * @param enabled whether the node traces its runs with its own OpenTelemetry SDK
 * @param otlpEndpoint where spans are sent, OTLP over HTTP/protobuf (a collector's {@code
 *     /v1/traces})
 * @param serviceName the {@code service.name} of the node's spans
 * @param samplerRatio the share of traces recorded, 0 to 1, for calls without a sampled parent
 */
public record TracingSettings(boolean enabled, String otlpEndpoint, String serviceName,
    double samplerRatio) {

  public TracingSettings {
    if (samplerRatio < 0 || samplerRatio > 1) {
      throw new IllegalArgumentException(
          "troupe.tracing.sampler-ratio must be between 0 and 1, not " + samplerRatio);
    }
    if (enabled && (otlpEndpoint == null || otlpEndpoint.isBlank())) {
      throw new IllegalArgumentException(
          "troupe.tracing.otlp-endpoint must be set when troupe.tracing.enabled is on");
    }
  }

  public static TracingSettings fromConfig(Config root) {
    Config c = root.getConfig("troupe.tracing");
    return new TracingSettings(c.getBoolean("enabled"), c.getString("otlp-endpoint"),
        c.getString("service-name"), c.getDouble("sampler-ratio"));
  }
}
