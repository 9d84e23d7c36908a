package dev.troupe.node.http;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigException;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.Arrays;
import java.util.List;

/**
 * The {@code troupe.http.*} settings (defaults in cluster-node's reference.conf).
 *
 * @param maxDrainedBodyBytes the largest declared body a refusal reads (and drops) before it
 *     answers, so that the client still sending it gets the answer rather than a reset
 * @param eventLogLimit the most events one JSON read of a finished run's events answers
 */
public record HttpSettings(
    boolean enabled,
    String host,
    int port,
    long maxBodyBytes,
    long maxInflightBodyBytes,
    long maxDrainedBodyBytes,
    Duration waitTimeout,
    Duration requestTimeout,
    Duration sseKeepAlive,
    int eventLogLimit,
    boolean metricsPublic,
    List<String> clientTokens,
    List<String> adminTokens,
    Cors cors) {

  /**
   * The {@code troupe.http.cors.*} settings: cross-origin requests from browsers.
   *
   * @param allowedOrigins origins such as {@code https://app.example.com}, or {@code *} for any;
   *     empty turns CORS off (no CORS header is ever sent)
   * @param allowedHeaders request headers a preflight allows
   * @param maxAge how long a browser may cache a preflight's answer
   */
  public record Cors(List<String> allowedOrigins, List<String> allowedHeaders, Duration maxAge) {
    /** CORS is on once any origin is allowed. */
    public boolean enabled() {
      return !allowedOrigins.isEmpty();
    }

    /** Every origin is allowed ({@code *} among the allowed origins). */
    public boolean anyOrigin() {
      return allowedOrigins.contains("*");
    }

    /** Whether {@code origin} (an {@code Origin} header's value) is allowed. */
    public boolean allows(String origin) {
      return anyOrigin() || allowedOrigins.stream().anyMatch(o -> o.equalsIgnoreCase(origin.trim()));
    }
  }

  /** Reads {@code troupe.http} of {@code root}. */
  public static HttpSettings fromConfig(Config root) {
    Config c = root.getConfig("troupe.http");
    return new HttpSettings(
        c.getBoolean("enabled"),
        c.getString("host"),
        c.getInt("port"),
        c.getBytes("max-body-bytes"),
        c.getBytes("max-inflight-body-bytes"),
        c.getBytes("max-drained-body-bytes"),
        c.getDuration("wait-timeout"),
        requestTimeout(root),
        c.getDuration("sse-keep-alive"),
        c.getInt("event-log-limit"),
        c.getBoolean("metrics-public"),
        csv(c.getString("client-tokens")),
        csv(c.getString("admin-tokens")),
        new Cors(
            origins(c, "cors.allowed-origins"),
            c.getStringList("cors.allowed-headers"),
            c.getDuration("cors.max-age")));
  }

  /**
   * A list in HOCON, or a comma-separated string (as {@code TROUPE_HTTP_CORS_ORIGINS} sets it).
   * Origins are compared without a trailing slash.
   */
  private static List<String> origins(Config c, String path) {
    ConfigValueType type = c.getValue(path).valueType();
    List<String> raw = switch (type) {
      case LIST -> c.getStringList(path);
      case STRING -> csv(c.getString(path));
      default -> throw new ConfigException.WrongType(c.origin(), path, "list or comma-separated string",
          type.name());
    };
    return raw.stream().map(String::trim).filter(o -> !o.isEmpty())
        .map(o -> o.endsWith("/") ? o.substring(0, o.length() - 1) : o).toList();
  }

  /** The HTTP server's request timeout; null when it is off ({@code infinite}). */
  private static Duration requestTimeout(Config root) {
    String path = "pekko.http.server.request-timeout";
    if (!root.hasPath(path) || root.getValue(path).unwrapped().toString().equals("infinite")) {
      return null;
    }
    return root.getDuration(path);
  }

  /**
   * How long a {@code ?wait=true} request may wait for its run, counted from the request's
   * arrival: {@code wait-timeout}, but never past the server's request timeout less one second, so
   * that the answer (the finished run, or 202 with its links) always precedes the server's own
   * timeout answer and the client learns that its run was accepted.
   */
  public Duration waitBudget() {
    if (requestTimeout == null) {
      return waitTimeout;
    }
    Duration bound = requestTimeout.minusSeconds(1);
    return bound.compareTo(waitTimeout) < 0 ? (bound.isNegative() ? Duration.ZERO : bound) : waitTimeout;
  }

  private static List<String> csv(String csv) {
    return Arrays.stream(csv.split(",")).map(String::trim).filter(t -> !t.isEmpty()).toList();
  }

  /** Tokens are required once any is configured. */
  public boolean secured() {
    return !clientTokens.isEmpty() || !adminTokens.isEmpty();
  }
}
