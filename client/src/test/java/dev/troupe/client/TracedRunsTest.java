package dev.troupe.client;

import static org.assertj.core.api.Assertions.assertThat;

import com.sun.net.httpserver.HttpServer;
import java.net.InetSocketAddress;
import java.time.Duration;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The trace ids the client reads from a node that traces its runs (its spans go to a stand-in
 * OTLP collector that takes them and keeps nothing): a call's answer names the run's trace at
 * once, the same one that the run, a repeated call with its key and the run's re-run agree on;
 * a schedule's trigger names its run's trace too.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TracedRunsTest {
  private static final Duration WAIT = Duration.ofSeconds(30);

  private HttpServer collector;
  private TestNode node;
  private TroupeClient client;

  @BeforeAll
  void start() throws Exception {
    collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext("/v1/traces", exchange -> {
      exchange.getRequestBody().readAllBytes();
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    collector.start();
    node = TestNode.start(TestNode.newH2Url(), 0, "troupe.tracing { enabled = on,"
        + " otlp-endpoint = \"http://127.0.0.1:" + collector.getAddress().getPort()
        + "/v1/traces\" }");
    client = TroupeClient.builder().baseUrls(node.url()).build();
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
    if (collector != null) {
      collector.stop(0);
    }
  }

  @Test
  void aCallsAnswerCarriesTheTraceIdOfItsRun() {
    // given
    CallOptions keyed = CallOptions.NONE.withIdempotencyKey("traced-" + System.nanoTime());
    // when
    RunRef ref = client.call("echo", Map.of("traced", true), keyed);
    RunRef again = client.call("echo", Map.of("traced", true), keyed);
    Run run = client.awaitResult(ref.runId(), WAIT);
    Rerun rerun = client.rerun(ref.runId());
    // then
    assertThat(ref.traceId()).matches("[0-9a-f]{32}");
    assertThat(run.traceId()).isEqualTo(ref.traceId());
    assertThat(again.existing()).isTrue();
    assertThat(again.traceId()).isEqualTo(ref.traceId());
    assertThat(rerun.traceId()).matches("[0-9a-f]{32}").isNotEqualTo(ref.traceId())
        .isEqualTo(client.get(rerun.runId()).traceId());
    assertThat(client.callAndWait("echo", Map.of(), WAIT).traceId()).matches("[0-9a-f]{32}");
  }

  @Test
  void aTriggersAnswerCarriesTheTraceIdOfItsRun() {
    // given
    client.schedules().put("traced-schedule", ScheduleSpec.of("echo", "0 0 0 1 1 *"));
    // when
    RunRef ref = client.schedules().trigger("traced-schedule");
    // then
    assertThat(ref.traceId()).matches("[0-9a-f]{32}")
        .isEqualTo(client.awaitResult(ref.runId(), WAIT).traceId());
  }
}
