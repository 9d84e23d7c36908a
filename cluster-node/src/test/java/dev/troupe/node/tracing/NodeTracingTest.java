package dev.troupe.node.tracing;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.sun.net.httpserver.HttpServer;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.Await;
import dev.troupe.node.TestNodes;
import dev.troupe.node.TroupeNode;
import java.net.InetSocketAddress;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;

/**
 * A node's own tracing, as {@code troupe.tracing} configures it, against a stand-in OTLP
 * collector: off, no run has a trace id and nothing is sent; on, spans are sent over OTLP
 * (HTTP/protobuf), at the latest when the node stops.
 */
class NodeTracingTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  /** The content types of the requests the collector received on /v1/traces. */
  private final List<String> received = new CopyOnWriteArrayList<>();
  private HttpServer collector;

  @BeforeEach
  void startCollector() throws Exception {
    collector = HttpServer.create(new InetSocketAddress("127.0.0.1", 0), 0);
    collector.createContext("/v1/traces", exchange -> {
      exchange.getRequestBody().readAllBytes();
      received.add(exchange.getRequestHeaders().getFirst("Content-Type"));
      exchange.sendResponseHeaders(200, -1);
      exchange.close();
    });
    collector.start();
  }

  @AfterEach
  void stopCollector() {
    collector.stop(0);
  }

  private RunResult runOnNode(String tracing) {
    TroupeNode troupe = TroupeNode.start(TestNodes.system(TestNodes.config(TestNodes.newH2Url(),
        tracing + "\ntroupe.tracing.otlp-endpoint = \"http://127.0.0.1:"
            + collector.getAddress().getPort() + "/v1/traces\"")));
    troupe.registerBlocking("echo", WorkerConfig.DEFAULT, ctx -> ctx.payload());
    try {
      return Await.result(troupe.run("echo", JSON.objectNode().put("n", 1)));
    } finally {
      Await.result(troupe.shutdown());
    }
  }

  @Test
  void offByDefaultARunHasNoTraceIdAndNothingIsExported() {
    // given a node with the default troupe.tracing, but for the endpoint
    // when a run is made and the node stops
    RunResult run = runOnNode("");

    // then
    assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.traceId()).isNull();
    assertThat(received).isEmpty();
  }

  @Test
  void onARunHasATraceIdAndItsSpansAreSentOverOtlpByTheTimeTheNodeStops() {
    // given a node with tracing on
    // when a run is made and the node stops
    RunResult run = runOnNode("troupe.tracing.enabled = on");

    // then
    assertThat(run.traceId()).matches("[0-9a-f]{32}");
    assertThat(received).isNotEmpty().allSatisfy(type ->
        assertThat(type).isEqualTo("application/x-protobuf"));
  }
}
