package dev.troupe.node.entity;

import static dev.troupe.node.entity.Replies.value;
import static dev.troupe.node.entity.WorkerEntityTest.flatten;
import static dev.troupe.node.entity.WorkerEntityTest.json;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.TransientFailure;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerDefinition;
import dev.troupe.node.config.TroupeSettings;
import dev.troupe.node.entity.WorkerEntity.CallReply;
import dev.troupe.node.entity.WorkerEntity.Command;
import dev.troupe.node.entity.WorkerEntity.RunReply;
import dev.troupe.node.entity.WorkerEntityTest.ControlledWorker;
import dev.troupe.node.metrics.TroupeMetrics;
import dev.troupe.node.registry.Registration;
import dev.troupe.node.registry.WorkerRegistry;
import dev.troupe.persistence.TroupeJson;
import dev.troupe.persistence.WorkerEvent;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.persistence.testkit.ProcessingSuccess;
import org.apache.pekko.persistence.testkit.WriteEvents;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.persistence.testkit.javadsl.PersistenceTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A worker entity (its front and its core, as sharding starts it) stopped by sharding's hand-off
 * message, as when it moves to a node that joined: its running attempts may finish within the
 * hand-off's grace, nothing new starts, what still runs at the end of the grace is stopped and
 * then handed over, and the entity's next incarnation (started here, as its next node would)
 * goes on with the same attempt. The journal is the in-memory one of Pekko's persistence test
 * kit; handlers are {@link ControlledWorker}s that the test completes.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HandOffEntityTest {

  private static final Config CONFIG = ConfigFactory.parseString(
          "troupe.discover-modules = off\n"
              + "pekko.actor.provider = local\n"
              + "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]\n"
              + "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"\n"
              + "pekko.actor.serialization-bindings {\n"
              + "  \"dev.troupe.api.TroupeSerializable\" = jackson-json\n"
              + "}\n")
      .withFallback(EventSourcedBehaviorTestKit.config());
  private static final AtomicInteger NAMES = new AtomicInteger();
  /** Longer than any test waits: the entity stops before it only when its runs let it. */
  private static final Duration LONG_GRACE = Duration.ofSeconds(60);

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(CONFIG).build();

  @Test
  void aRunningAttemptFinishesDuringTheHandOffAndNothingNewStartsUntilTheNextNode() {
    // given a run executing, one queued behind it (one at a time), runs of one attempt
    Node node = new Node(WorkerConfig.DEFAULT.withMaxConcurrent(1).withRetry(RetryPolicy.NONE),
        LONG_GRACE);
    ActorRef<Command> entity = node.start();
    String running = node.call(entity);
    ControlledWorker.Invocation attempt = node.handler.next();
    String queued = node.call(entity);

    // when sharding stops the entity to move it, and the run finishes (emitting) after that
    entity.tell(WorkerEntity.Stop.INSTANCE);
    RunResult whileHandedOff = node.getRun(entity, running);
    attempt.ctx().emit(json("{\"late\":1}"));
    attempt.result().complete(json("{\"done\":true}"));

    // then the entity stops once its run has finished, long before the grace is over, having
    // started nothing else; its emit and outcome are written
    node.probe.expectTerminated(entity, Duration.ofSeconds(10));
    List<WorkerEvent> written = node.journal();
    assertThat(whileHandedOff.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(attempt.ctx().isCancelled()).isFalse();
    assertThat(written).filteredOn(WorkerEvent.RunFinished.class::isInstance).singleElement()
        .isInstanceOfSatisfying(WorkerEvent.RunFinished.class, f -> {
          assertThat(f.runId()).isEqualTo(running);
          assertThat(f.status()).isEqualTo(RunStatus.SUCCEEDED);
        });
    assertThat(written).noneMatch(e -> e instanceof WorkerEvent.AttemptStarted s
        && s.runId().equals(queued));
    assertThat(written).anyMatch(e -> e instanceof WorkerEvent.RunStreamed s
        && s.eventType().equals(RunEvent.MESSAGE));
    assertThat(written).noneMatch(e -> e instanceof WorkerEvent.RunInterrupted
        || e instanceof WorkerEvent.AttemptHandedOver);

    // and where the entity runs next, the run ended SUCCEEDED on attempt 1, and the queued run
    // starts there
    ActorRef<Command> next = node.start();
    RunResult finished = node.getRun(next, running);
    ControlledWorker.Invocation queuedAttempt = node.handler.next();
    assertThat(finished.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(finished.attempts()).isEqualTo(1);
    assertThat(queuedAttempt.ctx().runId()).isEqualTo(queued);
    assertThat(queuedAttempt.ctx().attempt()).isEqualTo(1);
  }

  @Test
  void anAttemptStillRunningAtTheEndOfTheGraceIsStoppedThenHandedOverAndRunsAgainAsItself() {
    // given a run of one attempt whose handler emits until it is cancelled, and a short grace
    Node node = new Node(WorkerConfig.DEFAULT.withRetry(RetryPolicy.NONE),
        Duration.ofMillis(300));
    ActorRef<Command> entity = node.start();
    String runId = node.call(entity);
    ControlledWorker.Invocation first = node.handler.next();
    long firstEpoch = epochOf(node.journal(), runId);
    Thread emitter = new Thread(() -> emitUntilCancelled(first));
    emitter.start();
    // and a journal that notes whether the attempt was still going when its hand-over was written
    AtomicReference<Boolean> goingWhenWritten = new AtomicReference<>();
    PersistenceTestKit journal = PersistenceTestKit.create(testKit.system());
    journal.withPolicy((pid, op) -> {
      if (op instanceof WriteEvents w && flatten(w.getBatch().stream()
          .map(WorkerEvent.class::cast).toList()).stream()
          .anyMatch(WorkerEvent.AttemptHandedOver.class::isInstance)) {
        goingWhenWritten.set(!first.ctx().isCancelled());
      }
      return ProcessingSuccess.getInstance();
    });

    // when sharding stops the entity to move it
    try {
      entity.tell(WorkerEntity.Stop.INSTANCE);
      node.probe.expectTerminated(entity, Duration.ofSeconds(10));
    } finally {
      journal.resetPolicy();
    }

    // then, its emits notwithstanding, it stopped after the grace, its attempt cancelled before
    // the hand-over was written; the run is neither finished nor counted lost
    List<WorkerEvent> written = node.journal();
    assertThat(goingWhenWritten.get()).as("attempt going when its hand-over was written")
        .isFalse();
    assertThat(written).filteredOn(WorkerEvent.AttemptHandedOver.class::isInstance)
        .singleElement().isInstanceOfSatisfying(WorkerEvent.AttemptHandedOver.class, h -> {
          assertThat(h.runId()).isEqualTo(runId);
          assertThat(h.attempt()).isEqualTo(1);
          assertThat(h.epoch()).isEqualTo(firstEpoch);
        });
    assertThat(written).anyMatch(e -> e instanceof WorkerEvent.RunStreamed st
        && st.eventType().equals(RunEvent.MESSAGE));
    assertThat(written).noneMatch(e -> e instanceof WorkerEvent.RunFinished
        || e instanceof WorkerEvent.RunInterrupted);

    // and where the entity runs next, the run starts again as attempt 1, and succeeds
    ActorRef<Command> next = node.start();
    ControlledWorker.Invocation again = node.handler.next();
    again.result().complete(json("{\"done\":true}"));
    await().atMost(Duration.ofSeconds(10)).until(() ->
        node.getRun(next, runId).status() == RunStatus.SUCCEEDED);
    assertThat(again.ctx().runId()).isEqualTo(runId);
    assertThat(again.ctx().attempt()).isEqualTo(1);
    assertThat(epochOf(node.journal(), runId)).isGreaterThan(firstEpoch);
    assertThat(node.getRun(next, runId).attempts()).isEqualTo(1);
  }

  /** Emits from the attempt every millisecond until it is cancelled (a refused emit included). */
  private static void emitUntilCancelled(ControlledWorker.Invocation attempt) {
    while (!attempt.ctx().isCancelled()) {
      try {
        attempt.ctx().emit(json("{\"tick\":1}"));
        Thread.sleep(1); // the pace of the emits
      } catch (InterruptedException e) {
        return;
      } catch (RuntimeException refused) {
        // too many unwritten: the next one may pass
      }
    }
  }

  @Test
  void aRunWaitingForItsRetryIsHandedOverAtOnceAndRetriesOnTheNextNode() {
    // given a run whose first attempt failed transiently, waiting a minute for its retry
    Node node = new Node(WorkerConfig.DEFAULT.withRetry(
        RetryPolicy.of(3, Duration.ofMinutes(1), Duration.ofMinutes(1))), LONG_GRACE);
    ActorRef<Command> entity = node.start();
    String runId = node.call(entity);
    node.handler.next().result().completeExceptionally(new TransientFailure("flaky"));
    await().atMost(Duration.ofSeconds(10)).until(() ->
        node.getRun(entity, runId).status() == RunStatus.RETRYING);

    // when sharding stops the entity to move it
    entity.tell(WorkerEntity.Stop.INSTANCE);

    // then it stops without waiting for the grace, the run queued again for its retry
    node.probe.expectTerminated(entity, Duration.ofSeconds(10));
    assertThat(node.journal()).anyMatch(e -> e instanceof WorkerEvent.RunInterrupted i
        && i.runId().equals(runId));
    assertThat(node.journal()).noneMatch(WorkerEvent.AttemptHandedOver.class::isInstance);

    // and where the entity runs next, the retry starts at once as attempt 2
    node.start();
    ControlledWorker.Invocation retry = node.handler.next();
    assertThat(retry.ctx().runId()).isEqualTo(runId);
    assertThat(retry.ctx().attempt()).isEqualTo(2);
  }

  private static long epochOf(List<WorkerEvent> written, String runId) {
    return written.stream().filter(e -> e instanceof WorkerEvent.AttemptStarted s
            && s.runId().equals(runId)).mapToLong(e -> ((WorkerEvent.AttemptStarted) e).epoch())
        .max().orElseThrow();
  }

  /** One worker's entity on a node: its incarnations share the node's services and journal. */
  private final class Node {
    final String name = "handoff-" + NAMES.incrementAndGet();
    final ControlledWorker handler = new ControlledWorker();
    final TestProbe<Object> probe = testKit.createTestProbe();
    final EntityServices services;

    Node(WorkerConfig config, Duration grace) {
      Config c = ConfigFactory.parseString("troupe.worker.handoff-grace = " + grace.toMillis()
          + "ms").withFallback(testKit.system().settings().config());
      services = EntityServices.of(testKit.system(), TroupeSettings.fromConfig(c),
          TroupeJson.newMapper(), new WorkerRegistry(), new TroupeMetrics());
      services.registry().add(new Registration(new WorkerDefinition(name, config), handler, null));
    }

    /** An incarnation of the entity, as sharding starts it (its passivation unused here). */
    ActorRef<Command> start() {
      return testKit.spawn(WorkerEntities.create(name, services, front -> { }));
    }

    String call(ActorRef<Command> entity) {
      TestProbe<CallReply> reply = testKit.createTestProbe();
      entity.tell(new WorkerEntity.Call(json("{}"), 60_000, null, List.of(), reply.ref()));
      return value(reply.receiveMessage(Duration.ofSeconds(5))).runId();
    }

    RunResult getRun(ActorRef<Command> entity, String runId) {
      TestProbe<RunReply> reply = testKit.createTestProbe();
      entity.tell(new WorkerEntity.GetRun(runId, reply.ref()));
      return value(reply.receiveMessage(Duration.ofSeconds(5)));
    }

    /** Every event its journal holds, batches spelled out. */
    List<WorkerEvent> journal() {
      return flatten(PersistenceTestKit.create(testKit.system())
          .persistedInStorage(WorkerEntity.JOURNAL_NAME + "|" + name).stream()
          .map(WorkerEvent.class::cast).toList());
    }
  }
}
