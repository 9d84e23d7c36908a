package dev.troupe.node.entity;

import static dev.troupe.node.entity.Replies.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.api.CallOptions;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerDefinition;
import dev.troupe.node.config.TroupeSettings;
import dev.troupe.node.entity.WorkerEntity.CallReply;
import dev.troupe.node.entity.WorkerEntity.Command;
import dev.troupe.node.entity.WorkerEntity.Refused;
import dev.troupe.node.metrics.TroupeMetrics;
import dev.troupe.node.registry.Registration;
import dev.troupe.node.registry.WorkerRegistry;
import dev.troupe.node.tracing.RunTracing;
import dev.troupe.node.run.NodeCalls;
import dev.troupe.persistence.RunSpec;
import dev.troupe.persistence.TroupeJson;
import dev.troupe.persistence.WorkerEvent;
import dev.troupe.persistence.WorkerState;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A worker entity's waiting runs, command by command ({@link EventSourcedBehaviorTestKit}): the
 * outcomes of dependencies come from a {@link NodeCalls} the test completes, and what the entity
 * tells its front (a probe) is forwarded to it by the test.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class DependenciesEntityTest {
  private static final Config CONFIG = ConfigFactory.parseString(
          "troupe.discover-modules = off\n"
              + "pekko.actor.provider = local\n"
              + "pekko.actor.serialization-bindings {\n"
              + "  \"dev.troupe.api.TroupeSerializable\" = jackson-json\n"
              + "}\n")
      .withFallback(EventSourcedBehaviorTestKit.config());
  private static final AtomicInteger NAMES = new AtomicInteger();
  private static final String X = "01JD3Q7R8V3K5M9W2X4Y6Z8A0B-other";
  private static final String Y = "01JD3Q7R8V3K5M9W2X4Y6Z8A0C-other";

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(CONFIG).build();

  /** Outcomes of runs of other entities, completed by the test; every ask is recorded. */
  static final class Outcomes implements NodeCalls {
    final Map<String, CompletableFuture<RunResult>> futures = new ConcurrentHashMap<>();
    final List<String> asked = new CopyOnWriteArrayList<>();

    @Override
    public CompletionStage<RunHandle> call(String worker, JsonNode payload, CallOptions options,
        String parentRunId, int parentDepth, boolean detached) {
      return CompletableFuture.failedFuture(new UnsupportedOperationException());
    }

    @Override
    public CompletionStage<Integer> cancelChildren(String parentRunId) {
      return CompletableFuture.completedFuture(0);
    }

    @Override
    public CompletionStage<RunResult> outcome(String runId) {
      asked.add(runId);
      return futures.computeIfAbsent(runId, k -> new CompletableFuture<>());
    }

    void end(String runId, RunStatus status) {
      futures.computeIfAbsent(runId, k -> new CompletableFuture<>()).complete(new RunResult(
          runId, "other", status, 1, null, null, null, null, null, null, null, List.of()));
    }
  }

  private final class Entity {
    final String name = "waiter-" + NAMES.incrementAndGet();
    final Outcomes outcomes = new Outcomes();
    final TestProbe<Command> front = testKit.createTestProbe();
    final EventSourcedBehaviorTestKit<Command, WorkerEvent, WorkerState> kit;

    Entity() {
      EntityServices services = EntityServices.of(testKit.system(),
          TroupeSettings.fromConfig(testKit.system().settings().config()),
          TroupeJson.newMapper(), new WorkerRegistry(), new TroupeMetrics(), outcomes,
          RunTracing.off());
      // a handler that never ends: the tests look at what is written, not at attempts' ends
      services.registry().add(new Registration(new WorkerDefinition(name, WorkerConfig.DEFAULT),
          ctx -> new CompletableFuture<>(), null));
      kit = EventSourcedBehaviorTestKit.create(testKit.system(),
          EntityCore.create(name, services, front.ref()));
    }

    String callAfter(String... dependsOn) {
      return call(new RunSpec(CallOptions.DEFAULT_PRIORITY, null, null, List.of(dependsOn),
          null, null, null));
    }

    String call(RunSpec spec) {
      CallReply reply = kit.<CallReply>runCommand(replyTo ->
          new WorkerEntity.Call(TroupeJson.newMapper().createObjectNode(), 60_000, null,
              List.of(), spec, 0, replyTo)).reply();
      assertThat(reply).as("accepted: %s", reply).isNotInstanceOf(Refused.class);
      return value(reply).runId();
    }

    /** Forwards the entity's next DependencyEnded to it; returns what that wrote. */
    List<WorkerEvent> forwardDependencyEnded() {
      return WorkerEntityTest.lifecycle(forwardDependencyEndedEntries());
    }

    /** Forwards the entity's next DependencyEnded to it; returns the entries that wrote. */
    List<WorkerEvent> forwardDependencyEndedEntries() {
      while (true) {
        Command m = front.receiveMessage(Duration.ofSeconds(10));
        if (m instanceof WorkerEntity.DependencyEnded ended) {
          return kit.runCommand(ended).events();
        }
      }
    }

    RunStatus status(String runId) {
      return kit.getState().run(runId).orElseThrow().status();
    }
  }

  @Test
  void aWaitingRunIsQueuedAndStartedOnceEveryDependencyHasSucceeded() {
    // given a run after X and Y
    Entity e = new Entity();
    String runId = e.callAfter(X, Y, X);
    assertThat(e.status(runId)).isEqualTo(RunStatus.WAITING);
    assertThat(e.kit.getState().queuedCount()).isZero();
    assertThat(e.kit.getState().executingCount()).isZero();
    await().atMost(Duration.ofSeconds(5)).until(() -> e.outcomes.asked.size() == 2);
    assertThat(e.outcomes.asked).containsExactlyInAnyOrder(X, Y);
    // when X succeeds
    e.outcomes.end(X, RunStatus.SUCCEEDED);
    // then nothing is written yet
    assertThat(e.forwardDependencyEnded()).isEmpty();
    assertThat(e.status(runId)).isEqualTo(RunStatus.WAITING);
    // when Y succeeds too
    e.outcomes.end(Y, RunStatus.SUCCEEDED);
    // then the run is queued and started in the same batch
    List<WorkerEvent> written = e.forwardDependencyEnded();
    assertThat(written).hasSize(2);
    assertThat(written.get(0)).isInstanceOfSatisfying(WorkerEvent.DependenciesMet.class,
        met -> assertThat(met.runId()).isEqualTo(runId));
    assertThat(written.get(1)).isInstanceOf(WorkerEvent.AttemptStarted.class);
    assertThat(e.status(runId)).isEqualTo(RunStatus.RUNNING);
  }

  @Test
  void aDependencyThatEndsOtherwiseCancelsTheWaitingRunNamingIt() {
    // given
    Entity e = new Entity();
    String runId = e.callAfter(X, Y);
    // when
    e.outcomes.end(Y, RunStatus.TIMED_OUT);
    // then
    List<WorkerEvent> written = e.forwardDependencyEnded();
    assertThat(written).hasSize(1);
    WorkerEvent.RunFinished finished = (WorkerEvent.RunFinished) written.get(0);
    assertThat(finished.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(finished.error().code()).isEqualTo(ErrorCode.CANCELLED);
    assertThat(finished.error().message()).contains("dependency " + Y + " ended TIMED_OUT");
    // and a later answer changes nothing
    e.outcomes.end(X, RunStatus.SUCCEEDED);
    assertThat(e.forwardDependencyEnded()).isEmpty();
    assertThat(e.status(runId)).isEqualTo(RunStatus.CANCELLED);
  }

  @Test
  void afterARestartTheEntityAsksAgainForTheDependenciesOfItsWaitingRuns() {
    // given a run whose dependency X has succeeded, but Y not yet
    Entity e = new Entity();
    String runId = e.callAfter(X, Y);
    e.outcomes.end(X, RunStatus.SUCCEEDED);
    assertThat(e.forwardDependencyEnded()).isEmpty();
    // when the entity restarts (what it knew of X is gone with its memory)
    e.kit.restart();
    await().atMost(Duration.ofSeconds(5)).until(() -> e.outcomes.asked.size() == 4);
    e.outcomes.end(Y, RunStatus.SUCCEEDED);
    // then it learns both outcomes again and queues the run
    List<WorkerEvent> first = e.forwardDependencyEnded();
    List<WorkerEvent> second = e.forwardDependencyEnded();
    assertThat(first).isEmpty();
    assertThat(second.get(0)).isInstanceOf(WorkerEvent.DependenciesMet.class);
    assertThat(e.status(runId)).isEqualTo(RunStatus.RUNNING);
  }

  @Test
  void aWaitingRunWhoseStartTimeIsStillAheadIsScheduledOnceItsDependenciesSucceeded() {
    // given a run after X, due in an hour
    Entity e = new Entity();
    String runId = e.call(new RunSpec(CallOptions.DEFAULT_PRIORITY, null,
        java.time.Instant.now().plus(Duration.ofHours(1)), List.of(X), null, null, null));
    assertThat(e.status(runId)).isEqualTo(RunStatus.WAITING);
    // when X succeeds
    e.outcomes.end(X, RunStatus.SUCCEEDED);
    List<WorkerEvent> entries = e.forwardDependencyEndedEntries();
    // then it is scheduled, not started, and its stream says so
    assertThat(WorkerEntityTest.lifecycle(entries)).singleElement()
        .isInstanceOf(WorkerEvent.DependenciesMet.class);
    assertThat(e.status(runId)).isEqualTo(RunStatus.SCHEDULED);
    assertThat(WorkerEntityTest.streamed(entries)).last()
        .satisfies(st -> assertThat(st.data().get("status").asText()).isEqualTo("SCHEDULED"));
    assertThat(e.kit.getState().scheduledCount()).isEqualTo(1);
  }
}
