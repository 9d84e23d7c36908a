package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.CallOptions;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.http.HttpServer;
import dev.troupe.node.http.HttpSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Runs that depend on others ({@code dependsOn}): WAITING until every dependency has succeeded,
 * CANCELLED naming one that did not, across definitions and across a restart of the node (H2).
 */
@ExtendWith(LogCapturingExtension.class)
class DependenciesTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String CONFIG = "troupe.http { enabled = on, host = 127.0.0.1, port = 0 }\n"
      + "troupe.shutdown.drain-timeout = 1s\n";

  /** Gates of the "gated" worker, by the payload's "gate". */
  private final Map<String, CountDownLatch> gates = new ConcurrentHashMap<>();
  private final String dbUrl = TestNodes.newH2Url();
  private ActorSystem<Void> system;
  private TroupeNode troupe;

  private void start() {
    system = TestNodes.system(TestNodes.config(dbUrl, CONFIG));
    troupe = TroupeNode.start(system);
    troupe.registerBlocking("gated", WorkerConfig.DEFAULT.withMaxConcurrent(10), ctx -> {
      String gate = ctx.payload().path("gate").asText();
      if (!gates.computeIfAbsent(gate, g -> new CountDownLatch(1)).await(30, TimeUnit.SECONDS)) {
        throw new IllegalStateException("gate " + gate + " never opened");
      }
      if (ctx.payload().path("fail").asBoolean()) {
        throw new PermanentFailure("failed on purpose");
      }
      return ctx.payload();
    });
    troupe.registerBlocking("after", WorkerConfig.DEFAULT.withMaxConcurrent(10)
        .withRetry(RetryPolicy.NONE), ctx -> ctx.payload());
  }

  @AfterEach
  void stop() {
    gates.values().forEach(CountDownLatch::countDown);
    if (troupe != null) {
      Await.result(troupe.shutdown(), 60);
    }
  }

  private static ObjectNode gate(String name) {
    return JSON.objectNode().put("gate", name);
  }

  private void open(String gate) {
    gates.computeIfAbsent(gate, g -> new CountDownLatch(1)).countDown();
  }

  private String call(String worker, ObjectNode payload, String... dependsOn) {
    return Await.result(troupe.call(worker, payload, CallOptions.NONE.dependsOn(dependsOn)))
        .runId();
  }

  private RunResult run(String runId) {
    return Await.result(troupe.lookup(runId)).orElseThrow();
  }

  private RunResult finished(String runId) {
    return Await.result(troupe.attach(runId).result());
  }

  @Test
  void aChainStartsEachRunOnlyOnceTheOneBeforeItHasSucceeded() {
    // given a -> b -> c, a held at its gate
    start();
    String a = call("gated", gate("chain-a"));
    String b = call("after", JSON.objectNode().put("n", "b"), a);
    String c = call("after", JSON.objectNode().put("n", "c"), b);
    // then b and c wait
    assertThat(run(b).status()).isEqualTo(RunStatus.WAITING);
    assertThat(run(c).status()).isEqualTo(RunStatus.WAITING);
    assertThat(Await.result(troupe.stats("after")).queued()).isZero();
    // when
    open("chain-a");
    // then
    RunResult rc = finished(c);
    RunResult rb = finished(b);
    RunResult ra = finished(a);
    assertThat(rc.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(rb.startedAt()).isAfterOrEqualTo(ra.finishedAt());
    assertThat(rc.startedAt()).isAfterOrEqualTo(rb.finishedAt());
  }

  @Test
  void aDiamondStartsItsLastRunOnceBothMiddleOnesHaveSucceeded() {
    // given a, then b and c after a, then d after b and c
    start();
    String a = call("gated", gate("diamond-a"));
    String b = call("gated", gate("diamond-b"), a);
    String c = call("after", JSON.objectNode(), a);
    String d = call("after", JSON.objectNode(), b, c);
    // when a succeeds, c runs, b waits at its gate
    open("diamond-a");
    assertThat(finished(c).status()).isEqualTo(RunStatus.SUCCEEDED);
    // then d still waits for b
    assertThat(run(d).status()).isEqualTo(RunStatus.WAITING);
    // when
    open("diamond-b");
    // then
    RunResult rd = finished(d);
    assertThat(rd.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(rd.startedAt()).isAfterOrEqualTo(finished(b).finishedAt())
        .isAfterOrEqualTo(finished(c).finishedAt());
  }

  @Test
  void aDependencyThatFailsCancelsTheRunsWaitingForItNamingIt() {
    // given b after a, c after b; a fails
    start();
    String a = call("gated", gate("fail-a").put("fail", true));
    String b = call("after", JSON.objectNode(), a);
    String c = call("after", JSON.objectNode(), b);
    // when
    open("fail-a");
    // then
    RunResult rb = finished(b);
    assertThat(rb.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(rb.attempts()).isZero();
    assertThat(rb.error().code()).isEqualTo(ErrorCode.CANCELLED);
    assertThat(rb.error().message()).contains("dependency " + a + " ended FAILED");
    assertThat(finished(c).error().message()).contains("dependency " + b + " ended CANCELLED");
  }

  @Test
  void aRunDependingOnAnUnknownRunIsRefusedWithA400BeforeAnythingIsRecorded() throws Exception {
    // given
    start();
    var binding = Await.result(HttpServer.start(troupe,
        HttpSettings.fromConfig(system.settings().config())));
    String unknown = "01M98DSFP86K9GNH91G1Z9C2WX-after";
    // when
    HttpResponse<String> r = HttpClient.newHttpClient().send(HttpRequest.newBuilder(URI.create(
            "http://127.0.0.1:" + binding.localAddress().getPort() + "/api/v1/workers/after/runs"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(
            "{\"payload\": {}, \"dependsOn\": [\"" + unknown + "\"]}")).build(),
        HttpResponse.BodyHandlers.ofString());
    // then
    assertThat(r.statusCode()).isEqualTo(400);
    assertThat(r.body()).contains("INVALID_REQUEST").contains("run " + unknown + " is not known");
    assertThatThrownBy(() -> call("after", JSON.objectNode(), unknown))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining(unknown);
    assertThat(Await.result(troupe.active("after"))).isEmpty();
  }

  @Test
  void aWaitingRunGoesOnAfterTheNodeRestarts() {
    // given b waits for a, which is held at its gate
    start();
    String a = call("gated", gate("restart-a"));
    String b = call("after", JSON.objectNode().put("n", "b"), a);
    await().atMost(Duration.ofSeconds(10)).until(() -> run(a).status() == RunStatus.RUNNING);
    assertThat(run(b).status()).isEqualTo(RunStatus.WAITING);
    // when the node stops (a is queued again) and starts again, where a's gate is open
    Await.result(troupe.shutdown(), 60);
    troupe = null;
    open("restart-a");
    start();
    // then a runs again and b after it
    RunResult rb = finished(b);
    assertThat(rb.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(finished(a).status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(rb.startedAt()).isAfterOrEqualTo(finished(a).finishedAt());
  }
}
