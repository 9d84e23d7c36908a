package dev.troupe.node.tracing;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.troupe.api.CallOptions;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.Schedule;
import dev.troupe.api.TransientFailure;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.Await;
import dev.troupe.node.TestNodes;
import dev.troupe.node.TroupeNode;
import dev.troupe.node.http.HttpServer;
import dev.troupe.node.http.HttpSettings;
import io.opentelemetry.api.common.AttributeKey;
import io.opentelemetry.api.trace.SpanKind;
import io.opentelemetry.api.trace.StatusCode;
import io.opentelemetry.sdk.OpenTelemetrySdk;
import io.opentelemetry.sdk.testing.exporter.InMemorySpanExporter;
import io.opentelemetry.sdk.trace.SdkTracerProvider;
import io.opentelemetry.sdk.trace.data.SpanData;
import io.opentelemetry.sdk.trace.export.SimpleSpanProcessor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The spans of runs on a real node (H2) started with an application's own OpenTelemetry, whose
 * spans go to an in-memory exporter.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class RunTracingTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private final InMemorySpanExporter exporter = InMemorySpanExporter.create();
  private final HttpClient http = HttpClient.newHttpClient();
  private OpenTelemetrySdk openTelemetry;
  private ActorSystem<Void> system;
  private TroupeNode troupe;
  private String base;

  @BeforeAll
  void startNode() throws Exception {
    openTelemetry = OpenTelemetrySdk.builder().setTracerProvider(SdkTracerProvider.builder()
        .addSpanProcessor(SimpleSpanProcessor.create(exporter)).build()).build();
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(),
        "troupe.http { enabled = on, host = 127.0.0.1, port = 0 }\n"
            + "troupe.history.batch-window = 20ms"));
    troupe = TroupeNode.start(system, openTelemetry);
    var binding = HttpServer.start(troupe, HttpSettings.fromConfig(system.settings().config()))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterAll
  void stopNode() {
    Await.result(troupe.shutdown());
    openTelemetry.close();
  }

  @Test
  void aRetriedRunWithAChildIsOneTraceOfItsCallEntityAttemptsAndTheChildsSpans() throws Exception {
    // given a parent that fails its first attempt and, in its second, takes a durable step and
    // calls a child
    troupe.registerBlocking("traced-child", WorkerConfig.DEFAULT,
        ctx -> JSON.objectNode().put("child", true));
    troupe.registerBlocking("traced-parent", WorkerConfig.DEFAULT.withRetry(
        RetryPolicy.of(2, Duration.ofMillis(20), Duration.ofMillis(20))), ctx -> {
          if (ctx.attempt() == 1) {
            throw new TransientFailure("not yet");
          }
          ctx.step("fetch", String.class, () -> "fetched");
          return ctx.call("traced-child", JSON.objectNode()).await().result();
        });

    // when
    RunResult run = Await.result(troupe.run("traced-parent", JSON.objectNode()));

    // then the call's span is the root, the entity's recording of the call under it, the
    // attempts under that, and the child's call under the second attempt, the child's entity's
    // span under its call, and the child's attempt under that
    assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    await().atMost(Duration.ofSeconds(10)).until(() -> exporter.getFinishedSpanItems().stream()
        .filter(s -> s.getTraceId().equals(run.traceId())).count() == 7);
    List<SpanData> spans = exporter.getFinishedSpanItems().stream()
        .filter(s -> s.getTraceId().equals(run.traceId())).toList();
    SpanData call = named(spans, "call traced-parent").get(0);
    assertThat(call.getParentSpanContext().isValid()).isFalse();
    assertThat(call.getKind()).isEqualTo(SpanKind.PRODUCER);
    assertThat(call.getAttributes().get(AttributeKey.stringKey("troupe.worker")))
        .isEqualTo("traced-parent");
    assertThat(call.getAttributes().get(AttributeKey.stringKey("troupe.run.id")))
        .isEqualTo(run.runId());
    assertThat(call.getAttributes().get(AttributeKey.booleanKey("troupe.call.idempotent_hit")))
        .isFalse();

    SpanData entity = named(spans, "entity traced-parent").get(0);
    assertThat(entity.getParentSpanId()).isEqualTo(call.getSpanId());
    assertThat(entity.getKind()).isEqualTo(SpanKind.CONSUMER);
    assertThat(entity.getAttributes().get(AttributeKey.stringKey("troupe.entity.id")))
        .isEqualTo("traced-parent");
    assertThat(entity.getAttributes().get(AttributeKey.longKey("troupe.batch.commands")))
        .isPositive();
    assertThat(entity.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);

    List<SpanData> attempts = named(spans, "attempt traced-parent");
    assertThat(attempts).hasSize(2).allSatisfy(a -> {
      assertThat(a.getParentSpanId()).isEqualTo(entity.getSpanId());
      assertThat(a.getAttributes().get(AttributeKey.stringKey("troupe.run.id")))
          .isEqualTo(run.runId());
    });
    SpanData first = attempt(attempts, 1);
    SpanData second = attempt(attempts, 2);
    assertThat(first.getAttributes().get(AttributeKey.stringKey("troupe.outcome")))
        .isEqualTo("RETRY");
    assertThat(first.getAttributes().get(AttributeKey.stringKey("troupe.error.code")))
        .isEqualTo("TRANSIENT_ERROR");
    assertThat(first.getStatus().getStatusCode()).isEqualTo(StatusCode.ERROR);
    assertThat(first.getStatus().getDescription()).contains("not yet");
    assertThat(second.getAttributes().get(AttributeKey.stringKey("troupe.outcome")))
        .isEqualTo("SUCCEEDED");
    assertThat(second.getStatus().getStatusCode()).isEqualTo(StatusCode.UNSET);
    assertThat(second.getEvents()).singleElement().satisfies(step -> {
      assertThat(step.getName()).isEqualTo("step");
      assertThat(step.getAttributes().get(AttributeKey.stringKey("troupe.step.name")))
          .isEqualTo("fetch");
      assertThat(step.getAttributes().get(AttributeKey.stringKey("troupe.step.status")))
          .isEqualTo("SUCCEEDED");
    });

    SpanData childCall = named(spans, "call traced-child").get(0);
    assertThat(childCall.getParentSpanId()).isEqualTo(second.getSpanId());
    SpanData childEntity = named(spans, "entity traced-child").get(0);
    assertThat(childEntity.getParentSpanId()).isEqualTo(childCall.getSpanId());
    SpanData childAttempt = named(spans, "attempt traced-child").get(0);
    assertThat(childAttempt.getParentSpanId()).isEqualTo(childEntity.getSpanId());
    assertThat(childAttempt.getAttributes().get(AttributeKey.stringKey("troupe.run.id")))
        .isEqualTo(childCall.getAttributes().get(AttributeKey.stringKey("troupe.run.id")));

    // and the run's JSON, and its child's, carry the trace id
    JsonNode json = get("/api/v1/runs/" + run.runId());
    assertThat(json.get("traceId").asText()).isEqualTo(call.getTraceId());
    String childId = childCall.getAttributes().get(AttributeKey.stringKey("troupe.run.id"));
    assertThat(get("/api/v1/runs/" + childId).get("traceId").asText())
        .isEqualTo(call.getTraceId());
    // and so does the run history's copy of the child
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(Await.result(troupe.runs(RunQuery.childrenOf(run.runId(), 10))).runs())
            .extracting(RunResult::runId, RunResult::traceId)
            .containsExactly(tuple(childId, call.getTraceId())));
  }

  @Test
  void aCallThatFindsItsRunByIdempotencyKeyIsMarkedAHit() {
    // given a run made with a key
    troupe.registerBlocking("traced-keyed", WorkerConfig.DEFAULT, ctx -> JSON.objectNode());
    CallOptions options = CallOptions.NONE.withIdempotencyKey("traced-key");
    var first = Await.result(troupe.call("traced-keyed", JSON.objectNode(), options));

    // when the same key is called again
    var second = Await.result(troupe.call("traced-keyed", JSON.objectNode(), options));

    // then the second call's span names the same run, as an idempotent hit, and the entity's
    // recording of each call is a span under it
    assertThat(second.runId()).isEqualTo(first.runId());
    await().atMost(Duration.ofSeconds(10)).until(() -> callsOf("traced-keyed").size() == 2);
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(named(exporter.getFinishedSpanItems(), "entity traced-keyed"))
            .extracting(SpanData::getParentSpanId)
            .containsExactlyInAnyOrderElementsOf(callsOf("traced-keyed").stream()
                .map(SpanData::getSpanId).toList()));
    assertThat(callsOf("traced-keyed")).extracting(s -> s.getAttributes()
            .get(AttributeKey.booleanKey("troupe.call.idempotent_hit")))
        .containsExactlyInAnyOrder(false, true);
    assertThat(callsOf("traced-keyed")).allSatisfy(s -> assertThat(s.getAttributes()
        .get(AttributeKey.stringKey("troupe.run.id"))).isEqualTo(first.runId()));
  }

  @Test
  void theAnswersThatStartARunOverHttpCarryTheTraceIdTheRunsJsonHas() throws Exception {
    // given
    troupe.registerBlocking("traced-http", WorkerConfig.DEFAULT, ctx -> JSON.objectNode());

    Await.result(troupe.schedules().put(Schedule.of("traced-schedule", "traced-http",
        "0 0 0 1 1 *")));

    // when a run is called, called again with its key, re-run once finished, and a schedule of
    // the worker is triggered
    JsonNode accepted = post("/api/v1/workers/traced-http/runs",
        "{\"idempotencyKey\":\"traced-http-key\"}", 202);
    JsonNode again = post("/api/v1/workers/traced-http/runs",
        "{\"idempotencyKey\":\"traced-http-key\"}", 202);
    String runId = accepted.get("runId").asText();
    Await.result(troupe.attach(runId).result());
    JsonNode rerun = post("/api/v1/runs/" + runId + "/rerun", "{}", 201);
    JsonNode triggered = post("/api/v1/schedules/traced-schedule/trigger", "{}", 202);

    // then each answer has the trace id that the run's JSON has, the existing run's for the
    // second call (not the trace of that call's own span)
    String traceId = get("/api/v1/runs/" + runId).get("traceId").asText();
    assertThat(traceId).matches("[0-9a-f]{32}");
    assertThat(accepted.get("traceId").asText()).isEqualTo(traceId);
    assertThat(again.get("existing").asBoolean()).isTrue();
    assertThat(again.get("traceId").asText()).isEqualTo(traceId);
    String rerunTrace = get("/api/v1/runs/" + rerun.get("runId").asText()).get("traceId").asText();
    assertThat(rerun.get("traceId").asText()).isEqualTo(rerunTrace).isNotEqualTo(traceId);
    String triggeredTrace = get("/api/v1/runs/" + triggered.get("runId").asText())
        .get("traceId").asText();
    assertThat(triggered.get("traceId").asText()).isEqualTo(triggeredTrace)
        .matches("[0-9a-f]{32}").isNotEqualTo(traceId).isNotEqualTo(rerunTrace);
  }

  private List<SpanData> callsOf(String worker) {
    return named(exporter.getFinishedSpanItems(), "call " + worker);
  }

  private static List<SpanData> named(List<SpanData> spans, String name) {
    return spans.stream().filter(s -> s.getName().equals(name)).toList();
  }

  private static SpanData attempt(List<SpanData> attempts, long n) {
    return attempts.stream()
        .filter(a -> a.getAttributes().get(AttributeKey.longKey("troupe.attempt")) == n)
        .findFirst().orElseThrow();
  }

  private JsonNode post(String path, String body, int status) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).as(response.body()).isEqualTo(status);
    return new ObjectMapper().readTree(response.body());
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> response = http.send(HttpRequest.newBuilder(URI.create(base + path))
        .GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(response.statusCode()).isEqualTo(200);
    return new ObjectMapper().readTree(response.body());
  }
}
