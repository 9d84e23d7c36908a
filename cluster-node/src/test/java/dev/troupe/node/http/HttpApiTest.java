package dev.troupe.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
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
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.stream.Stream;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/** The HTTP API against a real node, through java.net.http as any client would. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpApiTest {
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final CountDownLatch release = new CountDownLatch(1);
  private ActorSystem<Void> system;
  private String base;

  @BeforeAll
  void start() throws Exception {
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(),
        "troupe.http { enabled = on, host = 127.0.0.1, port = 0, max-body-bytes = 4096 }\n"
            + "troupe.worker.stream.retained-streams = 1"));
    TroupeNode troupe = TroupeNode.start(system);
    troupe.register("echo", WorkerConfig.DEFAULT, ctx -> CompletableFuture.completedFuture(ctx.payload()));
    troupe.register("untouched", WorkerConfig.DEFAULT,
        ctx -> CompletableFuture.completedFuture(ctx.payload()));
    troupe.register("later", WorkerConfig.DEFAULT,
        ctx -> CompletableFuture.completedFuture(ctx.payload()));
    troupe.register("steps", WorkerConfig.DEFAULT, ctx -> {
      for (int i = 1; i <= 3; i++) {
        ctx.emit(ctx.newObject().put("step", i));
      }
      return CompletableFuture.completedFuture(ctx.newObject().put("steps", 3));
    });
    troupe.registerBlocking("waiting", WorkerConfig.DEFAULT, ctx -> {
      ctx.emit(ctx.newObject().put("waiting", true));
      ctx.sleep(Duration.ofMinutes(1));
      return ctx.newObject();
    });
    troupe.registerBlocking("narrow", WorkerConfig.DEFAULT.withMaxConcurrent(1).withQueueCapacity(0)
        .withRetry(RetryPolicy.NONE), ctx -> {
          release.await();
          return ctx.newObject();
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

  private HttpResponse<String> send(HttpRequest.Builder b) throws Exception {
    return http.send(b.timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> post(String path, String body) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + path)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)));
  }

  private HttpResponse<String> get(String path) throws Exception {
    return send(HttpRequest.newBuilder(URI.create(base + path)).GET());
  }

  private JsonNode body(HttpResponse<String> r) throws Exception {
    return json.readTree(r.body());
  }

  /** SSE frames of a response, until the stream ends. */
  private List<String[]> frames(HttpRequest request) throws Exception {
    HttpResponse<Stream<String>> r = http.send(request, HttpResponse.BodyHandlers.ofLines());
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/event-stream");
    List<String[]> out = new ArrayList<>();
    String[] current = new String[3];
    for (String line : (Iterable<String>) r.body()::iterator) {
      if (line.isEmpty()) {
        if (current[1] != null) {
          out.add(current);
        }
        current = new String[3];
      } else if (line.startsWith("id:")) {
        current[0] = line.substring(3).trim();
      } else if (line.startsWith("event:")) {
        current[1] = line.substring(6).trim();
      } else if (line.startsWith("data:")) {
        current[2] = line.substring(5).trim();
      }
    }
    return out;
  }

  @Test
  void aCallIsAcceptedWithLinksAndTheRunCanBeRead() throws Exception {
    // when
    HttpResponse<String> r = post("/api/v1/workers/echo/runs", "{\"payload\":{\"a\":1}}");
    // then
    assertThat(r.statusCode()).isEqualTo(202);
    JsonNode accepted = body(r);
    String runId = accepted.get("runId").asText();
    assertThat(r.headers().firstValue("Location")).contains("/api/v1/runs/" + runId);
    assertThat(accepted.get("links").get("events").asText()).isEqualTo("/api/v1/runs/" + runId + "/events");
    await().atMost(Duration.ofSeconds(10)).until(() -> body(get("/api/v1/runs/" + runId))
        .get("status").asText().equals("SUCCEEDED"));
    JsonNode run = body(get("/api/v1/runs/" + runId));
    assertThat(run.get("result")).isEqualTo(json.readTree("{\"a\":1}"));
    assertThat(run.get("worker").asText()).isEqualTo("echo");
    assertThat(run.get("createdAt").asText()).matches("\\d{4}-\\d\\d-\\d\\dT\\d\\d:\\d\\d:\\d\\d(\\.\\d{1,3})?Z");
  }

  @Test
  void waitTrueAnswersWithTheFinishedRun() throws Exception {
    // when
    HttpResponse<String> r = post("/api/v1/workers/echo/runs?wait=true", "{\"payload\":{\"x\":\"y\"}}");
    // then
    assertThat(r.statusCode()).isEqualTo(200);
    JsonNode run = body(r);
    for (String field : List.of("runId", "worker", "status", "attempts", "createdAt", "startedAt",
        "finishedAt", "durationMs", "payload", "result", "error", "tags")) {
      assertThat(run.has(field)).as(field).isTrue();
    }
    assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(run.get("result").get("x").asText()).isEqualTo("y");
  }

  @Test
  void aCallWithAcceptEventStreamStreamsTheRun() throws Exception {
    // when
    List<String[]> frames = frames(HttpRequest.newBuilder(URI.create(base + "/api/v1/workers/steps/runs"))
        .header("Content-Type", "application/json").header("Accept", "text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
    // then
    assertThat(frames).filteredOn(f -> f[1].equals("message")).extracting(f -> json.readTree(f[2]).get("step").asInt())
        .containsExactly(1, 2, 3);
    String[] last = frames.get(frames.size() - 1);
    assertThat(last[1]).isEqualTo("result");
    assertThat(json.readTree(last[2]).get("result").get("steps").asInt()).isEqualTo(3);
    assertThat(frames).extracting(f -> Long.parseLong(f[0])).isSorted().doesNotHaveDuplicates();
  }

  @Test
  void aStreamingCallNamesItsRunInLocationSoThatItCanBeResumed() throws Exception {
    // when a streaming call is answered, and its stream dropped after the first event
    HttpResponse<java.util.stream.Stream<String>> r = http.send(HttpRequest.newBuilder(
            URI.create(base + "/api/v1/workers/steps/runs"))
        .header("Content-Type", "application/json").header("Accept", "text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build(), HttpResponse.BodyHandlers.ofLines());
    String location = r.headers().firstValue("Location").orElseThrow();
    r.body().close();

    // then the run at Location streams on from event 1 to its result
    List<String[]> rest = frames(HttpRequest.newBuilder(URI.create(base + location + "/events"))
        .header("Last-Event-ID", "1").build());
    assertThat(location).matches("/api/v1/runs/[0-9A-Z]{26}-steps");
    assertThat(rest.get(0)[0]).isEqualTo("2");
    assertThat(rest.get(rest.size() - 1)[1]).isEqualTo("result");
    assertThat(json.readTree(rest.get(rest.size() - 1)[2]).get("runId").asText())
        .isEqualTo(location.substring("/api/v1/runs/".length()));
  }

  @Test
  void lastEventIdResumesRightAfterThatEvent() throws Exception {
    // given a finished run and all its events
    String runId = body(post("/api/v1/workers/steps/runs?wait=true", "{}")).get("runId").asText();
    List<String[]> all = frames(HttpRequest.newBuilder(URI.create(base + "/api/v1/runs/" + runId + "/events")).build());
    String resumeAfter = all.get(2)[0];
    // when
    List<String[]> rest = frames(HttpRequest.newBuilder(URI.create(base + "/api/v1/runs/" + runId + "/events"))
        .header("Last-Event-ID", resumeAfter).build());
    // then
    assertThat(rest).extracting(f -> f[0]).containsExactlyElementsOf(all.subList(3, all.size()).stream().map(f -> f[0]).toList());
    assertThat(rest.get(0)[0]).isEqualTo(Long.toString(Long.parseLong(resumeAfter) + 1));
  }

  @Test
  void lastEventIdOfARunWhoseStreamTheNodeNoLongerHoldsReplaysFromTheRunHistory() throws Exception {
    // given a finished run as it was streamed, and a later run of the same worker, so that the
    // node no longer holds the first one's stream (it keeps one per entity in this test)
    List<String[]> live = frames(HttpRequest.newBuilder(URI.create(base + "/api/v1/workers/steps/runs"))
        .header("Content-Type", "application/json").header("Accept", "text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString("{}")).build());
    String runId = json.readTree(live.get(live.size() - 1)[2]).get("runId").asText();
    body(post("/api/v1/workers/steps/runs?wait=true", "{}"));
    // when
    List<String[]> rest = frames(HttpRequest.newBuilder(URI.create(base + "/api/v1/runs/" + runId + "/events"))
        .header("Last-Event-ID", "2").build());
    // then the events after 2, as they were streamed live, and no gap
    assertThat(rest).extracting(f -> f[0] + " " + f[1] + " " + json.readTree(f[2]))
        .containsExactlyElementsOf(live.subList(2, live.size()).stream()
            .map(f -> f[0] + " " + f[1] + " " + unchecked(f[2])).toList());
    assertThat(rest.get(rest.size() - 1)[1]).isEqualTo("result");
  }

  private JsonNode unchecked(String text) {
    try {
      return json.readTree(text);
    } catch (Exception e) {
      throw new IllegalStateException(e);
    }
  }

  @Test
  void lastEventIdAtOrPastTheEndOfAFinishedRunGivesItsOutcomeAgain() throws Exception {
    // given a finished run and all its events
    String runId = body(post("/api/v1/workers/steps/runs?wait=true", "{}")).get("runId").asText();
    URI events = URI.create(base + "/api/v1/runs/" + runId + "/events");
    List<String[]> all = frames(HttpRequest.newBuilder(events).build());
    String[] terminal = all.get(all.size() - 1);
    for (String lastEventId : List.of(terminal[0], Long.toString(Long.parseLong(terminal[0]) + 100))) {
      // when
      List<String[]> again = frames(HttpRequest.newBuilder(events).header("Last-Event-ID", lastEventId).build());
      // then
      assertThat(again).as("after " + lastEventId).hasSize(1);
      assertThat(again.get(0)).containsExactly(terminal);
      assertThat(again.get(0)[1]).isEqualTo("result");
      assertThat(json.readTree(again.get(0)[2]).get("status").asText()).isEqualTo("SUCCEEDED");
    }
  }

  @Test
  void cancelEndsTheStreamAndIsAConflictOnceFinished() throws Exception {
    // given a run that waits
    String runId = body(post("/api/v1/workers/waiting/runs", "{}")).get("runId").asText();
    CompletableFuture<List<String[]>> stream = CompletableFuture.supplyAsync(() -> {
      try {
        return frames(HttpRequest.newBuilder(URI.create(base + "/api/v1/runs/" + runId + "/events")).build());
      } catch (Exception e) {
        throw new IllegalStateException(e);
      }
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> body(get("/api/v1/runs/" + runId)).get("status").asText().equals("RUNNING"));
    // when
    HttpResponse<String> cancelled = post("/api/v1/runs/" + runId + "/cancel", "");
    // then
    assertThat(cancelled.statusCode()).isEqualTo(202);
    List<String[]> frames = stream.get(20, TimeUnit.SECONDS);
    String[] last = frames.get(frames.size() - 1);
    assertThat(last[1]).isEqualTo("error");
    assertThat(json.readTree(last[2]).get("status").asText()).isEqualTo("CANCELLED");
    assertThat(post("/api/v1/runs/" + runId + "/cancel", "").statusCode()).isEqualTo(409);
    assertThat(post("/api/v1/runs/01JD3Q7R8V3K5M9W2X4Y6Z8A0B-waiting/cancel", "").statusCode()).isEqualTo(404);
  }

  @Test
  void badRequestsGetAClearJsonErrorWithTheRightStatus() throws Exception {
    assertError(post("/api/v1/workers/echo/runs", "{not json"), 400, "INVALID_REQUEST", "malformed JSON");
    assertError(post("/api/v1/workers/echo/runs", "{\"timeoutMs\":-5}"), 400, "INVALID_REQUEST", "timeoutMs");
    assertError(post("/api/v1/workers/echo/runs", "{\"timeoutMs\":\"soon\"}"), 400, "INVALID_REQUEST", "timeoutMs");
    assertError(post("/api/v1/workers/no-such/runs", "{}"), 404, "UNKNOWN_WORKER", "no-such");
    assertError(get("/api/v1/workers/no-such"), 404, "UNKNOWN_WORKER", "no-such");
    assertError(get("/api/v1/workers/no-such/stats"), 404, "UNKNOWN_WORKER", "no-such");
    assertError(get("/api/v1/runs/01JD3Q7R8V3K5M9W2X4Y6Z8A0B-echo"), 404, "UNKNOWN_RUN", "01JD3Q7R8V3K5M9W2X4Y6Z8A0B");
    assertError(get("/api/v1/runs/nonsense"), 404, "UNKNOWN_RUN", "malformed run id");
    assertError(send(HttpRequest.newBuilder(URI.create(base + "/api/v1/workers/echo/runs"))
        .header("Content-Type", "text/plain").POST(HttpRequest.BodyPublishers.ofString("hi"))), 415,
        "UNSUPPORTED_MEDIA_TYPE", "application/json");
    assertError(post("/api/v1/workers/echo/runs", "{\"payload\":\"" + "x".repeat(5000) + "\"}"), 413,
        "BODY_TOO_LARGE", "max-body-bytes");
    assertError(post("/api/v1/workers/echo/runs", "{\"tags\":[1]}"), 400, "INVALID_REQUEST", "tags");
    assertError(get("/api/v1/no-such-thing"), 404, "NOT_FOUND", "no such API path");
    assertError(send(HttpRequest.newBuilder(URI.create(base + "/api/v1/workers")).DELETE()), 405,
        "METHOD_NOT_ALLOWED", "method");
    String runId = body(post("/api/v1/workers/echo/runs?wait=true", "{}")).get("runId").asText();
    assertError(send(HttpRequest.newBuilder(URI.create(base + "/api/v1/runs/" + runId + "/events"))
        .header("Last-Event-ID", "-5")), 400, "INVALID_REQUEST", "Last-Event-ID");
  }

  @Test
  void aBadStartOptionIsABadRequestNamingItAndNothingIsRecorded() throws Exception {
    String runs = "/api/v1/workers/untouched/runs";
    assertError(post(runs, "{\"priority\":12}"), 400, "INVALID_REQUEST", "priority");
    assertError(post(runs, "{\"priority\":-1}"), 400, "INVALID_REQUEST", "priority");
    assertError(post(runs, "{\"delayMs\":-5}"), 400, "INVALID_REQUEST", "delayMs");
    assertError(post(runs, "{\"delayMs\":0}"), 400, "INVALID_REQUEST", "delayMs");
    assertError(post(runs, "{\"runAt\":\"" + Instant.now().plus(Duration.ofDays(3653))
        + "\"}"), 400, "INVALID_REQUEST", "max-schedule-ahead");
    assertError(post(runs, "{\"runAt\":\"tomorrow\"}"), 400, "INVALID_REQUEST", "runAt");
    assertError(post(runs, "{\"delayMs\":5,\"runAt\":\"" + Instant.now() + "\"}"), 400,
        "INVALID_REQUEST", "not both");
    assertError(post(runs, "{\"concurrencyKey\":\"\"}"), 400, "INVALID_REQUEST",
        "concurrencyKey");
    // nothing was recorded
    JsonNode stats = body(get("/api/v1/workers/untouched/stats"));
    for (String count : List.of("runs", "running", "queued", "scheduled")) {
      assertThat(stats.get(count).asLong()).as(count).isZero();
    }
    assertThat(body(get("/api/v1/runs?worker=untouched")).get("runs")).isEmpty();
  }

  @Test
  void aDelayedRunIsAcceptedAsScheduledAndShowsWhenItIsDue() throws Exception {
    // given
    Instant before = Instant.now();
    Instant at = Instant.now().plus(Duration.ofHours(2)).truncatedTo(ChronoUnit.MILLIS);

    // when
    HttpResponse<String> delayed = post("/api/v1/workers/later/runs",
        "{\"payload\":{},\"delayMs\":3600000,\"priority\":7,\"concurrencyKey\":\"t-1\"}");
    HttpResponse<String> atTime = post("/api/v1/workers/later/runs",
        "{\"payload\":{},\"runAt\":\"" + at + "\"}");
    Instant after = Instant.now();

    // then both are 202 SCHEDULED, and the runs say when they are due
    assertThat(delayed.statusCode()).isEqualTo(202);
    assertThat(body(delayed).get("status").asText()).isEqualTo("SCHEDULED");
    assertThat(body(atTime).get("status").asText()).isEqualTo("SCHEDULED");
    JsonNode run = body(get("/api/v1/runs/" + body(delayed).get("runId").asText()));
    assertThat(run.get("status").asText()).isEqualTo("SCHEDULED");
    assertThat(Instant.parse(run.get("scheduledFor").asText()))
        .isBetween(before.plusSeconds(3600).truncatedTo(ChronoUnit.MILLIS),
            after.plusSeconds(3600));
    assertThat(run.get("priority").asInt()).isEqualTo(7);
    assertThat(run.get("concurrencyKey").asText()).isEqualTo("t-1");
    assertThat(run.get("startedAt").isNull()).isTrue();
    JsonNode second = body(get("/api/v1/runs/" + body(atTime).get("runId").asText()));
    assertThat(Instant.parse(second.get("scheduledFor").asText())).isEqualTo(at);
    assertThat(body(get("/api/v1/workers/later/stats")).get("scheduled").asLong())
        .isGreaterThanOrEqualTo(2);

    // and a scheduled run can be cancelled
    assertThat(post("/api/v1/runs/" + body(delayed).get("runId").asText() + "/cancel", "")
        .statusCode()).isEqualTo(202);
    assertThat(body(get("/api/v1/runs/" + body(delayed).get("runId").asText())).get("status")
        .asText()).isEqualTo("CANCELLED");
  }

  @Test
  void aShortDelayStartsTheRunOnceDue() throws Exception {
    // when
    HttpResponse<String> r = post("/api/v1/workers/later/runs", "{\"payload\":{\"n\":1},"
        + "\"delayMs\":300}");

    // then
    assertThat(body(r).get("status").asText()).isEqualTo("SCHEDULED");
    String runId = body(r).get("runId").asText();
    await().atMost(Duration.ofSeconds(10)).until(() -> body(get("/api/v1/runs/" + runId))
        .get("status").asText().equals("SUCCEEDED"));
    JsonNode run = body(get("/api/v1/runs/" + runId));
    assertThat(Instant.parse(run.get("startedAt").asText()))
        .isAfterOrEqualTo(Instant.parse(run.get("scheduledFor").asText()));
    assertThat(run.get("result")).isEqualTo(json.readTree("{\"n\":1}"));
  }

  @Test
  void anInvalidWorkerNameIsABadRequestNamingTheRuleOnEveryRoute() throws Exception {
    String rule = "^[a-z0-9][a-z0-9-]{0,62}$";
    assertError(get("/api/v1/workers/Bad_Name"), 400, "INVALID_REQUEST", rule);
    assertError(get("/api/v1/workers/Bad_Name/stats"), 400, "INVALID_REQUEST", rule);
    assertError(post("/api/v1/workers/Bad_Name/runs", "{}"), 400, "INVALID_REQUEST", rule);
    assertError(send(HttpRequest.newBuilder(URI.create(base + "/api/v1/workers/Bad_Name/runs"))
        .header("Content-Type", "application/json").header("Accept", "text/event-stream")
        .POST(HttpRequest.BodyPublishers.ofString("{}"))), 400, "INVALID_REQUEST", rule);
    assertError(get("/api/v1/runs?worker=Bad_Name"), 400, "INVALID_REQUEST", rule);
  }

  @Test
  void aFullQueueIsTooManyRequestsWithRetryAfter() throws Exception {
    // given the only slot of "narrow" taken and no queue
    assertThat(post("/api/v1/workers/narrow/runs", "{}").statusCode()).isEqualTo(202);
    await().atMost(Duration.ofSeconds(10)).until(() -> body(get("/api/v1/workers/narrow/stats")).get("running").asInt() == 1);
    // when
    HttpResponse<String> r = post("/api/v1/workers/narrow/runs", "{}");
    // then
    assertError(r, 429, "QUEUE_FULL", "queueCapacity");
    assertThat(r.headers().firstValue("Retry-After")).isPresent();
  }

  @Test
  void workersAreListedWithConfigAndStats() throws Exception {
    // given
    post("/api/v1/workers/echo/runs?wait=true", "{}");
    // when
    JsonNode all = body(get("/api/v1/workers"));
    JsonNode echo = body(get("/api/v1/workers/echo"));
    JsonNode stats = body(get("/api/v1/workers/echo/stats"));
    // then
    assertThat(all).extracting(n -> n.get("name").asText()).contains("echo", "steps", "waiting", "narrow");
    assertThat(echo.get("config").get("maxConcurrent").asInt()).isEqualTo(16);
    assertThat(echo.get("stats").get("runs").asLong()).isPositive();
    for (String field : List.of("worker", "runs", "errors", "lastRunMs", "totalRuntimeMs", "succeeded",
        "failed", "timedOut", "cancelled", "retries", "running", "queued", "scheduled", "meanMs",
        "p50Ms", "p95Ms",
        "p99Ms", "lastRunAt")) {
      assertThat(stats.has(field)).as(field).isTrue();
    }
  }

  @Test
  void metricsAreInPrometheusTextFormat() throws Exception {
    // given a finished run
    post("/api/v1/workers/echo/runs?wait=true", "{}");
    // when
    HttpResponse<String> r = get("/metrics");
    // then
    assertThat(r.statusCode()).isEqualTo(200);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("text/plain");
    assertThat(r.body())
        .containsPattern("troupe_runs_finished_total\\{.*status=\"SUCCEEDED\".*worker=\"echo\".*\\} [1-9]")
        .containsPattern("troupe_runs_started_total\\{.*worker=\"echo\".*\\} [1-9]")
        .contains("troupe_run_duration_seconds_bucket")
        .contains("troupe_runs_running{")
        .contains("troupe_runs_queued{")
        .contains("troupe_sse_subscribers");
  }

  private void assertError(HttpResponse<String> r, int status, String code, String mentions) throws Exception {
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(r.headers().firstValue("Content-Type").orElse("")).startsWith("application/json");
    JsonNode e = body(r).get("error");
    assertThat(e.get("code").asText()).isEqualTo(code);
    assertThat(e.get("message").asText()).contains(mentions);
    assertThat(r.body()).doesNotContain("\tat ").doesNotContain("Exception");
  }
}
