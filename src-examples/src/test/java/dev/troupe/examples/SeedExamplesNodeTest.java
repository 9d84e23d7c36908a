package dev.troupe.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigValueFactory;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerDefinition;
import dev.troupe.examples.operations.CancelAfter;
import dev.troupe.examples.operations.WorkerDashboard;
import dev.troupe.examples.testing.FakeHttp;
import dev.troupe.examples.testing.FakeHttp.Reply;
import dev.troupe.node.TroupeNode;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The end-to-end path of every seed example: {@link SeedExamples} installed on one real node
 * (beside the discovered demo workers), each called as a client would call it. Their logic is
 * unit-tested on the test kit, next to each example.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SeedExamplesNodeTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private final FakeHttp http = FakeHttp.start();
  private Path dir;
  private Path uploads;
  private ActorSystem<Void> system;
  private TroupeNode troupe;

  @BeforeAll
  void startNode() throws IOException {
    dir = Files.createTempDirectory("troupe-seed-examples");
    uploads = Files.createDirectory(dir.resolve("uploads"));
    // a stand-in for ffmpeg that talks as ffmpeg does and writes its output file
    Path ffmpeg = Files.writeString(dir.resolve("ffmpeg.sh"), "printf '  Duration: 00:00:10.00\\n"
        + "time=00:00:05.00 bitrate=1\\rtime=00:00:10.00 bitrate=1\\n' >&2\ntouch \"${@: -1}\"\n");
    system = ActorSystem.create(Behaviors.empty(), "troupe",
        DemoWorkersTest.nodeConfig(DemoWorkersTest.newH2Url())
            .withValue("troupe.workers.payment-processor.gateway-url",
                ConfigValueFactory.fromAnyRef(http.url()))
            .withValue("troupe.workers.payment-processor.api-key",
                ConfigValueFactory.fromAnyRef("k-1"))
            .withValue("troupe.workers.transcode-4k.command",
                ConfigValueFactory.fromIterable(List.of("bash", ffmpeg.toString())))
            .withValue("troupe.workers.cleanup-temp-files.directory",
                ConfigValueFactory.fromAnyRef(uploads.toString())));
    troupe = TroupeNode.start(system);
    new SeedExamples().install(troupe);
  }

  @AfterAll
  void stopNode() {
    http.close();
    if (system != null) {
      system.terminate();
      Await.result(system.getWhenTerminated(), 60);
    }
  }

  // helpers

  private static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (JsonProcessingException e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  /** The result read back from its text, as a client reads it (numbers by their value). */
  private static JsonNode resultOf(RunResult r) {
    return json(r.result().toString());
  }

  private RunHandle call(String worker, String payload) {
    return Await.result(troupe.call(worker, json(payload)));
  }

  private RunResult run(String worker, String payload) {
    return Await.result(troupe.run(worker, json(payload)));
  }

  private List<RunEvent> events(RunHandle h) {
    return Await.result(h.messages().runWith(Sink.seq(), system));
  }

  private List<JsonNode> messages(RunHandle h) {
    return events(h).stream().filter(e -> e.type().equals(RunEvent.MESSAGE))
        .map(RunEvent::data).toList();
  }

  // the examples

  @Test
  void everyExampleIsRegisteredBesideTheDemoWorkers() {
    // when
    List<String> names = troupe.workers().stream().map(WorkerDefinition::name).toList();
    // then
    assertThat(names).contains("welcome-email", "emit-progress", "process-upload", "cleanup-temp-files",
        "generate-report", "validate-order", "payment-processor", "parallel-data-processor",
        "order-routing", "sync-calculator", "complex-task", "risky-task", "sentiment-analysis",
        "transcode-4k", "scrape-page", "process-ranges", "send-email", "batch-processor");
  }

  @Test
  void welcomeEmailLogsAndSucceedsWithoutAResult() {
    // when
    RunHandle h = call("welcome-email", "{\"delayMs\":10}");
    RunResult r = Await.result(h.result());
    // then
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.result()).isNull();
    assertThat(events(h)).filteredOn(e -> e.type().equals(RunEvent.LOG))
        .extracting(e -> e.data().path("message").asText())
        .containsExactly("Sending email...", "Email sent successfully!");
  }

  @Test
  void processUploadReportsItsStages() throws IOException {
    // given
    Path file = Files.writeString(dir.resolve("upload.txt"), "a b\nc\n");
    // when
    RunHandle h = call("process-upload", "{\"filePath\":\"" + file + "\"}");
    RunResult r = Await.result(h.result());
    // then
    assertThat(resultOf(r)).isEqualTo(json(
        "{\"filePath\":\"" + file + "\",\"lines\":2,\"words\":3}"));
    assertThat(messages(h)).extracting(m -> m.path("step").asText())
        .containsExactly("validate", "process", "thumbnail", "save");
  }

  @Test
  void cleanupRemovesOldFilesFromTheConfiguredDirectory() throws IOException {
    // given
    Files.setLastModifiedTime(Files.writeString(uploads.resolve("old"), "x"),
        FileTime.from(Instant.now().minus(Duration.ofDays(3))));
    // when
    RunResult r = run("cleanup-temp-files", "{}");
    // then
    assertThat(resultOf(r)).isEqualTo(
        json("{\"filesRemoved\":1,\"directory\":\"" + uploads + "\"}"));
    assertThat(uploads).isEmptyDirectory();
  }

  @Test
  void generateReportEndsWithTheUrl() {
    // when
    RunHandle h = call("generate-report", "{\"userId\":7,\"amounts\":[2,3]}");
    RunResult r = Await.result(h.result());
    // then
    assertThat(r.result().path("total").asDouble()).isEqualTo(5.0);
    List<JsonNode> stages = messages(h);
    assertThat(stages).extracting(m -> m.path("progress").asInt())
        .containsExactly(10, 40, 70, 90, 100);
    assertThat(stages.get(4).path("url")).isEqualTo(r.result().path("url"));
  }

  @Test
  void validateOrderNamesTheFieldThatDoesNotFit() {
    // when
    RunResult r = run("validate-order", "{\"orderId\":\"o\",\"customerId\":\"c\","
        + "\"items\":[{\"productId\":\"p\",\"quantity\":\"two\",\"price\":1}]}");
    // then
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(r.error().message()).startsWith("payload.items[0].quantity: expected");
  }

  @Test
  void validateOrderNamesTheBrokenConstraint() {
    // when
    RunResult r = run("validate-order", "{\"orderId\":\"o\",\"customerId\":\"c\","
        + "\"items\":[{\"productId\":\"p\",\"quantity\":0,\"price\":1}]}");
    // then
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.error().message()).isEqualTo("payload.items[0].quantity: must be greater than 0");
  }

  @Test
  void paymentProcessorRetriesABusyGateway() {
    // given
    http.on("/v1/charges", Reply.json(503, "{\"error_code\":\"busy\",\"message\":\"later\"}"),
        Reply.json(200, "{\"id\":\"pay_9\",\"fee\":0.5}"));
    // when
    RunResult r = run("payment-processor", "{\"orderId\":\"o\",\"customerId\":\"c\","
        + "\"amount\":10,\"paymentInfo\":{\"method\":\"card\",\"cardToken\":\"t\"}}");
    // then
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.attempts()).isEqualTo(2);
    assertThat(resultOf(r)).isEqualTo(json(
        "{\"paymentId\":\"pay_9\",\"paymentStatus\":\"charged\",\"transactionFee\":0.5}"));
  }

  @Test
  void parallelDataProcessorReportsEachItem() {
    // when
    RunResult r = run("parallel-data-processor", "{\"items\":[1,2,null,4],\"maxConcurrency\":4}");
    // then
    assertThat(r.result().path("successfulCount").asInt()).isEqualTo(3);
    assertThat(r.result().path("errors").get(0).path("itemIndex").asInt()).isEqualTo(2);
    assertThat(r.result().path("errors").get(0).path("error").asText()).isEqualTo("null item");
    // each item was a child run of enrich-item, linked to its parent
    await().atMost(Duration.ofSeconds(20)).untilAsserted(() ->
        assertThat(Await.result(troupe.lookup(r.runId())).orElseThrow().children()).hasSize(4));
    List<RunResult> children = Await.result(troupe.lookup(r.runId())).orElseThrow().children()
        .stream().map(id -> Await.result(troupe.lookup(id)).orElseThrow()).toList();
    assertThat(children).allSatisfy(child -> {
      assertThat(child.worker()).isEqualTo("enrich-item");
      assertThat(child.parentRunId()).isEqualTo(r.runId());
    });
    assertThat(children).extracting(RunResult::status).containsExactlyInAnyOrder(
        RunStatus.SUCCEEDED, RunStatus.SUCCEEDED, RunStatus.FAILED, RunStatus.SUCCEEDED);
  }

  @Test
  void orderRoutingAndSyncCalculatorReturnTheirDecisions() {
    // when
    RunResult route = run("order-routing",
        "{\"orderId\":\"o\",\"items\":[1],\"calculatedTotal\":10,\"customerTier\":\"vip\"}");
    RunResult totals = run("sync-calculator", "{\"items\":[{\"price\":25,\"quantity\":2}]}");
    // then
    assertThat(route.result().path("route").asText()).isEqualTo("premium_customer");
    assertThat(resultOf(totals))
        .isEqualTo(json("{\"subtotal\":50.0,\"tax\":4.0,\"total\":54.0}"));
  }

  @Test
  void emitProgressStreamsTenStepsThenComplete() {
    // when
    RunHandle h = call("emit-progress", "{}");
    RunResult r = Await.result(h.result());
    // then
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.result()).isNull();
    List<JsonNode> messages = messages(h);
    assertThat(messages).hasSize(11);
    assertThat(messages.get(0)).isEqualTo(json("{\"progress\":10,\"message\":\"Processing item 1/10\"}"));
    assertThat(messages.get(9)).isEqualTo(json("{\"progress\":100,\"message\":\"Processing item 10/10\"}"));
    assertThat(messages.get(10)).isEqualTo(json("{\"status\":\"complete\"}"));
  }

  @Test
  void complexTaskStreamsItsProgress() {
    // when
    RunHandle h = call("complex-task", "{\"steps\":4,\"stepMs\":5}");
    RunResult r = Await.result(h.result());
    // then
    assertThat(resultOf(r)).isEqualTo(json("{\"stepsCompleted\":4}"));
    assertThat(messages(h)).containsExactly(
        json("{\"progress\":25,\"message\":\"Step 1/4\"}"),
        json("{\"progress\":50,\"message\":\"Step 2/4\"}"),
        json("{\"progress\":75,\"message\":\"Step 3/4\"}"),
        json("{\"progress\":100,\"message\":\"Step 4/4\"}"));
  }

  @Test
  void riskyTaskLabelsInvalidInput() {
    // when
    RunResult r = run("risky-task", "{\"url\":\"" + http.url() + "/nowhere\"}");
    // then
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.error().label()).isEqualTo("invalid-input");
  }

  @Test
  void sentimentAnalysisPredictsWithTheNodesModel() {
    // when
    RunResult r = run("sentiment-analysis", "{\"text\":\"a terrible, awful day\"}");
    // then
    assertThat(r.result().path("label").asText()).isEqualTo("NEGATIVE");
  }

  @Test
  void transcodeReportsFfmpegsProgress() {
    // given
    String out = dir.resolve("out.mp4").toString();
    // when
    RunHandle h = call("transcode-4k", "{\"inputPath\":\"in.mov\",\"outputPath\":\"" + out + "\"}");
    RunResult r = Await.result(h.result());
    // then
    assertThat(resultOf(r)).isEqualTo(json("{\"outputPath\":\"" + out + "\"}"));
    assertThat(messages(h)).extracting(m -> m.path("progress").asInt()).containsExactly(50, 100);
  }

  @Test
  void scrapePageReadsTheSelectors() {
    // given
    http.on("/item", Reply.html("<h1>Lamp</h1><p class='price'>12 EUR</p>"));
    // when
    RunResult r = run("scrape-page", "{\"url\":\"" + http.url() + "/item\","
        + "\"selectors\":{\"name\":\"h1\",\"price\":\".price\"}}");
    // then
    assertThat(resultOf(r)).isEqualTo(json("{\"name\":\"Lamp\",\"price\":\"12 EUR\"}"));
  }

  @Test
  void processRangesResumesFromItsCheckpointOnTheRetry() {
    // when
    RunHandle h = call("process-ranges", "{\"total\":25,\"batchSize\":10,\"failOn\":15}");
    RunResult r = Await.result(h.result());
    // then batch_0 was done once, by the first attempt; the retry did the rest
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.attempts()).isEqualTo(2);
    assertThat(resultOf(r)).isEqualTo(json("{\"totalItems\":25,\"sum\":4900}"));
    assertThat(messages(h)).extracting(m -> m.path("batch").asText())
        .containsExactly("batch_0", "batch_10", "batch_20");
  }

  // operations: listing, statistics, cancelling

  @Test
  void theDashboardListsDefinitionsAndCountsRunningRuns() {
    // given a send-email run that waits a minute
    RunHandle email = call("send-email", "{\"to\":\"ada@example.com\",\"delayMs\":60000}");
    try {
      // when
      WorkerDashboard.Dashboard dashboard = await().atMost(Duration.ofSeconds(10))
          .until(() -> Await.result(WorkerDashboard.dashboard(troupe)),
              d -> d.emailWorkerRuns() == 1);
      // then
      assertThat(dashboard.definitions()).contains("send-email", "welcome-email");
      assertThat(dashboard.runningCount()).isGreaterThanOrEqualTo(1);
    } finally {
      Await.result(email.cancel());
    }
  }

  @Test
  void statsShowRunsErrorsAndTheSuccessRate() {
    // given one success and one permanent failure
    run("sentiment-analysis", "{\"text\":\"good\"}");
    run("sentiment-analysis", "{}");
    // when
    WorkerDashboard.Stats stats = await().atMost(Duration.ofSeconds(10))
        .until(() -> Await.result(WorkerDashboard.stats(troupe)).get("sentiment-analysis"),
            s -> s != null && s.totalRuns() >= 2);
    // then
    assertThat(stats.errors()).isGreaterThanOrEqualTo(1);
    assertThat(stats.successRate()).isLessThan(100.0);
  }

  @Test
  void cancelAfterCancelsARunStillGoingAndLeavesAFinishedOne() {
    // when
    String cancelled = Await.result(CancelAfter.slowWorker(troupe, json("{\"ms\":60000}"),
        Duration.ofMillis(300)));
    String completed = Await.result(CancelAfter.slowWorker(troupe, json("{\"ms\":10}"),
        Duration.ofSeconds(5)));
    // then
    assertThat(cancelled).isEqualTo("cancelled");
    assertThat(completed).isEqualTo("completed");
  }
}
