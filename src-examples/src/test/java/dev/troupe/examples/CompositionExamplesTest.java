package dev.troupe.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigFactory;
import dev.troupe.node.TroupeNode;
import dev.troupe.node.http.HttpServer;
import dev.troupe.node.http.HttpSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The composition examples' contracts ({@code fan-out}, {@code image-pipeline}), over HTTP
 * against one real node that discovers them as the demo node does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class CompositionExamplesTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private ActorSystem<Void> system;
  private String base;

  @BeforeAll
  void startNode() throws Exception {
    system = ActorSystem.create(Behaviors.empty(), "troupe", ConfigFactory.parseString(
            "troupe.http { enabled = on, host = 127.0.0.1, port = 0 }\n"
                + "troupe.history.batch-window = 20ms")
        .withFallback(DemoWorkersTest.nodeConfig(DemoWorkersTest.newH2Url())).resolve());
    TroupeNode troupe = TroupeNode.start(system);
    var binding = Await.result(HttpServer.start(troupe,
        HttpSettings.fromConfig(system.settings().config())), 30);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterAll
  void stopNode() {
    if (system != null) {
      system.terminate();
      Await.result(system.getWhenTerminated(), 60);
    }
  }

  // helpers

  private JsonNode get(String path) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30)).GET().build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
    return JSON.readTree(r.body());
  }

  /** Starts a run over HTTP and returns its id. */
  private String start(String worker, String payload) throws IOException, InterruptedException {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(
            URI.create(base + "/api/v1/workers/" + worker + "/runs"))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"payload\":" + payload + "}")).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return JSON.readTree(r.body()).get("runId").asText();
  }

  /** The run's JSON once {@code done} holds of it. */
  private JsonNode runUntil(String runId, java.util.function.Predicate<JsonNode> done) {
    AtomicReference<JsonNode> run = new AtomicReference<>();
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(50)).until(() -> {
      run.set(get("/api/v1/runs/" + runId));
      return done.test(run.get());
    });
    return run.get();
  }

  private JsonNode finished(String runId) {
    return runUntil(runId, r -> r.get("finishedAt") != null && !r.get("finishedAt").isNull());
  }

  private static List<String> texts(JsonNode array) {
    List<String> out = new ArrayList<>();
    array.forEach(n -> out.add(n.asText()));
    return out;
  }

  // fan-out

  @Test
  void fanOutStartsEchoChildrenAndCountsTheirOutcomesEveryKthFailing() throws Exception {
    // when
    String id = start("fan-out", "{\"children\": 7, \"failEvery\": 3}");
    // then
    JsonNode run = finished(id);
    assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(run.get("result")).isEqualTo(
        JSON.readTree("{\"children\": 7, \"succeeded\": 5, \"failed\": 2}"));
    List<String> children = texts(runUntil(id, r -> r.get("children").size() == 7)
        .get("children"));
    List<String> failedWorkers = new ArrayList<>();
    for (String child : children) {
      JsonNode c = finished(child);
      assertThat(c.get("parentRunId").asText()).isEqualTo(id);
      assertThat(c.get("children")).isEmpty();
      if (c.get("status").asText().equals("FAILED")) {
        failedWorkers.add(c.get("worker").asText() + c.get("payload"));
      } else {
        assertThat(c.get("worker").asText()).isEqualTo("echo");
        assertThat(c.get("result")).isEqualTo(c.get("payload"));
      }
    }
    assertThat(failedWorkers).containsExactlyInAnyOrder(
        "always-fails{\"i\":2}", "always-fails{\"i\":5}");
    assertThat(get("/api/v1/runs?parent=" + id).get("runs")).hasSize(7);
  }

  @Test
  void fanOutWithTheDefaultsStartsTenChildrenThatAllSucceed() throws Exception {
    // when
    String id = start("fan-out", "{}");
    // then
    JsonNode run = finished(id);
    assertThat(run.get("result")).isEqualTo(
        JSON.readTree("{\"children\": 10, \"succeeded\": 10, \"failed\": 0}"));
    JsonNode listed = runUntil(id, r -> r.get("children").size() == 10);
    List<String> byParent = new ArrayList<>();
    get("/api/v1/runs?parent=" + id + "&limit=50").get("runs")
        .forEach(r -> byParent.add(r.get("runId").asText()));
    assertThat(byParent).containsExactlyInAnyOrderElementsOf(texts(listed.get("children")));
  }

  @Test
  void fanOutRefusesABadCountNamingTheField() throws Exception {
    // when
    String id = start("fan-out", "{\"children\": \"many\"}");
    // then
    JsonNode run = finished(id);
    assertThat(run.get("status").asText()).isEqualTo("FAILED");
    assertThat(run.at("/error/message").asText()).contains("'children'");
  }

  // image-pipeline

  @Test
  void imagePipelineResizesThenFiltersThroughTwoChildRuns() throws Exception {
    // when
    String id = start("image-pipeline", "{\"url\": \"https://img.example/cat.png\","
        + " \"width\": 320}");
    // then
    JsonNode run = finished(id);
    assertThat(run.get("status").asText()).as(run.toString()).isEqualTo("SUCCEEDED");
    assertThat(run.get("result")).isEqualTo(JSON.readTree("{\"finalUrl\":"
        + " \"https://img.example/cat.png?w=320&h=600&filters=sharpen,contrast\"}"));
    List<String> children = texts(runUntil(id, r -> r.get("children").size() == 2)
        .get("children"));
    assertThat(children).extracting(c -> finished(c).get("worker").asText())
        .containsExactly("resize-image", "apply-filters");
  }

  @Test
  void imagePipelineEndsInItsFailedStateWhenAStateFails() throws Exception {
    // when the resize state's child fails: a width of 0
    String id = start("image-pipeline", "{\"url\": \"https://img.example/cat.png\","
        + " \"width\": 0}");
    // then
    JsonNode run = finished(id);
    assertThat(run.get("status").asText()).isEqualTo("FAILED");
    assertThat(run.at("/error/code").asText()).isEqualTo("PERMANENT_ERROR");
    assertThat(run.at("/error/message").asText()).contains("ended in state 'failed'")
        .contains("state 'resize'").contains("'width'");
    assertThat(runUntil(id, r -> r.get("children").size() == 1).get("children")).hasSize(1);
  }

  @Test
  void imagePipelineRefusesAUrlThatIsNotAStringNamingTheField() throws Exception {
    // when
    String id = start("image-pipeline", "{\"url\": 42}");
    // then
    JsonNode run = finished(id);
    assertThat(run.get("status").asText()).isEqualTo("FAILED");
    assertThat(run.get("attempts").asInt()).isEqualTo(1);
    assertThat(run.at("/error/code").asText()).isEqualTo("PERMANENT_ERROR");
    assertThat(run.at("/error/message").asText()).contains("'url'").contains("string");
    assertThat(run.get("children")).isEmpty();
  }
}
