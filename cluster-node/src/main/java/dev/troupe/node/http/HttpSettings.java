package dev.troupe.node.http;

import com.typesafe.config.Config;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/** The {@code troupe.http.*} settings (defaults in cluster-node's reference.conf). */
public record HttpSettings(
    boolean enabled,
    String host,
    int port,
    long maxBodyBytes,
    Duration waitTimeout,
    Duration sseKeepAlive,
    List<String> clientTokens,
    List<String> adminTokens) {

  public static HttpSettings fromConfig(Config root) {
    Config c = root.getConfig("troupe.http");
    return new HttpSettings(
        c.getBoolean("enabled"),
        c.getString("host"),
        c.getInt("port"),
        c.getBytes("max-body-bytes"),
        c.getDuration("wait-timeout"),
        c.getDuration("sse-keep-alive"),
        tokens(c.getString("client-tokens")),
        tokens(c.getString("admin-tokens")));
  }

  private static List<String> tokens(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
  }

  /** Tokens are required once any is configured. */
  public boolean secured() {
    return !clientTokens.isEmpty() || !adminTokens.isEmpty();
  }
}
