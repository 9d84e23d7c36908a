package dev.troupe.node.entity;

import static dev.troupe.node.entity.Replies.refused;
import static dev.troupe.node.entity.Replies.value;
import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerDefinition;
import dev.troupe.node.config.TroupeSettings;
import dev.troupe.node.entity.WorkerEntity.CallReply;
import dev.troupe.node.entity.WorkerEntity.Command;
import dev.troupe.node.entity.WorkerEntity.Refused;
import dev.troupe.node.entity.WorkerEntity.RunReply;
import dev.troupe.node.metrics.TroupeMetrics;
import dev.troupe.node.registry.Registration;
import dev.troupe.node.registry.WorkerRegistry;
import dev.troupe.node.run.Outcome;
import dev.troupe.persistence.JsonBytes;
import dev.troupe.persistence.RunSpec;
import dev.troupe.persistence.TroupeJson;
import dev.troupe.persistence.WorkerEvent;
import dev.troupe.persistence.WorkerState;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The bounds of a worker entity's memory in bytes and callers: payloads of unfinished runs (per
 * entity and per node), finished runs kept as summaries, and callers waiting for results. Driven
 * command by command through {@link EventSourcedBehaviorTestKit}; handlers never finish on their
 * own, the test reports their outcomes.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class MemoryBoundsEntityTest {

  private static final Config CONFIG = ConfigFactory.parseString(
          "troupe.discover-modules = off\n"
              + "troupe.call.max-payload-bytes = 1000\n"
              + "troupe.worker.max-active-payload-bytes = 1000\n"
              + "troupe.node.max-active-payload-bytes = 1500\n"
              + "troupe.worker.retained-run-bytes = 200\n"
              + "troupe.worker.max-result-waiters = 2\n"
              + "pekko.actor.provider = local\n"
              + "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]\n"
              + "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"\n"
              + "pekko.actor.serialization-bindings {\n"
              + "  \"dev.troupe.api.TroupeSerializable\" = jackson-json\n"
              + "}\n")
      .withFallback(EventSourcedBehaviorTestKit.config());

  private static final ObjectMapper JSON = TroupeJson.newMapper();
  private static final AtomicInteger NAMES = new AtomicInteger();
  /** Never completes: the runs stay executing until the test reports their outcome. */
  private static final Worker NEVER = ctx -> new CompletableFuture<>();

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(CONFIG).build();

  /** A payload of exactly {@code bytes} bytes as JSON: {"s":"xxx…"}. */
  private static JsonNode payloadOf(int bytes) {
    JsonNode p = JSON.createObjectNode().put("s", "x".repeat(bytes - 8));
    assertThat(JsonBytes.of(p)).isEqualTo(bytes);
    return p;
  }

  @Test
  void aCallPastTheEntitysPayloadBytesIsRefusedAsAFullQueueAndNothingIsWritten() {
    // given a run holding 600 of the entity's 1000 bytes
    Entity e = new Entity(services());
    assertThat(e.call(payloadOf(600)).reply()).isNotInstanceOf(Refused.class);

    // when a call of 500 bytes more arrives
    CommandResultWithReply<Command, WorkerEvent, WorkerState, CallReply> refused =
        e.call(payloadOf(500));

    // then it is refused naming the limit, unrecorded, and a smaller one still fits
    assertThat(refused.reply()).isInstanceOf(Refused.class);
    assertThat(refused(refused.reply()).reason()).isEqualTo(Refused.Reason.QUEUE_FULL);
    assertThat(refused(refused.reply()).message())
        .contains("troupe.worker.max-active-payload-bytes").contains("holds 600 bytes");
    assertThat(refused.hasNoEvents()).isTrue();
    assertThat(e.kit.getState().activeRuns()).hasSize(1);
    assertThat(Failures.toException(refused(refused.reply()))).hasMessageContaining("1000");
    assertThat(e.call(payloadOf(400)).reply()).isNotInstanceOf(Refused.class);
    assertThat(e.kit.getState().payloadBytes()).isEqualTo(1000);
  }

  @Test
  void finishedRunsGiveTheirBytesBack() {
    // given the entity's bytes all held by one run
    Entity e = new Entity(services());
    String runId = value(e.call(payloadOf(1000)).reply()).runId();
    assertThat(e.call(payloadOf(100)).reply()).isInstanceOf(Refused.class);

    // when it finishes
    e.finish(runId, JSON.createObjectNode().put("ok", true));

    // then the bytes are free again
    assertThat(e.kit.getState().payloadBytes()).isZero();
    assertThat(e.call(payloadOf(1000)).reply()).isNotInstanceOf(Refused.class);
  }

  @Test
  void aCallPastTheNodesPayloadBytesIsRefusedAsOverloadedAndNothingIsWritten() {
    // given two entities of one node, one holding 900 of the node's 1500 bytes
    EntityServices node = services();
    Entity first = new Entity(node);
    Entity second = new Entity(node);
    assertThat(first.call(payloadOf(900)).reply()).isNotInstanceOf(Refused.class);

    // when the other entity gets a call of 700 bytes, within its own 1000
    CommandResultWithReply<Command, WorkerEvent, WorkerState, CallReply> refused =
        second.call(payloadOf(700));

    // then it is refused for the node, unrecorded
    assertThat(refused(refused.reply()).reason()).isEqualTo(Refused.Reason.OVERLOADED);
    assertThat(refused(refused.reply()).message())
        .contains("troupe.node.max-active-payload-bytes");
    assertThat(refused.hasNoEvents()).isTrue();
    assertThat(second.call(payloadOf(600)).reply()).isNotInstanceOf(Refused.class);
    assertThat(node.payloads().total().get()).isEqualTo(1500);
  }

  @Test
  void aFinishedRunWithLargeDataIsKeptAsASummaryThatSendsReadersToTheHistory() {
    // given a run with a payload over the retained bytes, and a small one
    Entity e = new Entity(services());
    String large = value(e.call(payloadOf(500)).reply()).runId();
    String small = value(e.call(payloadOf(20)).reply()).runId();

    // when both finish
    e.finish(large, JSON.createObjectNode().put("ok", true));
    e.finish(small, JSON.createObjectNode().put("ok", true));

    // then the large one is kept as its summary, the small one whole
    assertThat(e.kit.getState().run(large).orElseThrow().summarized()).isTrue();
    assertThat(e.kit.getState().run(large).orElseThrow().status())
        .isEqualTo(RunStatus.SUCCEEDED);
    RunReply read = e.kit.<RunReply>runCommand(
        r -> new WorkerEntity.GetRun(large, r)).reply();
    assertThat(Failures.toException(refused(read))).isInstanceOf(SummarizedRunException.class);
    RunReply awaited = e.kit.<RunReply>runCommand(
        r -> new WorkerEntity.AwaitResult(large, r)).reply();
    assertThat(Failures.toException(refused(awaited)))
        .isInstanceOf(SummarizedRunException.class);
    RunResult whole = value(e.kit.<RunReply>runCommand(
        r -> new WorkerEntity.GetRun(small, r)).reply());
    assertThat(whole.payload()).isEqualTo(payloadOf(20));
    assertThat(whole.result()).isEqualTo(JSON.createObjectNode().put("ok", true));
  }

  @Test
  void callersPastTheWaitersBoundAreRefusedAtOnceAndTheOthersGetTheRun() {
    // given a running run with two callers waiting for its result, the most allowed
    Entity e = new Entity(services());
    String runId = value(e.call(payloadOf(20)).reply()).runId();
    TestProbe<RunReply> waiting = testKit.createTestProbe();
    e.kit.runCommand(new WorkerEntity.AwaitResult(runId, waiting.ref()));
    e.kit.runCommand(new WorkerEntity.AwaitResult(runId, waiting.ref()));

    // when a third caller waits
    TestProbe<RunReply> third = testKit.createTestProbe();
    e.kit.runCommand(new WorkerEntity.AwaitResult(runId, third.ref()));

    // then it is refused at once, naming the limit; the two get the run when it ends
    Refused refusal = refused(third.receiveMessage());
    assertThat(refusal.reason()).isEqualTo(Refused.Reason.OVERLOADED);
    assertThat(refusal.message()).contains("troupe.worker.max-result-waiters");
    waiting.expectNoMessage();
    e.finish(runId, JSON.createObjectNode().put("ok", true));
    assertThat(value(waiting.receiveMessage()).status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(value(waiting.receiveMessage()).status()).isEqualTo(RunStatus.SUCCEEDED);
  }

  private EntityServices services() {
    return EntityServices.of(testKit.system(),
        TroupeSettings.fromConfig(testKit.system().settings().config()), JSON,
        new WorkerRegistry(), new TroupeMetrics());
  }

  /** One entity of a definition whose handler never finishes, over {@code services}. */
  private final class Entity {
    final String name = "bytes-" + NAMES.incrementAndGet();
    final TestProbe<Command> front = testKit.createTestProbe();
    final EventSourcedBehaviorTestKit<Command, WorkerEvent, WorkerState> kit;

    Entity(EntityServices services) {
      services.registry().add(new Registration(new WorkerDefinition(name,
          WorkerConfig.DEFAULT.withMaxConcurrent(10)), NEVER, null));
      kit = EventSourcedBehaviorTestKit.create(testKit.system(),
          Behaviors.<Command>setup(ctx -> EntityCore.create(name, services, front.ref())),
          EventSourcedBehaviorTestKit.enabledSerializationSettings());
    }

    CommandResultWithReply<Command, WorkerEvent, WorkerState, CallReply> call(
        JsonNode payload) {
      return kit.runCommand(replyTo -> new WorkerEntity.Call(payload, 60_000, null, List.of(),
          RunSpec.DEFAULT, 0, replyTo));
    }

    /** Reports that the run's current attempt succeeded with {@code result}. */
    void finish(String runId, JsonNode result) {
      long epoch = kit.getState().activeRun(runId).orElseThrow().epoch();
      kit.runCommand(new WorkerEntity.AttemptOutcome(runId, epoch, Outcome.SUCCEEDED, result,
          null));
    }
  }
}
