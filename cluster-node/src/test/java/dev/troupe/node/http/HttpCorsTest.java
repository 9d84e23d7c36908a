package dev.troupe.node.http;

import static org.assertj.core.api.Assertions.assertThat;

import com.typesafe.config.ConfigFactory;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.TestNodes;
import dev.troupe.node.TroupeNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * CORS (troupe.http.cors): off by default, on for the configured origins (preflight, actual
 * requests, errors and event streams), nothing for other origins. One node, served three times:
 * with the default settings, with two origins allowed, and with any origin allowed.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpCorsTest {
  private static final String APP = "https://app.example.com";
  private static final String OTHER = "https://elsewhere.example.org";

  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1).build();
  private ActorSystem<Void> system;
  /** CORS off: the defaults of reference.conf. */
  private String off;
  /** CORS for APP and a local development origin. */
  private String on;
  /** CORS for any origin. */
  private String any;

  @BeforeAll
  void start() throws Exception {
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(),
        "troupe.http { enabled = on, host = 127.0.0.1, port = 0 }"));
    TroupeNode troupe = TroupeNode.start(system);
    troupe.register("echo", WorkerConfig.DEFAULT, ctx -> CompletableFuture.completedFuture(ctx.payload()));
    HttpSettings defaults = HttpSettings.fromConfig(system.settings().config());
    off = bind(troupe, defaults);
    on = bind(troupe, HttpSettings.fromConfig(ConfigFactory.parseString(
            "troupe.http.cors.allowed-origins = [\"" + APP + "/\", \"http://localhost:3000\"]")
        .withFallback(system.settings().config())));
    any = bind(troupe, HttpSettings.fromConfig(ConfigFactory.parseString(
            "troupe.http.cors.allowed-origins = [\"*\"]")
        .withFallback(system.settings().config())));
  }

  private static String bind(TroupeNode troupe, HttpSettings settings) throws Exception {
    return "http://127.0.0.1:" + HttpServer.start(troupe, settings).toCompletableFuture()
        .get(20, TimeUnit.SECONDS).localAddress().getPort();
  }

  @AfterAll
  void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private HttpResponse<String> send(String base, String method, String path, String body,
      String... headers) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(20))
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (body != null) {
      b.header("Content-Type", "application/json");
    }
    for (int i = 0; i < headers.length; i += 2) {
      b.header(headers[i], headers[i + 1]);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> preflight(String base, String path, String origin) throws Exception {
    return send(base, "OPTIONS", path, null, "Origin", origin,
        "Access-Control-Request-Method", "POST",
        "Access-Control-Request-Headers", "authorization, content-type");
  }

  /** The response's Access-Control-* headers, by lowercase name. */
  private static Map<String, String> cors(HttpResponse<String> r) {
    return r.headers().map().entrySet().stream()
        .filter(e -> e.getKey().toLowerCase().startsWith("access-control-"))
        .collect(Collectors.toMap(e -> e.getKey().toLowerCase(), e -> String.join(", ", e.getValue())));
  }

  @Test
  void offByDefaultNoCorsHeaderAndAPreflightIsLikeAnyUnknownRoute() throws Exception {
    // given the default settings
    assertThat(HttpSettings.fromConfig(system.settings().config()).cors().enabled()).isFalse();
    // when
    HttpResponse<String> read = send(off, "GET", "/api/v1/workers", null, "Origin", APP);
    HttpResponse<String> preflight = preflight(off, "/api/v1/workers/echo/runs", APP);
    HttpResponse<String> plainOptions = send(off, "OPTIONS", "/api/v1/workers/echo/runs", null);
    // then
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(cors(read)).isEmpty();
    assertThat(preflight.statusCode()).isEqualTo(plainOptions.statusCode()).isEqualTo(405);
    assertThat(preflight.body()).isEqualTo(plainOptions.body()).contains("METHOD_NOT_ALLOWED");
    assertThat(cors(preflight)).isEmpty();
  }

  @Test
  void aPreflightFromAnAllowedOriginIsAnsweredWithWhatTheApiAllows() throws Exception {
    // when
    HttpResponse<String> r = preflight(on, "/api/v1/workers/echo/runs", APP);
    // then
    assertThat(r.statusCode()).isEqualTo(204);
    assertThat(r.body()).isEmpty();
    Map<String, String> cors = cors(r);
    assertThat(cors.get("access-control-allow-origin")).isEqualTo(APP);
    assertThat(cors.get("access-control-allow-methods").split(",\\s*")).contains("GET", "POST", "OPTIONS");
    assertThat(cors.get("access-control-allow-headers").split(",\\s*"))
        .containsExactlyInAnyOrder("Authorization", "Content-Type", "Last-Event-ID", "Accept");
    assertThat(cors.get("access-control-max-age")).isEqualTo("600");
    assertThat(cors).doesNotContainKey("access-control-allow-credentials");
    assertThat(r.headers().allValues("Vary")).contains("Origin");
  }

  @Test
  void responsesToAnAllowedOriginCarryTheOriginErrorsAndEventStreamsIncluded() throws Exception {
    // when
    HttpResponse<String> list = send(on, "GET", "/api/v1/workers", null, "Origin", APP);
    HttpResponse<String> accepted = send(on, "POST", "/api/v1/workers/echo/runs", "{}", "Origin",
        "http://localhost:3000");
    HttpResponse<String> unknown = send(on, "GET", "/api/v1/workers/no-such", null, "Origin", APP);
    HttpResponse<String> noRoute = send(on, "GET", "/api/v1/nothing-here", null, "Origin", APP);
    HttpResponse<String> stream = send(on, "POST", "/api/v1/workers/echo/runs", "{}", "Origin", APP,
        "Accept", "text/event-stream");
    // then
    assertThat(list.statusCode()).isEqualTo(200);
    assertThat(cors(list).get("access-control-allow-origin")).isEqualTo(APP);
    assertThat(accepted.statusCode()).isEqualTo(202);
    assertThat(cors(accepted).get("access-control-allow-origin")).isEqualTo("http://localhost:3000");
    assertThat(cors(accepted).get("access-control-expose-headers")).contains("Location");
    assertThat(unknown.statusCode()).isEqualTo(404);
    assertThat(unknown.body()).contains("UNKNOWN_WORKER");
    assertThat(cors(unknown).get("access-control-allow-origin")).isEqualTo(APP);
    assertThat(noRoute.statusCode()).isEqualTo(404);
    assertThat(cors(noRoute).get("access-control-allow-origin")).isEqualTo(APP);
    assertThat(stream.statusCode()).isEqualTo(200);
    assertThat(stream.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    assertThat(stream.body()).contains("event:result");
    assertThat(cors(stream).get("access-control-allow-origin")).isEqualTo(APP);
  }

  @Test
  void anOriginNotAllowedGetsNoCorsHeader() throws Exception {
    // when
    HttpResponse<String> read = send(on, "GET", "/api/v1/workers", null, "Origin", OTHER);
    HttpResponse<String> preflight = preflight(on, "/api/v1/workers/echo/runs", OTHER);
    HttpResponse<String> noOrigin = send(on, "GET", "/api/v1/workers", null);
    // then
    assertThat(read.statusCode()).isEqualTo(200);
    assertThat(cors(read)).isEmpty();
    assertThat(preflight.statusCode()).isEqualTo(405);
    assertThat(cors(preflight)).isEmpty();
    assertThat(cors(noOrigin)).isEmpty();
  }

  @Test
  void anyOriginIsAnsweredWithAStar() throws Exception {
    // when
    HttpResponse<String> preflight = preflight(any, "/api/v1/workers", OTHER);
    HttpResponse<String> read = send(any, "GET", "/api/v1/workers", null, "Origin", OTHER);
    // then
    assertThat(preflight.statusCode()).isEqualTo(204);
    assertThat(cors(preflight).get("access-control-allow-origin")).isEqualTo("*");
    assertThat(cors(read).get("access-control-allow-origin")).isEqualTo("*");
    assertThat(read.headers().allValues("Vary")).doesNotContain("Origin");
  }

  @Test
  void theEnvironmentVariableIsACommaSeparatedList() {
    // given TROUPE_HTTP_CORS_ORIGINS as HOCON substitutes it: a string
    var config = ConfigFactory.parseString("troupe.http.cors.allowed-origins ="
        + " \" https://a.example.com/, http://localhost:3000 ,\"").withFallback(system.settings().config());
    // when
    HttpSettings.Cors cors = HttpSettings.fromConfig(config).cors();
    // then
    assertThat(cors.allowedOrigins()).containsExactly("https://a.example.com", "http://localhost:3000");
    assertThat(cors.allows("https://a.example.com")).isTrue();
    assertThat(cors.allows("https://b.example.com")).isFalse();
    assertThat(HttpSettings.fromConfig(ConfigFactory.parseString("troupe.http.cors.allowed-origins = \"\"")
        .withFallback(system.settings().config())).cors().enabled()).isFalse();
  }
}
