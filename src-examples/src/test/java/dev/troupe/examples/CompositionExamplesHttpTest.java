package dev.troupe.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.troupe.node.TroupeConfig;
import dev.troupe.node.TroupeNode;
import dev.troupe.node.http.HttpServer;
import dev.troupe.node.http.HttpSettings;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The composition examples' contracts, checked from outside as a client sees them: a real node
 * that discovers the example modules, its HTTP API on a free port, runs started with {@code
 * POST /api/v1/workers/{name}/runs?wait=true}, their JSON and their SSE streams.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompositionExamplesHttpTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();
  private ActorSystem<Void> system;
  private String baseUrl;

  @BeforeAll
  void startNode() {
    Config config = TroupeConfig.withDefaults(ConfigFactory.parseString(String.join("\n",
            "troupe.discover-modules = on",
            "troupe.http { enabled = on, host = 127.0.0.1, port = 0 }",
            "pekko.remote.artery.canonical.port = 0",
            "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on",
            "pekko.coordinated-shutdown.exit-jvm = off",
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off"))
        .withValue("troupe.db.url", ConfigValueFactory.fromAnyRef(DemoWorkersTest.newH2Url())));
    system = ActorSystem.create(Behaviors.empty(), "troupe", config);
    TroupeNode troupe = TroupeNode.start(system);
    int port = Await.result(HttpServer.start(troupe, HttpSettings.fromConfig(config)))
        .localAddress().getPort();
    baseUrl = "http://127.0.0.1:" + port;
  }

  @AfterAll
  void stopNode() {
    if (system != null) {
      system.terminate();
      Await.result(system.getWhenTerminated(), 60);
    }
  }

  // helpers

  /** Starts a run and waits for it: the finished run's JSON. */
  JsonNode run(String worker, String payload) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create(baseUrl + "/api/v1/workers/" + worker + "/runs?wait=true"))
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"payload\":" + payload + "}"))
        .timeout(Duration.ofSeconds(60)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  JsonNode get(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(baseUrl + path))
        .timeout(Duration.ofSeconds(10)).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** A server-sent event: its type and data. */
  record Frame(String event, JsonNode data) {}

  /** The whole SSE stream of a finished run, from its first event to its terminal one. */
  List<Frame> events(String runId) throws Exception {
    HttpResponse<InputStream> r = http.send(HttpRequest.newBuilder(
            URI.create(baseUrl + "/api/v1/runs/" + runId + "/events"))
        .header("Accept", "text/event-stream").timeout(Duration.ofSeconds(30)).build(),
        HttpResponse.BodyHandlers.ofInputStream());
    assertThat(r.statusCode()).isEqualTo(200);
    List<Frame> frames = new ArrayList<>();
    try (BufferedReader in = new BufferedReader(
        new InputStreamReader(r.body(), StandardCharsets.UTF_8))) {
      String event = null;
      StringBuilder data = new StringBuilder();
      for (String line = in.readLine(); line != null; line = in.readLine()) {
        if (line.startsWith("event:")) {
          event = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          data.append(line.substring(5));
        } else if (line.isEmpty() && event != null) {
          frames.add(new Frame(event, JSON.readTree(data.toString())));
          if (event.equals("result") || event.equals("error")) {
            break;
          }
          event = null;
          data.setLength(0);
        }
      }
    } catch (IOException e) {
      throw new IllegalStateException("the stream of " + runId + " broke", e);
    }
    return frames;
  }

  /** The run's step events as "name:status" (and ":compensation-status" once it ran). */
  static List<String> stepEvents(List<Frame> frames) {
    return frames.stream().filter(f -> f.event().equals("step")).map(f -> {
      JsonNode c = f.data().get("compensation");
      String cs = c.isNull() || c.get("status").isNull() ? "" : ":" + c.get("status").asText();
      return f.data().get("name").asText() + ":" + f.data().get("status").asText() + cs;
    }).toList();
  }

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (IOException e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  // order-saga

  @Test
  void orderSagaShipsAnOrderThroughItsFourSteps() throws Exception {
    // when
    JsonNode run = run("order-saga", "{\"orderId\":\"o-1\",\"failAt\":null}");

    // then
    assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(run.get("result")).isEqualTo(json("{\"orderId\":\"o-1\",\"status\":\"shipped\"}"));
    assertThat(run.get("steps")).isEqualTo(json("["
        + "{\"name\":\"validate\",\"status\":\"SUCCEEDED\",\"compensation\":null},"
        + "{\"name\":\"reserve-inventory\",\"status\":\"SUCCEEDED\","
        + "\"compensation\":{\"name\":\"release-inventory\",\"status\":null}},"
        + "{\"name\":\"charge-payment\",\"status\":\"SUCCEEDED\","
        + "\"compensation\":{\"name\":\"refund-payment\",\"status\":null}},"
        + "{\"name\":\"ship\",\"status\":\"SUCCEEDED\",\"compensation\":null}]"));
    assertThat(stepEvents(events(run.get("runId").asText()))).containsExactly(
        "validate:STARTED", "validate:SUCCEEDED", "reserve-inventory:STARTED",
        "reserve-inventory:SUCCEEDED", "charge-payment:STARTED", "charge-payment:SUCCEEDED",
        "ship:STARTED", "ship:SUCCEEDED");
  }

  @Test
  void orderSagaFailingAtShipRefundsThenReleasesAndEndsFailed() throws Exception {
    // when
    JsonNode run = run("order-saga", "{\"orderId\":\"o-2\",\"failAt\":\"ship\"}");
    String runId = run.get("runId").asText();

    // then the run failed for good at ship, after both compensations, last step first
    assertThat(run.get("status").asText()).isEqualTo("FAILED");
    assertThat(run.get("attempts").asInt()).isEqualTo(1);
    assertThat(run.get("error").get("code").asText()).isEqualTo("PERMANENT_ERROR");
    assertThat(run.get("error").get("message").asText()).contains("ship");
    assertThat(run.get("steps")).isEqualTo(json("["
        + "{\"name\":\"validate\",\"status\":\"SUCCEEDED\",\"compensation\":null},"
        + "{\"name\":\"reserve-inventory\",\"status\":\"COMPENSATED\","
        + "\"compensation\":{\"name\":\"release-inventory\",\"status\":\"SUCCEEDED\"}},"
        + "{\"name\":\"charge-payment\",\"status\":\"COMPENSATED\","
        + "\"compensation\":{\"name\":\"refund-payment\",\"status\":\"SUCCEEDED\"}},"
        + "{\"name\":\"ship\",\"status\":\"FAILED\",\"compensation\":null}]"));
    assertThat(stepEvents(events(runId))).containsExactly(
        "validate:STARTED", "validate:SUCCEEDED", "reserve-inventory:STARTED",
        "reserve-inventory:SUCCEEDED", "charge-payment:STARTED", "charge-payment:SUCCEEDED",
        "ship:STARTED", "ship:FAILED", "charge-payment:COMPENSATED:SUCCEEDED",
        "reserve-inventory:COMPENSATED:SUCCEEDED");
    // and GET /runs/{id} shows the same steps
    assertThat(get("/api/v1/runs/" + runId).get("steps")).isEqualTo(run.get("steps"));
  }

  @Test
  void orderSagaFailingAtChargeReleasesTheInventoryOnly() throws Exception {
    // when
    JsonNode run = run("order-saga", "{\"orderId\":\"o-3\",\"failAt\":\"charge-payment\"}");

    // then
    assertThat(run.get("status").asText()).isEqualTo("FAILED");
    assertThat(run.get("steps")).isEqualTo(json("["
        + "{\"name\":\"validate\",\"status\":\"SUCCEEDED\",\"compensation\":null},"
        + "{\"name\":\"reserve-inventory\",\"status\":\"COMPENSATED\","
        + "\"compensation\":{\"name\":\"release-inventory\",\"status\":\"SUCCEEDED\"}},"
        + "{\"name\":\"charge-payment\",\"status\":\"FAILED\","
        + "\"compensation\":{\"name\":\"refund-payment\",\"status\":null}}]"));
  }

  @Test
  void orderSagaFailingAtReserveHasNothingToCompensate() throws Exception {
    // when
    JsonNode run = run("order-saga", "{\"orderId\":\"o-4\",\"failAt\":\"reserve-inventory\"}");

    // then
    assertThat(run.get("status").asText()).isEqualTo("FAILED");
    assertThat(run.get("steps")).isEqualTo(json("["
        + "{\"name\":\"validate\",\"status\":\"SUCCEEDED\",\"compensation\":null},"
        + "{\"name\":\"reserve-inventory\",\"status\":\"FAILED\","
        + "\"compensation\":{\"name\":\"release-inventory\",\"status\":null}}]"));
  }

  @Test
  void orderSagaWithoutAnOrderIdFailsAtValidateNamingTheField() throws Exception {
    // when
    JsonNode run = run("order-saga", "{\"failAt\":null}");

    // then
    assertThat(run.get("status").asText()).isEqualTo("FAILED");
    assertThat(run.get("attempts").asInt()).isEqualTo(1);
    assertThat(run.get("error").get("message").asText()).contains("payload.orderId");
    assertThat(run.get("steps").get(0).get("status").asText()).isEqualTo("FAILED");
  }

  // range-batch

  @Test
  void rangeBatchWorksThroughItsBatchesReportingProgress() throws Exception {
    // when
    JsonNode run = run("range-batch", "{\"total\":25,\"batchSize\":10,\"batchMs\":5}");
    List<Frame> frames = events(run.get("runId").asText());

    // then
    assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(run.get("result"))
        .isEqualTo(json("{\"totalItems\":25,\"batches\":3,\"resumedFrom\":0}"));
    assertThat(frames.stream().filter(f -> f.event().equals("message")).map(Frame::data))
        .containsExactly(json("{\"progress\":33,\"batch\":1,\"of\":3}"),
            json("{\"progress\":66,\"batch\":2,\"of\":3}"),
            json("{\"progress\":100,\"batch\":3,\"of\":3}"));
  }

  @Test
  void rangeBatchWithItsDefaultsDoesTenBatchesOfTen() throws Exception {
    // when
    JsonNode run = run("range-batch", "{}");

    // then
    assertThat(run.get("result"))
        .isEqualTo(json("{\"totalItems\":100,\"batches\":10,\"resumedFrom\":0}"));
  }

  @Test
  void rangeBatchInParallelRunsEachBatchAsAChildRun() throws Exception {
    // when
    JsonNode run = run("range-batch",
        "{\"total\":25,\"batchSize\":10,\"batchMs\":5,\"parallel\":2}");
    String runId = run.get("runId").asText();
    List<Frame> frames = events(runId);

    // then
    assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(run.get("result"))
        .isEqualTo(json("{\"totalItems\":25,\"batches\":3,\"resumedFrom\":0}"));
    assertThat(frames.stream().filter(f -> f.event().equals("message")).map(Frame::data))
        .containsExactly(json("{\"progress\":33,\"batch\":1,\"of\":3}"),
            json("{\"progress\":66,\"batch\":2,\"of\":3}"),
            json("{\"progress\":100,\"batch\":3,\"of\":3}"));
    // the children, once the run history lists them
    await().atMost(Duration.ofSeconds(10)).until(() -> get("/api/v1/runs/" + runId)
        .get("children").size() == 3);
    for (JsonNode child : get("/api/v1/runs/" + runId).get("children")) {
      JsonNode c = get("/api/v1/runs/" + child.asText());
      assertThat(c.get("worker").asText()).isEqualTo("range-batch-part");
      assertThat(c.get("parentRunId").asText()).isEqualTo(runId);
      assertThat(c.get("status").asText()).isEqualTo("SUCCEEDED");
    }
  }

  @Test
  void rangeBatchWithMoreParallelismThanAllowedFailsNamingIt() throws Exception {
    // when
    JsonNode run = run("range-batch", "{\"total\":20,\"parallel\":17}");

    // then
    assertThat(run.get("status").asText()).isEqualTo("FAILED");
    assertThat(run.get("attempts").asInt()).isEqualTo(1);
    assertThat(run.get("error").get("code").asText()).isEqualTo("PERMANENT_ERROR");
    assertThat(run.get("error").get("message").asText()).contains("payload.parallel")
        .contains("got 17");
  }

  @Test
  void rangeBatchWithABadFieldFailsNamingIt() throws Exception {
    // when
    JsonNode run = run("range-batch", "{\"batchSize\":\"ten\"}");

    // then
    assertThat(run.get("status").asText()).isEqualTo("FAILED");
    assertThat(run.get("error").get("message").asText()).contains("batchSize");
  }
}
