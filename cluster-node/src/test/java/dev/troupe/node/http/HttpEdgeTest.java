package dev.troupe.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.api.RunHandle;
import dev.troupe.api.Troupe;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.TestNodes;
import dev.troupe.node.TroupeNode;
import java.lang.reflect.InvocationTargetException;
import java.lang.reflect.Proxy;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Arrays;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The edges of the HTTP server itself, against a real node: what a careless or hostile client gets
 * for a body that is not JSON, a body past the server's own size limit, a wait longer than the
 * server's request timeout, and a request the server cannot answer within it. Each answer is
 * JSON, names what is wrong, and records no run.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpEdgeTest {
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private ActorSystem<Void> system;
  private TroupeNode troupe;
  private String base;

  @BeforeAll
  void start() throws Exception {
    // the request timeout is made short here so that a wait can outlast it within a test; the
    // wait timeout keeps its default (60 s), longer than this request timeout
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(),
        "troupe.http { enabled = on, host = 127.0.0.1, port = 0 }\n"
            + "pekko.http.server.request-timeout = 3s\n"));
    troupe = TroupeNode.start(system);
    troupe.register("echo", WorkerConfig.DEFAULT, ctx -> CompletableFuture.completedFuture(ctx.payload()));
    troupe.registerBlocking("slow", WorkerConfig.DEFAULT, ctx -> {
      ctx.sleep(Duration.ofSeconds(8));
      return ctx.newObject().put("slept", true);
    });
    var binding = HttpServer.start(troupe, HttpSettings.fromConfig(system.settings().config()))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterAll
  void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private HttpResponse<String> post(String path, String contentType, HttpRequest.BodyPublisher body)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30)).POST(body);
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode error(HttpResponse<String> r) throws Exception {
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    return json.readTree(r.body()).get("error");
  }

  /**
   * The echo runs recorded so far, once none is active: read as one sum of two asks, a run that
   * ends between them would be counted in neither.
   */
  private long echoRuns() {
    await().atMost(Duration.ofSeconds(10))
        .until(() -> troupe.active("echo").toCompletableFuture().join().isEmpty());
    return troupe.stats("echo").toCompletableFuture().join().runs();
  }

  @Test
  void anEmptyBodyThatIsNotDeclaredJsonStartsNoRun() throws Exception {
    // given
    long before = echoRuns();
    // when: what a page of another origin can send without CORS consent, and a bare POST
    HttpResponse<String> textPlain = post("/api/v1/workers/echo/runs", "text/plain",
        HttpRequest.BodyPublishers.noBody());
    HttpResponse<String> form = post("/api/v1/workers/echo/runs",
        "application/x-www-form-urlencoded", HttpRequest.BodyPublishers.noBody());
    HttpResponse<String> untyped = post("/api/v1/workers/echo/runs", null,
        HttpRequest.BodyPublishers.noBody());
    // then
    for (HttpResponse<String> r : new HttpResponse[] {textPlain, form, untyped}) {
      assertThat(r.statusCode()).isEqualTo(415);
      assertThat(error(r).get("code").asText()).isEqualTo("UNSUPPORTED_MEDIA_TYPE");
      assertThat(error(r).get("message").asText()).contains("application/json");
    }
    assertThat(echoRuns()).isEqualTo(before);
  }

  @Test
  void anEmptyJsonBodyStillStartsARun() throws Exception {
    // when
    HttpResponse<String> r = post("/api/v1/workers/echo/runs", "application/json",
        HttpRequest.BodyPublishers.noBody());
    // then
    assertThat(r.statusCode()).isEqualTo(202);
    // and it ends before the next test counts the echo runs
    String runId = json.readTree(r.body()).get("runId").asText();
    troupe.attach(runId).result().toCompletableFuture().get(10, TimeUnit.SECONDS);
  }

  @Test
  void aBodyPastTheServersOwnContentLengthLimitIsA413() throws Exception {
    // given: past Pekko HTTP's max-content-length (8 MiB), not only past troupe.http.max-body-bytes
    byte[] body = new byte[9 * 1024 * 1024];
    Arrays.fill(body, (byte) ' ');
    body[0] = '{';
    body[body.length - 1] = '}';
    long before = echoRuns();
    for (int i = 0; i < 10; i++) { // the answer must reach a client still sending, every time
      // when
      HttpResponse<String> r = post("/api/v1/workers/echo/runs", "application/json",
          HttpRequest.BodyPublishers.ofByteArray(body));
      // then
      assertThat(r.statusCode()).isEqualTo(413);
      assertThat(error(r).get("code").asText()).isEqualTo("BODY_TOO_LARGE");
    }
    assertThat(echoRuns()).isEqualTo(before);
  }

  @Test
  void aWaitLongerThanTheRequestTimeoutAnswersTheAcceptedRunInsteadOfA503() throws Exception {
    // when: the run takes longer than the server's request timeout, which is shorter than the wait
    HttpResponse<String> r = post("/api/v1/workers/slow/runs?wait=true", "application/json",
        HttpRequest.BodyPublishers.ofString("{}"));
    // then: the client learns that its run was accepted and where to find it
    assertThat(r.statusCode()).isEqualTo(202);
    JsonNode accepted = json.readTree(r.body());
    assertThat(accepted.get("runId").asText()).isNotBlank();
    assertThat(accepted.get("links").get("self").asText()).endsWith(accepted.get("runId").asText());
    assertThat(accepted.get("status").asText()).isEqualTo("ACCEPTED");
  }

  @Test
  void theDefaultsLetAWaitEndBeforeTheServerGivesUpOnTheRequestOrItsConnection() {
    // given: a node's configuration with nothing set
    com.typesafe.config.Config c = dev.troupe.node.TroupeConfig.withDefaults(
        com.typesafe.config.ConfigFactory.empty());
    HttpSettings settings = HttpSettings.fromConfig(c);
    // then
    assertThat(settings.waitBudget()).isEqualTo(settings.waitTimeout());
    assertThat(settings.requestTimeout()).isGreaterThan(settings.waitTimeout());
    assertThat(c.getDuration("pekko.http.server.idle-timeout")).isGreaterThan(settings.requestTimeout());
    assertThat(settings.sseKeepAlive()).isLessThan(c.getDuration("pekko.http.server.idle-timeout"));
    assertThat(c.getBytes("pekko.http.server.parsing.max-content-length"))
        .isEqualTo(settings.maxBodyBytes());
  }

  @Test
  void hugeNumbersTimeoutsAndInvalidUtf8AreRefusedNamingWhatIsWrong() throws Exception {
    // given
    long before = echoRuns();
    byte[] latin1 = "{\"payload\":{\"name\":\"caf\u00e9\"}}".getBytes(
        java.nio.charset.StandardCharsets.ISO_8859_1);
    // when
    HttpResponse<String> huge = post("/api/v1/workers/echo/runs", "application/json",
        HttpRequest.BodyPublishers.ofString("{\"payload\":{\"xs\":[1, 1e400]}}"));
    HttpResponse<String> timeout = post("/api/v1/workers/echo/runs", "application/json",
        HttpRequest.BodyPublishers.ofString("{\"timeoutMs\": 1000000000000000}"));
    HttpResponse<String> notUtf8 = post("/api/v1/workers/echo/runs", "application/json",
        HttpRequest.BodyPublishers.ofByteArray(latin1));
    // then
    assertThat(huge.statusCode()).isEqualTo(400);
    assertThat(error(huge).get("message").asText()).contains("payload.xs[1]").contains("out of range");
    assertThat(timeout.statusCode()).isEqualTo(400);
    assertThat(error(timeout).get("message").asText()).contains("timeoutMs").contains("at most");
    assertThat(notUtf8.statusCode()).isEqualTo(400);
    assertThat(error(notUtf8).get("message").asText()).contains("UTF-8");
    assertThat(echoRuns()).isEqualTo(before);
  }

  private HttpResponse<String> get(String path) throws Exception {
    return http.send(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
  }

  @Test
  void aMadeUpRunIdStartsNoEntity() throws Exception {
    // given run ids of the right form naming a worker, or a partition, this node does not have
    String ghost = "01JD3Q7R8V3K5M9W2X4Y6Z8A0B-ghost";
    String farPartition = "01JD3Q7R8V3K5M9W2X4Y6Z8A0B-echo.7";

    // when they are read, cancelled and streamed
    HttpResponse<String> read = get("/api/v1/runs/" + ghost);
    HttpResponse<String> cancel = post("/api/v1/runs/" + ghost + "/cancel", "application/json",
        HttpRequest.BodyPublishers.noBody());
    HttpResponse<String> partition = get("/api/v1/runs/" + farPartition);
    HttpResponse<String> events = get("/api/v1/runs/" + ghost + "/events");

    // then each is a 404 naming why, and no entity of them exists anywhere on the node
    assertThat(read.statusCode()).isEqualTo(404);
    assertThat(error(read).get("code").asText()).isEqualTo("UNKNOWN_RUN");
    assertThat(cancel.statusCode()).isEqualTo(404);
    assertThat(error(cancel).get("message").asText()).contains("'ghost' is not registered");
    assertThat(partition.statusCode()).isEqualTo(404);
    assertThat(error(partition).get("code").asText()).isEqualTo("UNKNOWN_RUN");
    assertThat(events.statusCode()).isEqualTo(404);
    assertThat(get("/api/v1/cluster").body()).doesNotContain("ghost").doesNotContain("echo#7");
    assertThat(get("/metrics").body()).doesNotContain("ghost").doesNotContain("echo#7");
  }

  @Test
  void aRequestPastTheRequestTimeoutIsAJson503TimedOnceWithItsRouteTemplate() throws Exception {
    // given the node's API over a facade whose calls never answer, on the node's meters
    Troupe stuck = (Troupe) Proxy.newProxyInstance(Troupe.class.getClassLoader(),
        new Class<?>[] {Troupe.class}, (proxy, method, args) -> {
          if (method.getName().equals("call")) {
            return new CompletableFuture<RunHandle>();
          }
          try {
            return method.invoke(troupe, args);
          } catch (InvocationTargetException e) {
            throw e.getCause();
          }
        });
    String stuckBase = "http://127.0.0.1:" + HttpServer.start(stuck,
            HttpSettings.fromConfig(system.settings().config()), troupe.metrics(),
            troupe.clusterView()::snapshot)
        .toCompletableFuture().get(20, TimeUnit.SECONDS).localAddress().getPort();
    String timedOut = "troupe_http_server_requests_seconds_count{method=\"POST\","
        + "route=\"/api/v1/workers/{name}/runs\",status=\"503\"} ";
    assertThat(get("/metrics").body().lines()).noneMatch(l -> l.startsWith(timedOut));

    // when a call outlives the server's request timeout
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create(stuckBase + "/api/v1/workers/echo/runs")).timeout(Duration.ofSeconds(30))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(),
        HttpResponse.BodyHandlers.ofString());

    // then the answer is the API's JSON error, and /metrics counts it once, by the route's
    // template and the status answered
    assertThat(r.statusCode()).isEqualTo(503);
    assertThat(error(r).get("code").asText()).isEqualTo("REQUEST_TIMEOUT");
    assertThat(error(r).get("message").asText()).contains("idempotencyKey");
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(get("/metrics").body().lines()).contains(timedOut + "1"));
  }
}
