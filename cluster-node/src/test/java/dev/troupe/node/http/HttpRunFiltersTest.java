package dev.troupe.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.TestNodes;
import dev.troupe.node.TroupeNode;
import java.net.URI;
import java.net.URLEncoder;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code GET /api/v1/runs} filtered by tag and creation time, and a finished run's events read as
 * JSON, over HTTP against a real node (H2).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpRunFiltersTest {
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private ActorSystem<Void> system;
  private String base;

  @BeforeAll
  void start() throws Exception {
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(),
        "troupe.http { enabled = on, host = 127.0.0.1, port = 0 }"));
    TroupeNode troupe = TroupeNode.start(system);
    troupe.register("tagged", WorkerConfig.DEFAULT, ctx -> {
      ctx.emit(ctx.newObject().put("message", "hello"));
      return CompletableFuture.completedFuture(ctx.payload());
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

  private HttpResponse<String> send(String method, String path, String body, String accept)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .header("Accept", accept)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r = send("GET", path, null, "application/json");
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return json.readTree(r.body());
  }

  private String finished(String tags) throws Exception {
    HttpResponse<String> r = send("POST", "/api/v1/workers/tagged/runs?wait=true",
        "{\"payload\":{},\"tags\":" + tags + "}", "application/json");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return json.readTree(r.body()).get("runId").asText();
  }

  private List<String> ids(String query) throws Exception {
    List<String> out = new ArrayList<>();
    get("/api/v1/runs?" + query).get("runs").forEach(r -> out.add(r.get("runId").asText()));
    return out;
  }

  private static String q(Instant t) {
    return URLEncoder.encode(t.toString(), StandardCharsets.UTF_8);
  }

  @Test
  void runsAreListedByTagAndByCreationTime() throws Exception {
    // given runs tagged eu, us and both, the last one created after a mark
    String eu = finished("[\"eu\"]");
    String us = finished("[\"us\"]");
    Instant mark = Instant.now();
    await().atMost(Duration.ofSeconds(5)).until(() -> Instant.now().isAfter(mark.plusMillis(5)));
    String both = finished("[\"us\",\"eu\"]");
    await().atMost(Duration.ofSeconds(10)).until(() -> ids("worker=tagged&limit=500")
        .containsAll(List.of(eu, us, both)));

    // when / then: by tag, newest first
    assertThat(ids("tag=eu")).containsExactly(both, eu);
    assertThat(ids("tag=us&limit=1")).containsExactly(both);
    assertThat(ids("tag=e")).isEmpty();
    // by creation time, alone and with a tag
    assertThat(ids("worker=tagged&from=" + q(mark))).containsExactly(both);
    assertThat(ids("worker=tagged&to=" + q(mark))).containsExactly(us, eu);
    assertThat(ids("tag=us&to=" + q(mark))).containsExactly(us);
  }

  @Test
  void badFiltersAreRefusedNamingTheParameter() throws Exception {
    // given / when / then
    for (String[] bad : List.of(new String[] {"from=yesterday", "from must be an ISO-8601 instant"},
        new String[] {"to=2026-12-01", "to must be an ISO-8601 instant"},
        new String[] {"tag=", "tag must be 1 to 200 characters"},
        new String[] {"from=2026-12-02T00:00:00Z&to=2026-12-01T00:00:00Z", "from must be before to"})) {
      HttpResponse<String> r = send("GET", "/api/v1/runs?" + bad[0], null, "application/json");
      assertThat(r.statusCode()).as(bad[0]).isEqualTo(400);
      JsonNode error = json.readTree(r.body()).get("error");
      assertThat(error.get("code").asText()).isEqualTo("INVALID_REQUEST");
      assertThat(error.get("message").asText()).as(bad[0]).contains(bad[1]);
    }
  }

  @Test
  void aFinishedRunsEventsAreReadAsJsonWithTheirTimes() throws Exception {
    // given
    String runId = finished("[]");

    // when
    JsonNode log = get("/api/v1/runs/" + runId + "/events");

    // then its status changes, its message and its result, numbered and timed
    assertThat(log.get("runId").asText()).isEqualTo(runId);
    assertThat(log.get("truncated").asBoolean()).isFalse();
    List<String> types = new ArrayList<>();
    log.get("events").forEach(e -> types.add(e.get("type").asText()));
    assertThat(types).contains("status", "message").last().isEqualTo("result");
    log.get("events").forEach(e -> assertThat(Instant.parse(e.get("at").asText()))
        .isBefore(Instant.now().plusSeconds(1)));
    assertThat(json.readTree(send("GET", "/api/v1/runs/nope-run/events", null, "application/json")
        .body()).get("error").get("code").asText()).isEqualTo("UNKNOWN_RUN");
  }
}
