package dev.troupe.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.TestNodes;
import dev.troupe.node.TroupeNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * Re-runs over HTTP against a real node (H2 journal, tokens configured): one finished run, a
 * worker's failed runs, and the list of failed runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpRerunsTest {
  private static final String CLIENT = "client-token";
  private static final String ADMIN = "admin-token";
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final CountDownLatch release = new CountDownLatch(1);
  private final Set<Integer> seen = java.util.concurrent.ConcurrentHashMap.newKeySet();
  private ActorSystem<Void> system;
  private String base;

  @BeforeAll
  void start() throws Exception {
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(),
        "troupe.http { enabled = on, host = 127.0.0.1, port = 0,"
            + " client-tokens = \"" + CLIENT + "\", admin-tokens = \"" + ADMIN + "\" }"));
    TroupeNode troupe = TroupeNode.start(system);
    troupe.register("echo", WorkerConfig.DEFAULT,
        ctx -> CompletableFuture.completedFuture(ctx.payload()));
    troupe.registerBlocking("held", WorkerConfig.DEFAULT, ctx -> {
      release.await();
      return ctx.newObject();
    });
    // fails a payload {"fail": true, "n": n} the first time it sees n, so its re-runs succeed
    troupe.registerBlocking("picky", WorkerConfig.DEFAULT.withRetry(RetryPolicy.NONE), ctx -> {
      if (ctx.payload().path("fail").asBoolean() && seen.add(ctx.payload().path("n").asInt())) {
        throw new PermanentFailure("refused " + ctx.payload().path("n").asInt());
      }
      return ctx.newObject().put("ok", true);
    });
    var binding = HttpServer.start(troupe, HttpSettings.fromConfig(system.settings().config()))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterAll
  void stop() throws Exception {
    release.countDown();
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private HttpResponse<String> send(String method, String path, String body, String token)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private JsonNode body(HttpResponse<String> r) throws Exception {
    return json.readTree(r.body());
  }

  /** Calls {@code worker} and waits for the finished run. */
  private JsonNode finished(String worker, String request) throws Exception {
    HttpResponse<String> r = send("POST", "/api/v1/workers/" + worker + "/runs?wait=true", request,
        CLIENT);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return body(r);
  }

  private JsonNode run(String runId) throws Exception {
    return body(send("GET", "/api/v1/runs/" + runId, null, CLIENT));
  }

  @Test
  void aFinishedRunIsRerunAsANewRunWithItsPayloadAndOptionsLinkedToIt() throws Exception {
    // given
    JsonNode old = finished("echo", "{\"payload\":{\"a\":1},\"priority\":7,"
        + "\"concurrencyKey\":\"tenant-a\",\"tags\":[\"x\"],\"idempotencyKey\":\"once\"}");

    // when
    HttpResponse<String> r = send("POST", "/api/v1/runs/" + old.get("runId").asText() + "/rerun",
        "", ADMIN);

    // then
    assertThat(r.statusCode()).as(r.body()).isEqualTo(201);
    String newId = body(r).get("runId").asText();
    assertThat(newId).isNotEqualTo(old.get("runId").asText());
    assertThat(body(r).get("rerunOf").asText()).isEqualTo(old.get("runId").asText());
    assertThat(r.headers().firstValue("Location")).contains("/api/v1/runs/" + newId);
    await().untilAsserted(() -> assertThat(run(newId).get("status").asText())
        .isEqualTo("SUCCEEDED"));
    JsonNode rerun = run(newId);
    assertThat(rerun.get("rerunOf").asText()).isEqualTo(old.get("runId").asText());
    assertThat(rerun.get("payload")).isEqualTo(old.get("payload"));
    assertThat(rerun.get("priority").asInt()).isEqualTo(7);
    assertThat(rerun.get("concurrencyKey").asText()).isEqualTo("tenant-a");
    assertThat(rerun.get("tags")).isEqualTo(old.get("tags"));
    // and a second re-run is another new run
    HttpResponse<String> again = send("POST", "/api/v1/runs/" + old.get("runId").asText()
        + "/rerun", "", ADMIN);
    assertThat(body(again).get("runId").asText()).isNotIn(newId, old.get("runId").asText());
  }

  @Test
  void aRerunRunListsItsRerunsOldestFirstAndEachRerunNamesIt() throws Exception {
    // given a finished run, not re-run yet
    String oldId = finished("echo", "{\"payload\":{\"b\":2}}").get("runId").asText();
    assertThat(run(oldId).get("rerunBy")).isEmpty();

    // when it is re-run twice
    String first = body(send("POST", "/api/v1/runs/" + oldId + "/rerun", "", ADMIN))
        .get("runId").asText();
    String second = body(send("POST", "/api/v1/runs/" + oldId + "/rerun", "", ADMIN))
        .get("runId").asText();

    // then the old run lists both, oldest first, and each re-run points back and lists none
    await().untilAsserted(() -> assertThat(run(oldId).get("rerunBy"))
        .extracting(JsonNode::asText).containsExactly(first, second));
    for (String id : List.of(first, second)) {
      JsonNode rerun = run(id);
      assertThat(rerun.get("rerunOf").asText()).isEqualTo(oldId);
      assertThat(rerun.get("rerunBy")).isEmpty();
    }
  }

  @Test
  void aRunThatHasNotFinishedOrDoesNotExistIsNotRerun() throws Exception {
    // given a run that is still running
    HttpResponse<String> held = send("POST", "/api/v1/workers/held/runs", "{}", CLIENT);
    String heldId = body(held).get("runId").asText();

    // then
    HttpResponse<String> running = send("POST", "/api/v1/runs/" + heldId + "/rerun", "", ADMIN);
    assertThat(running.statusCode()).as(running.body()).isEqualTo(409);
    assertThat(body(running).get("error").get("code").asText()).isEqualTo("RUN_NOT_FINISHED");
    HttpResponse<String> unknown = send("POST",
        "/api/v1/runs/01JD3Q7R8V3K5M9W2X4Y6Z8A0B-echo/rerun", "", ADMIN);
    assertThat(unknown.statusCode()).as(unknown.body()).isEqualTo(404);
    assertThat(send("POST", "/api/v1/runs/" + heldId + "/rerun", "", CLIENT).statusCode())
        .isEqualTo(403);
    send("POST", "/api/v1/runs/" + heldId + "/cancel", "", ADMIN);
  }

  @Test
  void aWorkersFailedRunsAreListedAndRerunOnce() throws Exception {
    // given three failed runs and a successful one
    Instant before = Instant.now();
    List<String> failed = new ArrayList<>();
    for (int n = 1; n <= 3; n++) {
      JsonNode r = finished("picky", "{\"payload\":{\"fail\":true,\"n\":" + n + "}}");
      assertThat(r.get("status").asText()).isEqualTo("FAILED");
      failed.add(r.get("runId").asText());
    }
    finished("picky", "{\"payload\":{\"fail\":false}}");

    // then the failed-runs list has them, with their errors
    await().untilAsserted(() -> {
      JsonNode page = body(send("GET", "/api/v1/runs?status=FAILED&worker=picky", null, CLIENT));
      Set<String> listed = new HashSet<>();
      page.get("runs").forEach(r -> {
        assertThat(r.get("status").asText()).isEqualTo("FAILED");
        assertThat(r.get("error").get("message").asText()).startsWith("refused ");
        listed.add(r.get("runId").asText());
      });
      assertThat(listed).containsExactlyInAnyOrderElementsOf(failed);
    });

    // when they are re-run: with a since after them, then all, then all again
    HttpResponse<String> none = send("POST", "/api/v1/workers/picky/rerun-failed",
        "{\"since\":\"" + Instant.now().plusSeconds(60) + "\"}", ADMIN);
    HttpResponse<String> all = send("POST", "/api/v1/workers/picky/rerun-failed",
        "{\"since\":\"" + before + "\"}", ADMIN);
    HttpResponse<String> again = send("POST", "/api/v1/workers/picky/rerun-failed", "", ADMIN);

    // then
    assertThat(none.statusCode()).as(none.body()).isEqualTo(202);
    assertThat(body(none).get("rerun").asInt()).isZero();
    assertThat(all.statusCode()).as(all.body()).isEqualTo(202);
    assertThat(body(all).get("rerun").asInt()).isEqualTo(3);
    assertThat(body(again).get("rerun").asInt())
        .as("each failed run is re-run once (its re-run succeeds)").isZero();
    await().untilAsserted(() -> {
      Set<String> rerunOf = new HashSet<>();
      body(send("GET", "/api/v1/runs?worker=picky&limit=50", null, CLIENT)).get("runs")
          .forEach(r -> {
            if (!r.get("rerunOf").isNull()) {
              rerunOf.add(r.get("rerunOf").asText());
            }
          });
      assertThat(rerunOf).containsExactlyInAnyOrderElementsOf(failed);
    });
    await().untilAsserted(() -> assertThat(body(send("GET",
        "/api/v1/runs?status=SUCCEEDED&worker=picky", null, CLIENT)).get("runs")).hasSize(4));
  }

  @Test
  void rerunFailedRefusesABadSinceAnUnknownWorkerAndAClient() throws Exception {
    HttpResponse<String> bad = send("POST", "/api/v1/workers/picky/rerun-failed",
        "{\"since\":\"yesterday\"}", ADMIN);
    assertThat(bad.statusCode()).isEqualTo(400);
    assertThat(body(bad).get("error").get("message").asText()).contains("since");
    assertThat(send("POST", "/api/v1/workers/nobody/rerun-failed", "", ADMIN).statusCode())
        .isEqualTo(404);
    assertThat(send("POST", "/api/v1/workers/picky/rerun-failed", "", CLIENT).statusCode())
        .isEqualTo(403);
  }
}
