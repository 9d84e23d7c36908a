package dev.troupe.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigValueFactory;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerDefinition;
import dev.troupe.node.TroupeConfig;
import dev.troupe.node.TroupeNode;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import ch.qos.logback.classic.Level;
import ch.qos.logback.classic.Logger;
import ch.qos.logback.classic.spi.ILoggingEvent;
import ch.qos.logback.core.filter.Filter;
import ch.qos.logback.core.read.ListAppender;
import ch.qos.logback.core.spi.FilterReply;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.slf4j.LoggerFactory;

/**
 * The demo workers' contracts (see each worker's javadoc), on one real node that discovers them
 * through ServiceLoader, as the demo node does.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DemoWorkersTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private ActorSystem<Void> system;
  private TroupeNode troupe;

  @BeforeAll
  void startNode() throws IOException {
    system = ActorSystem.create(Behaviors.empty(), "troupe", nodeConfig(newH2Url()));
    troupe = TroupeNode.start(system);
  }

  @AfterAll
  void stopNode() {
    if (system != null) {
      system.terminate();
      Await.result(system.getWhenTerminated(), 60);
    }
  }

  /** A test node: its own H2 file, a free port, and WorkerModules discovered from the classpath. */
  static Config nodeConfig(String dbUrl) {
    return TroupeConfig.withDefaults(ConfigFactory.parseString(String.join("\n",
            "troupe.discover-modules = on",
            "pekko.remote.artery.canonical.port = 0",
            "pekko.cluster.jmx.multi-mbeans-in-same-jvm = on",
            "pekko.coordinated-shutdown.exit-jvm = off",
            "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off"))
        .withValue("troupe.db.url", ConfigValueFactory.fromAnyRef(dbUrl)));
  }

  static String newH2Url() {
    try {
      Path dir = Files.createTempDirectory("troupe-examples-test");
      return "jdbc:h2:file:" + dir.resolve("troupe").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE";
    } catch (IOException e) {
      throw new UncheckedIOException(e);
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

  private RunHandle call(String worker, String payload) {
    return Await.result(troupe.call(worker, json(payload)));
  }

  private RunResult run(String worker, String payload) {
    return Await.result(troupe.run(worker, json(payload)));
  }

  /** Every event of the run's stream, from the first to the terminal one. */
  private List<RunEvent> events(RunHandle h) {
    return Await.result(h.messages().runWith(Sink.seq(), system));
  }

  /** The data of the run's {@code message} events, in order. */
  private static List<JsonNode> messages(List<RunEvent> events) {
    return events.stream().filter(e -> e.type().equals(RunEvent.MESSAGE)).map(RunEvent::data)
        .toList();
  }

  private static List<String> logLines(List<RunEvent> events) {
    return events.stream().filter(e -> e.type().equals(RunEvent.LOG))
        .map(e -> e.data().path("message").asText()).toList();
  }

  private Optional<RunStatus> statusOf(String runId) {
    return Await.result(troupe.lookup(runId)).map(RunResult::status);
  }

  // discovery

  @Test
  void theDemoAndCompositionModulesAreDiscoveredWithAllTheirWorkers() {
    // when
    List<WorkerDefinition> workers = troupe.workers();
    // then
    assertThat(workers).extracting(WorkerDefinition::name).containsExactlyInAnyOrder(
        "echo", "send-email", "progress-reporter", "slow-worker", "flaky", "batch-processor",
        "stateful", "checkpointed-batch", "fan-out", "always-fails",
        "image-pipeline", "resize-image", "apply-filters", "order-saga", "range-batch",
        "range-batch-part");
    assertThat(workers).allSatisfy(d -> assertThat(d.config().description()).isNotBlank());
  }

  // echo

  @Test
  void echoReturnsThePayloadAndEmitsNothing() {
    // given
    String payload = "{\"a\":1,\"nested\":{\"list\":[1,\"two\",null],\"ok\":true}}";
    // when
    RunHandle h = call("echo", payload);
    RunResult r = Await.result(h.result());
    // then
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.result()).isEqualTo(json(payload));
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(messages(events(h))).isEmpty();
  }

  // send-email

  @Test
  void sendEmailWithoutRecipientFailsPermanentlyNamingTheField() {
    // when
    RunResult r = run("send-email", "{\"subject\":\"Hi\"}");
    // then
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(r.error().message()).contains("'to'").contains("required");
  }

  @Test
  void sendEmailToAnAddressWithoutAtSignFailsPermanentlyNamingTheField() {
    // when
    RunResult r = run("send-email", "{\"to\":\"bob.example.com\",\"delayMs\":10}");
    // then
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(r.error().message()).contains("'to'").contains("bob.example.com");
  }

  @Test
  void sendEmailEmitsSentWithATimestampAndReturnsTheRecipient() {
    // given
    Instant before = Instant.now();
    // when
    RunHandle h = call("send-email", "{\"to\":\"ada@example.com\",\"subject\":\"Hi\","
        + "\"body\":\"Hello\",\"delayMs\":10}");
    RunResult r = Await.result(h.result());
    Instant after = Instant.now();
    List<RunEvent> events = events(h);
    // then
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.result()).isEqualTo(json("{\"status\":\"sent\",\"to\":\"ada@example.com\"}"));
    List<JsonNode> sent = messages(events);
    assertThat(sent).hasSize(1);
    JsonNode message = sent.get(0);
    assertThat(message.fieldNames()).toIterable()
        .containsExactlyInAnyOrder("status", "to", "timestamp");
    assertThat(message.get("status").asText()).isEqualTo("sent");
    assertThat(message.get("to").asText()).isEqualTo("ada@example.com");
    assertThat(Instant.parse(message.get("timestamp").asText()))
        .isBetween(before, after);
    assertThat(logLines(events)).anySatisfy(line ->
        assertThat(line).startsWith("Sending email to ada@example.com"));
  }

  // progress-reporter

  @Test
  void progressReporterEmitsEachStepThenCompleteAndReturnsTheSteps() {
    // when
    RunHandle h = call("progress-reporter", "{\"steps\":3,\"intervalMs\":20}");
    RunResult r = Await.result(h.result());
    // then
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.result()).isEqualTo(json("{\"steps\":3}"));
    assertThat(messages(events(h))).containsExactly(
        json("{\"progress\":33,\"message\":\"Processing item 1/3\"}"),
        json("{\"progress\":66,\"message\":\"Processing item 2/3\"}"),
        json("{\"progress\":100,\"message\":\"Processing item 3/3\"}"),
        json("{\"status\":\"complete\"}"));
    assertThat(r.durationMs()).isGreaterThanOrEqualTo(3 * 20);
  }

  @Test
  void aNegativeOrUnreadableNumberFailsPermanentlyNamingTheField() {
    // when
    RunResult negative = run("progress-reporter", "{\"steps\":-1}");
    RunResult unreadable = run("progress-reporter", "{\"steps\":3,\"intervalMs\":\"soon\"}");
    // then
    assertThat(negative.status()).isEqualTo(RunStatus.FAILED);
    assertThat(negative.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(negative.error().message()).contains("'steps'").contains("-1");
    assertThat(unreadable.status()).isEqualTo(RunStatus.FAILED);
    assertThat(unreadable.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(unreadable.error().message()).contains("'intervalMs'").contains("soon");
  }

  // slow-worker

  @Test
  void slowWorkerCanBeCancelledQuickly() {
    // given a run that would sleep for a minute
    RunHandle h = call("slow-worker", "{\"ms\":60000}");
    await().atMost(Duration.ofSeconds(10))
        .until(() -> statusOf(h.runId()).orElse(null) == RunStatus.RUNNING);
    Instant cancelledAt = Instant.now();
    // when
    Await.result(h.cancel());
    RunResult r = Await.result(h.result(), 10);
    // then
    assertThat(Duration.between(cancelledAt, Instant.now())).isLessThan(Duration.ofSeconds(5));
    assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(r.error().code()).isEqualTo(ErrorCode.CANCELLED);
    assertThat(r.result()).isNull();
    assertThat(r.durationMs()).isLessThan(30_000L);
  }

  /**
   * Shows a bug in cluster-node: {@code RunActor.attempt} pipes the handler's stage to the actor
   * with {@code ctx.pipeToSelf}; when a cancelled handler then completes with a null result (as
   * slow-worker does, per its contract) after the entity has stopped the run actor, Pekko's
   * {@code DeadLetterListener} gets {@code AdaptMessage(null, …)} and fails with a
   * NullPointerException, logged at ERROR by OneForOneStrategy (about 3 in 5 cancels here). A
   * handler returning a non-null value after the cancel logs nothing. Enable once fixed.
   */
  @Test
  void cancellingSlowWorkerLogsNoError() {
    // given a capture of the node's error logs and a running slow-worker
    ListAppender<ILoggingEvent> errors = new ListAppender<>();
    errors.addFilter(new Filter<>() {
      @Override
      public FilterReply decide(ILoggingEvent e) {
        return e.getLevel().isGreaterOrEqual(Level.ERROR) ? FilterReply.ACCEPT : FilterReply.DENY;
      }
    });
    Logger root = (Logger) LoggerFactory.getLogger(org.slf4j.Logger.ROOT_LOGGER_NAME);
    errors.start();
    root.addAppender(errors);
    try {
      List<RunResult> results = new ArrayList<>();
      for (int i = 0; i < 5; i++) {
        RunHandle h = call("slow-worker", "{\"ms\":60000}");
        await().atMost(Duration.ofSeconds(10))
            .until(() -> statusOf(h.runId()).orElse(null) == RunStatus.RUNNING);
        // when
        Await.result(h.cancel());
        results.add(Await.result(h.result(), 10));
      }
      // then every run ended CANCELLED, and (once the handlers have returned) nothing was
      // logged at ERROR
      assertThat(results).extracting(RunResult::status).containsOnly(RunStatus.CANCELLED);
      await().during(Duration.ofSeconds(1)).atMost(Duration.ofSeconds(3))
          .untilAsserted(() -> assertThat(errors.list).extracting(ILoggingEvent::getFormattedMessage)
              .isEmpty());
    } finally {
      root.detachAppender(errors);
    }
  }

  // flaky

  @Test
  void flakySucceedsOnTheAttemptAfterItsFailures() {
    // when
    RunHandle h = call("flaky", "{\"failTimes\":2}");
    RunResult r = Await.result(h.result());
    // then
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.attempts()).isEqualTo(3);
    assertThat(r.result()).isEqualTo(json("{\"attempts\":3}"));
    assertThat(events(h)).filteredOn(e -> e.type().equals(RunEvent.STATUS))
        .filteredOn(e -> e.data().path("status").asText().equals("RETRYING"))
        .extracting(e -> e.data().path("error").path("message").asText())
        .containsExactly("flaky: failing attempt 1 of 2", "flaky: failing attempt 2 of 2");
  }

  // batch-processor

  @Test
  void batchProcessorReportsEachItemAndReturnsTheCount() {
    // when
    RunHandle h = call("batch-processor", "{\"items\":[\"a\",\"b\",\"c\"]}");
    RunResult r = Await.result(h.result());
    // then
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.result()).isEqualTo(json("{\"processed\":3}"));
    assertThat(messages(events(h))).containsExactly(
        json("{\"current\":1,\"total\":3,\"progress\":33,\"item\":\"a\"}"),
        json("{\"current\":2,\"total\":3,\"progress\":66,\"item\":\"b\"}"),
        json("{\"current\":3,\"total\":3,\"progress\":100,\"item\":\"c\"}"));
  }

  @Test
  void batchProcessorRejectsItemsThatAreNotAnArray() {
    // when
    RunResult notArray = run("batch-processor", "{\"items\":\"a,b,c\"}");
    RunResult missing = run("batch-processor", "{}");
    // then
    for (RunResult r : List.of(notArray, missing)) {
      assertThat(r.status()).isEqualTo(RunStatus.FAILED);
      assertThat(r.attempts()).isEqualTo(1);
      assertThat(r.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
      assertThat(r.error().message()).isEqualTo("items must be an array");
    }
  }

  // stateful

  @Test
  void statefulEmitsTheProgressReadBackFromItsState() {
    // when
    RunHandle h = call("stateful", "{}");
    RunResult r = Await.result(h.result());
    // then
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.result()).isEqualTo(json("{\"progress\":100}"));
    assertThat(messages(events(h))).containsExactly(json("{\"progress\":20}"),
        json("{\"progress\":40}"), json("{\"progress\":60}"), json("{\"progress\":80}"),
        json("{\"progress\":100}"));
  }

  // checkpointed-batch

  @Test
  void checkpointedBatchWorksThroughEveryBatchFromTheStart() {
    // when
    RunHandle h = call("checkpointed-batch", "{\"batches\":5,\"batchMs\":20}");
    RunResult r = Await.result(h.result());
    // then
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.result()).isEqualTo(json("{\"batches\":5,\"resumedFrom\":0}"));
    assertThat(messages(events(h))).containsExactly(json("{\"batch\":1,\"of\":5}"),
        json("{\"batch\":2,\"of\":5}"), json("{\"batch\":3,\"of\":5}"),
        json("{\"batch\":4,\"of\":5}"), json("{\"batch\":5,\"of\":5}"));
  }
}
