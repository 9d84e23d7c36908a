package dev.troupe.node.entity;

import static dev.troupe.node.entity.Replies.refused;
import static dev.troupe.node.entity.Replies.value;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunError;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.RunStep;
import dev.troupe.api.StepStatus;
import dev.troupe.api.TransientFailure;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import dev.troupe.api.WorkerDefinition;
import dev.troupe.api.WorkerStats;
import dev.troupe.node.Await;
import dev.troupe.node.config.TroupeSettings;
import dev.troupe.node.entity.WorkerEntity.Accepted;
import dev.troupe.node.entity.WorkerEntity.AttemptOutcome;
import dev.troupe.node.entity.WorkerEntity.CallReply;
import dev.troupe.node.entity.WorkerEntity.CancelReply;
import dev.troupe.node.entity.WorkerEntity.Command;
import dev.troupe.node.entity.WorkerEntity.Refused;
import dev.troupe.node.entity.WorkerEntity.RunReply;
import dev.troupe.node.entity.WorkerEntity.StreamReply;
import dev.troupe.node.entity.WorkerEntity.WriteReply;
import dev.troupe.node.metrics.TroupeMetrics;
import dev.troupe.node.registry.Registration;
import dev.troupe.node.registry.WorkerRegistry;
import dev.troupe.node.run.Granted;
import dev.troupe.node.run.Outcome;
import dev.troupe.node.run.RunActor;
import dev.troupe.node.stream.RunStream;
import dev.troupe.persistence.RunClock;
import dev.troupe.persistence.RunIds;
import dev.troupe.persistence.RunRecord;
import dev.troupe.persistence.RunSpec;
import dev.troupe.persistence.StepRecord;
import dev.troupe.persistence.TroupeJson;
import dev.troupe.persistence.WorkerEvent;
import dev.troupe.persistence.WorkerState;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.Done;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.SerializationTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResult;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The event-sourced core of a worker definition, driven command by command through Pekko's
 * {@link EventSourcedBehaviorTestKit} (in-memory journal and snapshot store; every command, event
 * and reply is checked to serialize, the state in {@link #theStateSerializesAsTheTestKitChecksIt}
 * and {@link #theStateRoundTripsThroughItsSerializerAsInASnapshot}). The entity's front is a probe: what run actors send
 * to it (outcomes, requests for a next attempt) is forwarded to the entity by the test, so a run's
 * lifecycle is deterministic. Handlers are {@link ControlledWorker}s that the test completes.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerEntityTest {

  private static final Config CONFIG = ConfigFactory.parseString(
          "troupe.worker.snapshot-every = 5\n"
              + "troupe.worker.stream.max-unwritten-emits = 3\n"
              + "troupe.discover-modules = off\n"
              + "pekko.actor.provider = local\n"
              + "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]\n"
              + "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"\n"
              + "pekko.actor.serialization-bindings {\n"
              + "  \"dev.troupe.api.TroupeSerializable\" = jackson-json\n"
              + "}\n")
      .withFallback(EventSourcedBehaviorTestKit.config());

  private static final ObjectMapper JSON = TroupeJson.newMapper();
  private static final AtomicInteger NAMES = new AtomicInteger();
  private static final long LONG_TIMEOUT_MS = 60_000;

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(CONFIG).build();

  // the command protocol, one step at a time

  /**
   * Pekko's Jackson serializer sees fields of every visibility ({@code
   * pekko.serialization.jackson.visibility.FIELD = ANY}); the state must still write only its
   * snapshot form, or no snapshot could be loaded (the pcollections indexes do not deserialize).
   */
  @Test
  void theStateSerializesAsTheTestKitChecksIt() {
    // given the test kit's default checks: commands, events, replies and the state
    Entity e = new Entity(WorkerConfig.DEFAULT,
        EventSourcedBehaviorTestKit.enabledSerializationSettings());

    // when
    CallReply reply = e.call(json("{}"), "k").reply();

    // then
    assertThat(reply).isNotInstanceOf(Refused.class);
  }

  @Test
  void aCallIsAnsweredOnceItsRunIsWrittenAcceptedAndStarted() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT);

    // when
    CommandResultWithReply<Command, WorkerEvent, WorkerState, CallReply> result =
        e.call(json("{\"n\":1}"), null);

    // then
    assertThat(result.reply()).isNotInstanceOf(Refused.class);
    Accepted accepted = value(result.reply());
    assertThat(accepted.existing()).isFalse();
    assertThat(RunIds.entityOf(accepted.runId())).isEqualTo(e.name);
    assertThat(result.events()).as("one journal entry for the call").hasSize(1);
    List<WorkerEvent> written = lifecycle(result.events());
    assertThat(written).hasSize(2);
    assertThat(written.get(0)).isInstanceOfSatisfying(WorkerEvent.RunAccepted.class, a -> {
      assertThat(a.runId()).isEqualTo(accepted.runId());
      assertThat(a.payload()).isEqualTo(json("{\"n\":1}"));
      assertThat(a.timeoutMs()).isEqualTo(LONG_TIMEOUT_MS);
    });
    assertThat(written.get(1)).isInstanceOfSatisfying(WorkerEvent.AttemptStarted.class, s -> {
      assertThat(s.runId()).isEqualTo(accepted.runId());
      assertThat(s.attempt()).isEqualTo(1);
    });
    RunResult run = e.getRun(accepted.runId());
    assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(run.attempts()).isEqualTo(1);
    assertThat(e.handler.next().ctx().runId()).as("the handler runs the accepted run")
        .isEqualTo(accepted.runId());
  }

  @Test
  void aCallFindingNoFreeSlotIsWrittenAsQueuedOnly() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT.withMaxConcurrent(1));
    e.accept();

    // when
    CommandResultWithReply<Command, WorkerEvent, WorkerState, CallReply> second =
        e.call(json("{}"), null);

    // then
    assertThat(second.reply()).isNotInstanceOf(Refused.class);
    assertThat(lifecycle(second.events())).singleElement().isInstanceOf(WorkerEvent.RunAccepted.class);
    assertThat(e.getRun(value(second.reply()).runId()).status()).isEqualTo(RunStatus.QUEUED);
    WorkerStats stats = e.stats();
    assertThat(stats.running()).isEqualTo(1);
    assertThat(stats.queued()).isEqualTo(1);
  }

  @Test
  void aCallPastTheQueueCapacityIsRejectedAndNothingIsWritten() {
    // given one run executing and one waiting
    Entity e = new Entity(WorkerConfig.DEFAULT.withMaxConcurrent(1).withQueueCapacity(1));
    e.accept();
    e.accept();

    // when
    CommandResultWithReply<Command, WorkerEvent, WorkerState, CallReply> third =
        e.call(json("{}"), null);

    // then
    assertThat(third.reply()).isInstanceOf(Refused.class);
    assertThat(refused(third.reply()).reason()).isEqualTo(Refused.Reason.QUEUE_FULL);
    assertThat(third.hasNoEvents()).isTrue();
    assertThat(e.stats().queued()).isEqualTo(1);
  }

  @Test
  void anIdempotencyKeyReturnsTheExistingRunWithoutWritingAnything() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT);
    String first = value(e.call(json("{}"), "order-42").reply()).runId();

    // when
    CommandResultWithReply<Command, WorkerEvent, WorkerState, CallReply> again =
        e.call(json("{\"other\":true}"), "order-42");

    // then
    assertThat(value(again.reply())).isEqualTo(new Accepted(first, true, RunStatus.RUNNING, null));
    assertThat(again.hasNoEvents()).isTrue();
  }

  @Test
  void anIdempotencyKeyStillFindsItsRunOnceTheRunHasFinished() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT);
    String runId = value(e.call(json("{}"), "once").reply()).runId();
    e.kit.runCommand(e.outcome(runId, Outcome.SUCCEEDED, json("{}"), null));

    // when
    CommandResultWithReply<Command, WorkerEvent, WorkerState, CallReply> again =
        e.call(json("{}"), "once");

    // then
    assertThat(value(again.reply()))
        .isEqualTo(new Accepted(runId, true, RunStatus.SUCCEEDED, null));
    assertThat(again.hasNoEvents()).isTrue();
  }

  @Test
  void aBatchIsWrittenAsOneJournalEntryAndEveryCallerGetsItsOwnAnswer() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT);
    List<TestProbe<CallReply>> callers = List.of(
        testKit.createTestProbe(), testKit.createTestProbe(), testKit.createTestProbe());
    List<Command> calls = new ArrayList<>();
    for (int i = 0; i < callers.size(); i++) {
      calls.add(new WorkerEntity.Call(json("{\"i\":" + i + "}"), LONG_TIMEOUT_MS, null, List.of(),
          callers.get(i).ref()));
    }

    // when
    CommandResultWithReply<Command, WorkerEvent, WorkerState, Command> result =
        e.kit.runCommand(replyTo -> new WorkerEntity.Batch(calls, 1, replyTo));

    // then
    assertThat(result.reply()).isEqualTo(new WorkerEntity.BatchDone(1, true));
    assertThat(result.events()).singleElement().isInstanceOf(WorkerEvent.Recorded.class);
    List<WorkerEvent> written = flatten(result.events());
    assertThat(written).filteredOn(WorkerEvent.RunAccepted.class::isInstance).hasSize(3);
    assertThat(written).filteredOn(WorkerEvent.AttemptStarted.class::isInstance).hasSize(3);
    List<String> runIds = new ArrayList<>();
    for (TestProbe<CallReply> caller : callers) {
      CallReply reply = caller.receiveMessage();
      assertThat(reply).isNotInstanceOf(Refused.class);
      assertThat(value(reply).existing()).isFalse();
      runIds.add(value(reply).runId());
    }
    assertThat(runIds).doesNotHaveDuplicates();
    assertThat(written).filteredOn(WorkerEvent.RunAccepted.class::isInstance)
        .extracting(ev -> ((WorkerEvent.RunAccepted) ev).runId())
        .containsExactlyElementsOf(runIds);
  }

  @Test
  void aBatchThatOnlyReadsWritesNothingAndSaysSo() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT);
    TestProbe<WorkerStats> stats = testKit.createTestProbe();

    // when
    CommandResultWithReply<Command, WorkerEvent, WorkerState, Command> result =
        e.kit.runCommand(replyTo -> new WorkerEntity.Batch(
            List.of(new WorkerEntity.GetStats(stats.ref())), 3, replyTo));

    // then the front does not count it as a journal write
    assertThat(result.reply()).isEqualTo(new WorkerEntity.BatchDone(3, false));
    assertThat(result.events()).isEmpty();
    assertThat(stats.receiveMessage()).isNotNull();
  }

  @Test
  void aBatchRejectsOnlyTheCallsBeyondTheQueueCapacity() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT.withMaxConcurrent(1).withQueueCapacity(1));
    List<TestProbe<CallReply>> callers = List.of(
        testKit.createTestProbe(), testKit.createTestProbe(), testKit.createTestProbe());
    List<Command> calls = callers.stream().<Command>map(c ->
        new WorkerEntity.Call(json("{}"), LONG_TIMEOUT_MS, null, List.of(), c.ref())).toList();

    // when
    CommandResultWithReply<Command, WorkerEvent, WorkerState, Command> result =
        e.kit.runCommand(replyTo -> new WorkerEntity.Batch(calls, 7, replyTo));

    // then
    assertThat(result.reply()).isEqualTo(new WorkerEntity.BatchDone(7, true));
    assertThat(callers.get(0).receiveMessage()).isNotInstanceOf(Refused.class);
    assertThat(callers.get(1).receiveMessage()).isNotInstanceOf(Refused.class);
    assertThat(refused(callers.get(2).receiveMessage()).reason())
        .isEqualTo(Refused.Reason.QUEUE_FULL);
    assertThat(flatten(result.events())).filteredOn(WorkerEvent.RunAccepted.class::isInstance)
        .hasSize(2);
  }

  @Test
  void anOutcomeOfASupersededAttemptIsIgnoredAndTheFinishIsRecordedOnce() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT);
    String runId = e.accept();
    long epoch = e.epochOf(runId);

    // when an outcome with the wrong epoch arrives
    CommandResult<Command, WorkerEvent, WorkerState> stale = e.kit.runCommand(
        new AttemptOutcome(runId, epoch + 1, Outcome.SUCCEEDED, json("{\"stale\":true}"), null));

    // then
    assertThat(stale.hasNoEvents()).isTrue();
    assertThat(e.getRun(runId).status()).isEqualTo(RunStatus.RUNNING);

    // when the current attempt's outcome arrives
    CommandResult<Command, WorkerEvent, WorkerState> done = e.kit.runCommand(
        new AttemptOutcome(runId, epoch, Outcome.SUCCEEDED, json("{\"sum\":3}"), null));

    // then
    assertThat(lifecycle(done.events())).singleElement().isInstanceOfSatisfying(WorkerEvent.RunFinished.class,
        f -> {
          assertThat(f.runId()).isEqualTo(runId);
          assertThat(f.status()).isEqualTo(RunStatus.SUCCEEDED);
          assertThat(f.result()).isEqualTo(json("{\"sum\":3}"));
        });
    RunResult run = e.getRun(runId);
    assertThat(run.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run.result()).isEqualTo(json("{\"sum\":3}"));
    assertThat(e.stats().runs()).isEqualTo(1);
    assertThat(e.stats().succeeded()).isEqualTo(1);

    // when the same outcome arrives again
    CommandResult<Command, WorkerEvent, WorkerState> twice = e.kit.runCommand(
        new AttemptOutcome(runId, epoch, Outcome.SUCCEEDED, json("{\"sum\":3}"), null));

    // then
    assertThat(twice.hasNoEvents()).isTrue();
    WorkerStats stats = e.stats();
    assertThat(stats.runs()).isEqualTo(1);
    assertThat(stats.succeeded()).isEqualTo(1);
    assertThat(stats.running()).isZero();
  }

  @Test
  void failedAndTimedOutOutcomesEndTheRunAndCountAsErrors() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT);
    String failing = e.accept();
    String slow = e.accept();

    // when
    e.kit.runCommand(e.outcome(failing, Outcome.FAILED, null,
        new RunError(ErrorCode.PERMANENT_ERROR, "bad input")));
    e.kit.runCommand(e.outcome(slow, Outcome.TIMED_OUT, null,
        new RunError(ErrorCode.TIMEOUT, "too slow")));

    // then
    assertThat(e.getRun(failing).status()).isEqualTo(RunStatus.FAILED);
    assertThat(e.getRun(failing).error()).isEqualTo(new RunError(ErrorCode.PERMANENT_ERROR, "bad input"));
    assertThat(e.getRun(slow).status()).isEqualTo(RunStatus.TIMED_OUT);
    WorkerStats stats = e.stats();
    assertThat(stats.runs()).isEqualTo(2);
    assertThat(stats.errors()).isEqualTo(2);
    assertThat(stats.failed()).isEqualTo(1);
    assertThat(stats.timedOut()).isEqualTo(1);
  }

  @Test
  void aRetryableOutcomeWaitsForTheNextAttemptWhichGetsANewerEpoch() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT);
    String runId = e.accept();
    long firstEpoch = e.epochOf(runId);
    TestProbe<Granted> runActor = testKit.createTestProbe();

    // when the attempt fails transiently
    CommandResult<Command, WorkerEvent, WorkerState> failed = e.kit.runCommand(new AttemptOutcome(
        runId, firstEpoch, Outcome.RETRY, null, new RunError(ErrorCode.TRANSIENT_ERROR, "flaky")));

    // then
    assertThat(lifecycle(failed.events())).singleElement().isInstanceOfSatisfying(
        WorkerEvent.AttemptFailed.class, f -> {
          assertThat(f.runId()).isEqualTo(runId);
          assertThat(f.attempt()).isEqualTo(1);
          assertThat(f.error().code()).isEqualTo(ErrorCode.TRANSIENT_ERROR);
        });
    assertThat(e.getRun(runId).status()).isEqualTo(RunStatus.RETRYING);
    assertThat(e.stats().retries()).isEqualTo(1);
    assertThat(e.stats().running()).as("a run waiting for its retry keeps its slot").isEqualTo(1);

    // when its restarted run actor asks for the next attempt
    CommandResult<Command, WorkerEvent, WorkerState> next = e.kit.runCommand(
        new WorkerEntity.RequestNextAttempt(runId, firstEpoch, runActor.ref()));

    // then
    WorkerEvent.AttemptStarted started = (WorkerEvent.AttemptStarted) lifecycle(next.events()).get(0);
    assertThat(lifecycle(next.events())).hasSize(1);
    assertThat(started.runId()).isEqualTo(runId);
    assertThat(started.attempt()).isEqualTo(2);
    assertThat(started.epoch()).isGreaterThan(firstEpoch);
    Granted granted = runActor.expectMessageClass(Granted.class);
    assertThat(granted.attempt()).isEqualTo(2);
    assertThat(granted.epoch()).isEqualTo(started.epoch());
    RunResult run = e.getRun(runId);
    assertThat(run.status()).isEqualTo(RunStatus.RUNNING);
    assertThat(run.attempts()).isEqualTo(2);

    // when a request of the superseded attempt arrives late, and its outcome
    CommandResult<Command, WorkerEvent, WorkerState> late = e.kit.runCommand(
        new WorkerEntity.RequestNextAttempt(runId, firstEpoch, runActor.ref()));
    CommandResult<Command, WorkerEvent, WorkerState> lateOutcome = e.kit.runCommand(
        new AttemptOutcome(runId, firstEpoch, Outcome.SUCCEEDED, json("{}"), null));

    // then
    assertThat(late.hasNoEvents()).isTrue();
    assertThat(lateOutcome.hasNoEvents()).isTrue();
    runActor.expectNoMessage(Duration.ofMillis(100));
    assertThat(e.getRun(runId).status()).isEqualTo(RunStatus.RUNNING);
  }

  @Test
  void aCheckpointOfTheCurrentAttemptIsWrittenAndAStaleOneIsRefused() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT);
    String runId = e.accept();
    long epoch = e.epochOf(runId);

    // when
    CommandResultWithReply<Command, WorkerEvent, WorkerState, WriteReply> saved =
        e.kit.runCommand(replyTo -> new WorkerEntity.SaveCheckpoint(runId, epoch,
            json("{\"done\":10}"), replyTo));
    CommandResultWithReply<Command, WorkerEvent, WorkerState, WriteReply> stale =
        e.kit.runCommand(replyTo -> new WorkerEntity.SaveCheckpoint(runId, epoch - 1,
            json("{\"done\":99}"), replyTo));

    // then
    assertThat(saved.reply()).isNotInstanceOf(Refused.class);
    assertThat(lifecycle(saved.events())).singleElement().isInstanceOfSatisfying(
        WorkerEvent.Checkpointed.class, c -> {
          assertThat(c.runId()).isEqualTo(runId);
          assertThat(c.epoch()).isEqualTo(epoch);
          assertThat(c.data()).isEqualTo(json("{\"done\":10}"));
        });
    assertThat(stale.reply()).isInstanceOf(Refused.class);
    assertThat(refused(stale.reply()).reason()).isEqualTo(Refused.Reason.RUN_FINISHED);
    assertThat(stale.hasNoEvents()).isTrue();
  }

  @Test
  void aStepOfTheCurrentAttemptIsRecordedWithItsStreamEventAndGrantedToTheNextAttempt() {
    // given a running attempt
    Entity e = new Entity(WorkerConfig.DEFAULT);
    String runId = e.accept();
    long epoch = e.epochOf(runId);
    StepRecord step = StepRecord.succeeded("reserve", "java.lang.String", json("\"r-1\""),
        "release");

    // when it records a step, fails transiently, and the next attempt is asked for
    CommandResultWithReply<Command, WorkerEvent, WorkerState, WriteReply> recorded =
        e.kit.runCommand(replyTo -> new WorkerEntity.RecordStep(runId, epoch, step, replyTo));
    e.kit.runCommand(new AttemptOutcome(runId, epoch, Outcome.RETRY, null,
        new RunError(ErrorCode.TRANSIENT_ERROR, "flaky")));
    CommandResultWithReply<Command, WorkerEvent, WorkerState, WriteReply> stale =
        e.kit.runCommand(replyTo -> new WorkerEntity.RecordStep(runId, epoch,
            StepRecord.succeeded("late", "java.lang.String", null, null), replyTo));
    TestProbe<Granted> runActor = testKit.createTestProbe();
    e.kit.runCommand(new WorkerEntity.RequestNextAttempt(runId, epoch, runActor.ref()));

    // then the step was written with a step event, the stale one refused, and the next attempt
    // gets the recorded step
    assertThat(recorded.reply()).isNotInstanceOf(Refused.class);
    assertThat(flatten(recorded.events())).satisfiesExactly(
        ev -> assertThat(ev).isEqualTo(new WorkerEvent.StepRecorded(runId, epoch, step,
            ((WorkerEvent.StepRecorded) ev).at())),
        ev -> assertThat(ev).isInstanceOfSatisfying(WorkerEvent.RunStreamed.class, st -> {
          assertThat(st.eventType()).isEqualTo(RunEvent.STEP);
          assertThat(st.data()).isEqualTo(json("{\"name\":\"reserve\",\"status\":\"SUCCEEDED\","
              + "\"compensation\":{\"name\":\"release\",\"status\":null}}"));
        }));
    assertThat(refused(stale.reply()).reason()).isEqualTo(Refused.Reason.RUN_FINISHED);
    assertThat(stale.hasNoEvents()).isTrue();
    assertThat(runActor.expectMessageClass(Granted.class).steps()).containsExactly(step);
    assertThat(e.getRun(runId).steps()).containsExactly(
        new RunStep("reserve", StepStatus.SUCCEEDED,
            new RunStep.CompensationState("release", null)));
  }

  @Test
  void theNextAttemptStartsFromTheLastCheckpointAndTheOldAttemptMayNoLongerCheckpoint() {
    // given an attempt that checkpointed, then failed transiently
    Entity e = new Entity(WorkerConfig.DEFAULT);
    String runId = e.accept();
    long epoch = e.epochOf(runId);
    e.kit.<WriteReply>runCommand(replyTo -> new WorkerEntity.SaveCheckpoint(runId, epoch,
        json("{\"done\":10}"), replyTo));
    e.kit.runCommand(new AttemptOutcome(runId, epoch, Outcome.RETRY, null,
        new RunError(ErrorCode.TRANSIENT_ERROR, "flaky")));
    TestProbe<Granted> runActor = testKit.createTestProbe();

    // when
    e.kit.runCommand(new WorkerEntity.RequestNextAttempt(runId, epoch, runActor.ref()));
    CommandResultWithReply<Command, WorkerEvent, WorkerState, WriteReply> fromOldAttempt =
        e.kit.runCommand(replyTo -> new WorkerEntity.SaveCheckpoint(runId, epoch,
            json("{\"done\":11}"), replyTo));

    // then
    assertThat(runActor.expectMessageClass(Granted.class).checkpoint())
        .isEqualTo(json("{\"done\":10}"));
    assertThat(refused(fromOldAttempt.reply()).reason()).isEqualTo(Refused.Reason.RUN_FINISHED);
    assertThat(fromOldAttempt.hasNoEvents()).isTrue();
  }

  @Test
  void cancelEndsAQueuedRunAndRefusesAFinishedOrUnknownRun() {
    // given one run executing and one waiting
    Entity e = new Entity(WorkerConfig.DEFAULT.withMaxConcurrent(1));
    e.accept();
    String queued = e.accept();

    // when
    CommandResultWithReply<Command, WorkerEvent, WorkerState, CancelReply> cancel =
        e.cancel(queued);

    // then
    assertThat(cancel.reply()).isNotInstanceOf(Refused.class);
    assertThat(lifecycle(cancel.events())).singleElement().isInstanceOfSatisfying(
        WorkerEvent.RunFinished.class, f -> {
          assertThat(f.runId()).isEqualTo(queued);
          assertThat(f.status()).isEqualTo(RunStatus.CANCELLED);
          assertThat(f.error().code()).isEqualTo(ErrorCode.CANCELLED);
        });
    assertThat(e.getRun(queued).status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(e.stats().cancelled()).isEqualTo(1);
    assertThat(e.stats().queued()).isZero();

    // when cancelled again
    CommandResultWithReply<Command, WorkerEvent, WorkerState, CancelReply> again =
        e.cancel(queued);

    // then
    assertThat(refused(again.reply()).reason()).isEqualTo(Refused.Reason.RUN_FINISHED);
    assertThat(again.hasNoEvents()).isTrue();

    // when an id of this entity that it never issued is cancelled
    CommandResultWithReply<Command, WorkerEvent, WorkerState, CancelReply> unknown =
        e.cancel(RunIds.newRunId(e.name, System.currentTimeMillis()));

    // then
    assertThat(refused(unknown.reply()).reason()).isEqualTo(Refused.Reason.UNKNOWN_RUN);
    assertThat(unknown.hasNoEvents()).isTrue();
  }

  @Test
  void cancellingTheExecutingRunCancelsItsAttemptAndStartsTheNextQueuedRun() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT.withMaxConcurrent(1));
    String running = e.accept();
    WorkerContext attempt = e.handler.next().ctx();
    String queued = e.accept();

    // when
    CommandResultWithReply<Command, WorkerEvent, WorkerState, CancelReply> cancel =
        e.cancel(running);

    // then
    assertThat(cancel.reply()).isNotInstanceOf(Refused.class);
    assertThat(attempt.isCancelled()).isTrue();
    assertThat(cancel.events()).as("the finish and the next start are one journal entry").hasSize(1);
    List<WorkerEvent> written = lifecycle(cancel.events());
    assertThat(written).hasSize(2);
    assertThat(written.get(0)).isInstanceOfSatisfying(WorkerEvent.RunFinished.class,
        f -> assertThat(f.status()).isEqualTo(RunStatus.CANCELLED));
    assertThat(written.get(1)).isInstanceOfSatisfying(WorkerEvent.AttemptStarted.class,
        s -> assertThat(s.runId()).isEqualTo(queued));
    assertThat(e.handler.next().ctx().runId()).isEqualTo(queued);
  }

  @Test
  void aRunIsDrivenThroughItsLifecycleByItsRunActor() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT);
    String runId = value(e.call(json("{\"to\":\"a@b.c\"}"), null).reply()).runId();
    TestProbe<RunReply> waiter = testKit.createTestProbe();
    e.kit.runCommand(new WorkerEntity.AwaitResult(runId, waiter.ref()));
    ControlledWorker.Invocation invocation = e.handler.next();
    assertThat(invocation.ctx().attempt()).isEqualTo(1);
    assertThat(invocation.ctx().payload()).isEqualTo(json("{\"to\":\"a@b.c\"}"));
    waiter.expectNoMessage(Duration.ofMillis(50));

    // when the handler completes, and its run actor's report reaches the entity
    invocation.result().complete(json("{\"sent\":true}"));
    AttemptOutcome outcome = e.fromEntity(AttemptOutcome.class);
    CommandResult<Command, WorkerEvent, WorkerState> finished = e.kit.runCommand(outcome);

    // then
    assertThat(outcome.outcome()).isEqualTo(Outcome.SUCCEEDED);
    assertThat(outcome.epoch()).isEqualTo(e.epochOf(runId));
    assertThat(lifecycle(finished.events())).singleElement().isInstanceOf(WorkerEvent.RunFinished.class);
    RunReply awaited = waiter.receiveMessage();
    assertThat(value(awaited).status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(value(awaited).result()).isEqualTo(json("{\"sent\":true}"));
    assertThat(e.getRun(runId).durationMs()).isNotNull();
  }

  /**
   * The real retry path: the handler fails transiently, the run actor reports RETRY, its
   * supervisor restarts it after the backoff and the new incarnation asks for the attempt after
   * the failed one (by that attempt's epoch; a request with any other epoch is ignored).
   */
  @Test
  void aTransientFailureOfTheHandlerLeadsToASecondAttempt() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT.withRetry(
        new RetryPolicy(3, Duration.ofMillis(10), Duration.ofMillis(10), 0.0)));
    String runId = e.accept();
    long epoch = e.epochOf(runId);
    ControlledWorker.Invocation first = e.handler.next();

    // when the handler fails transiently
    first.result().completeExceptionally(new TransientFailure("flaky"));
    AttemptOutcome retry = e.fromEntity(AttemptOutcome.class);
    e.kit.runCommand(retry);

    // then the restarted run actor asks for the attempt after the failed one
    assertThat(retry.outcome()).isEqualTo(Outcome.RETRY);
    assertThat(retry.epoch()).isEqualTo(epoch);
    WorkerEntity.RequestNextAttempt request =
        e.fromEntity(WorkerEntity.RequestNextAttempt.class);
    CommandResult<Command, WorkerEvent, WorkerState> next = e.kit.runCommand(request);
    assertThat(request.epoch()).as("epoch of the failed attempt in RequestNextAttempt")
        .isEqualTo(epoch);
    assertThat(lifecycle(next.events())).singleElement().isInstanceOf(WorkerEvent.AttemptStarted.class);
    assertThat(e.handler.next().ctx().attempt()).isEqualTo(2);
  }

  // streams

  @Test
  void aDurableStreamIsWrittenWithItsBatchesAndDeliveredInTheOrderWritten() {
    // given a run executing attempt 1: its QUEUED and RUNNING events were written with the call
    Entity e = new Entity(WorkerConfig.DEFAULT);
    CommandResultWithReply<Command, WorkerEvent, WorkerState, CallReply> call =
        e.call(json("{}"), null);
    String runId = value(call.reply()).runId();
    long epoch = e.epochOf(runId);

    // when the handler emits two events, one batch, and a superseded attempt emits one
    CommandResultWithReply<Command, WorkerEvent, WorkerState, Command> emits =
        e.kit.runCommand(replyTo -> new WorkerEntity.Batch(List.of(
            new WorkerEntity.Emit(runId, epoch, RunEvent.MESSAGE, json("{\"i\":1}"), RunClock.now()),
            new WorkerEntity.Emit(runId, epoch - 1, RunEvent.MESSAGE, json("{\"stale\":1}"), RunClock.now()),
            new WorkerEntity.Emit(runId, epoch, RunEvent.LOG, json("{\"message\":\"x\"}"), RunClock.now())),
            1, replyTo));
    CommandResult<Command, WorkerEvent, WorkerState> done =
        e.kit.runCommand(e.outcome(runId, Outcome.SUCCEEDED, json("{\"ok\":1}"), null));

    // then
    assertThat(streamed(call.events())).extracting(WorkerEvent.RunStreamed::seq,
        WorkerEvent.RunStreamed::eventType).containsExactly(tuple(1L, "status"), tuple(2L, "status"));
    assertThat(emits.events()).as("one journal entry for the batch").hasSize(1);
    assertThat(streamed(emits.events())).extracting(WorkerEvent.RunStreamed::seq,
        WorkerEvent.RunStreamed::data).containsExactly(tuple(3L, json("{\"i\":1}")),
        tuple(4L, json("{\"message\":\"x\"}")));
    List<WorkerEvent> end = flatten(done.events());
    assertThat(end).hasSize(2);
    assertThat(end.get(0)).isInstanceOfSatisfying(WorkerEvent.RunStreamed.class, t -> {
      assertThat(t.seq()).isEqualTo(5);
      assertThat(t.eventType()).isEqualTo(RunEvent.RESULT);
      assertThat(t.data()).as("the finished run is in the RunFinished").isNull();
    });
    assertThat(end.get(1)).isInstanceOf(WorkerEvent.RunFinished.class);
    assertThat(e.kit.getState().run(runId).orElseThrow().streamSeq()).isEqualTo(5);
    List<RunEvent> seen = Await.result(e.services.streams().get(runId).orElseThrow().subscribe(0)
        .runWith(org.apache.pekko.stream.javadsl.Sink.seq(), testKit.system()));
    assertThat(seen).extracting(RunEvent::seq).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(seen.get(4).data().get("result")).isEqualTo(json("{\"ok\":1}"));
  }

  @Test
  void emitsWaitingForTheirWriteAreBoundedPerRun() {
    // given a running attempt whose three emits (the limit in this test) are not written yet
    Entity e = new Entity(WorkerConfig.DEFAULT);
    String runId = e.accept();
    WorkerContext ctx = e.handler.next().ctx();
    for (int i = 0; i < 3; i++) {
      ctx.emit(json("{\"i\":" + i + "}"));
    }

    // when a fourth is emitted, then the first one is written, and another is emitted
    Throwable refused = org.assertj.core.api.Assertions.catchThrowable(
        () -> ctx.emit(json("{\"i\":3}")));
    e.kit.runCommand(e.fromEntity(WorkerEntity.Emit.class));
    ctx.emit(json("{\"i\":4}"));

    // then the fourth was refused at once, and the next one went to the entity
    assertThat(refused).isInstanceOf(dev.troupe.api.RunRejectedException.class)
        .hasMessageContaining("max-unwritten-emits");
    assertThat(e.fromEntity(WorkerEntity.Emit.class).data()).isEqualTo(json("{\"i\":1}"));
    assertThat(e.fromEntity(WorkerEntity.Emit.class).data()).isEqualTo(json("{\"i\":2}"));
    assertThat(e.fromEntity(WorkerEntity.Emit.class).data()).isEqualTo(json("{\"i\":4}"));
    assertThat(e.kit.getState().run(runId).orElseThrow().streamSeq()).isEqualTo(3);
  }

  @Test
  void aDurableStreamGoesOnAfterItsLastWrittenEventWhenTheEntityRestarts() {
    // given a run that wrote events 1 to 3, when its entity restarts
    Entity e = new Entity(WorkerConfig.DEFAULT.withRetry(RetryPolicy.DEFAULT.withMaxAttempts(3)));
    String runId = e.accept();
    e.kit.runCommand(new WorkerEntity.Emit(runId, e.epochOf(runId), RunEvent.MESSAGE,
        json("{\"i\":1}"), RunClock.now()));
    e.handler.next();

    // when
    e.kit.restart();
    e.stats();

    // then attempt 2's RUNNING event is number 4, and its subscribers are sent to storage for 1-3
    assertThat(streamed(e.journalEntries())).extracting(WorkerEvent.RunStreamed::seq)
        .containsExactly(1L, 2L, 3L, 4L);
    assertThat(e.handler.next().ctx().attempt()).isEqualTo(2);
    List<RunEvent> seen = Await.result(e.services.streams().get(runId).orElseThrow().subscribe(0).take(2)
        .runWith(org.apache.pekko.stream.javadsl.Sink.seq(), testKit.system()));
    assertThat(seen.get(0).data().get("gap")).hasToString("{\"from\":1,\"to\":3}");
    assertThat(seen.get(0).data().get("stored").asBoolean()).isTrue();
    assertThat(seen.get(1).seq()).isEqualTo(4);
    assertThat(seen.get(1).data().get("attempt").asInt()).isEqualTo(2);
  }

  @Test
  void aNonDurableStreamReservesItsNumbersAndASessionAfterARestartStartsPastThem() {
    // given a run with a non-durable stream, executing, when its entity restarts
    Entity e = new Entity(WorkerConfig.DEFAULT.withDurableStream(false)
        .withRetry(RetryPolicy.DEFAULT.withMaxAttempts(3)));
    CommandResultWithReply<Command, WorkerEvent, WorkerState, CallReply> call =
        e.call(json("{}"), null);
    String runId = value(call.reply()).runId();
    e.handler.next().ctx().emit(json("{\"i\":1}"));

    // when
    e.kit.restart();
    e.stats();

    // then nothing of the stream was written but two reservations, one per session
    assertThat(streamed(e.journalEntries())).isEmpty();
    assertThat(flatten(e.journalEntries())).filteredOn(WorkerEvent.StreamReserved.class::isInstance)
        .extracting(ev -> ((WorkerEvent.StreamReserved) ev).upTo())
        .containsExactly(RunStream.VOLATILE_RESERVE, 2 * RunStream.VOLATILE_RESERVE);
    assertThat(flatten(call.events()).get(1)).as("reserved before the first number is given")
        .isInstanceOf(WorkerEvent.StreamReserved.class);
    assertThat(e.handler.next().ctx().attempt()).isEqualTo(2);
    List<RunEvent> seen = Await.result(e.services.streams().get(runId).orElseThrow().subscribe(3).take(2)
        .runWith(org.apache.pekko.stream.javadsl.Sink.seq(), testKit.system()));
    assertThat(seen.get(0).data().get("gap")).as("what the earlier session gave out is lost")
        .hasToString("{\"from\":4,\"to\":" + RunStream.VOLATILE_RESERVE + "}");
    assertThat(seen.get(0).data().get("stored").asBoolean()).isFalse();
    assertThat(seen.get(1).seq()).isEqualTo(RunStream.VOLATILE_RESERVE + 1);
  }

  // restarts and recovery

  @Test
  void aRestartKeepsTheRunsAndTheStats() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT);
    String ok = value(e.call(json("{}"), "key-1").reply()).runId();
    String bad = e.accept();
    e.kit.runCommand(e.outcome(ok, Outcome.SUCCEEDED, json("{\"r\":1}"), null));
    e.kit.runCommand(e.outcome(bad, Outcome.FAILED, null,
        new RunError(ErrorCode.PERMANENT_ERROR, "no")));
    WorkerStats statsBefore = e.stats();
    RunResult okBefore = e.getRun(ok);
    RunResult badBefore = e.getRun(bad);

    // when
    e.kit.restart();

    // then
    assertThat(e.stats()).isEqualTo(statsBefore);
    assertThat(e.getRun(ok)).isEqualTo(okBefore);
    assertThat(e.getRun(bad)).isEqualTo(badBefore);
    assertThat(value(e.call(json("{}"), "key-1").reply()))
        .isEqualTo(new Accepted(ok, true, RunStatus.SUCCEEDED, null));
  }

  @Test
  void afterARestartARunningRunIsQueuedFirstAndStartedAgainWhileAttemptsRemain() {
    // given one run executing attempt 1 and one waiting behind it
    Entity e = new Entity(WorkerConfig.DEFAULT.withMaxConcurrent(1)
        .withRetry(RetryPolicy.DEFAULT.withMaxAttempts(3)));
    String running = e.accept();
    long epoch = e.epochOf(running);
    String waiting = e.accept();
    assertThat(e.handler.next().ctx().attempt()).isEqualTo(1);
    int entriesBefore = e.journalEntries().size();

    // when the entity restarts (its run actor is gone) and gets its first command
    e.kit.restart();
    WorkerStats stats = e.stats();

    // then
    List<WorkerEvent> afterRestart = lifecycle(e.journalEntries().subList(entriesBefore,
        e.journalEntries().size()));
    assertThat(afterRestart).hasSize(2);
    assertThat(afterRestart.get(0)).isInstanceOfSatisfying(WorkerEvent.RunInterrupted.class,
        i -> assertThat(i.runId()).isEqualTo(running));
    assertThat(afterRestart.get(1)).isInstanceOfSatisfying(WorkerEvent.AttemptStarted.class, s -> {
      assertThat(s.runId()).isEqualTo(running);
      assertThat(s.attempt()).isEqualTo(2);
      assertThat(s.epoch()).isGreaterThan(epoch);
    });
    assertThat(stats.running()).isEqualTo(1);
    assertThat(stats.queued()).isEqualTo(1);
    assertThat(e.getRun(waiting).status()).isEqualTo(RunStatus.QUEUED);
    assertThat(e.getRun(running).attempts()).isEqualTo(2);
    ControlledWorker.Invocation again = e.handler.next();
    assertThat(again.ctx().runId()).isEqualTo(running);
    assertThat(again.ctx().attempt()).isEqualTo(2);
  }

  @Test
  void afterARestartARunningRunWithoutAttemptsLeftFailsAndTheNextOneStarts() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT.withMaxConcurrent(1).withRetry(RetryPolicy.NONE));
    String running = e.accept();
    String waiting = e.accept();

    // when
    e.kit.restart();
    WorkerStats stats = e.stats();

    // then
    RunResult lost = e.getRun(running);
    assertThat(lost.status()).isEqualTo(RunStatus.FAILED);
    assertThat(lost.error().code()).isEqualTo(ErrorCode.TRANSIENT_ERROR);
    assertThat(lost.error().message()).contains("interrupted");
    assertThat(stats.failed()).isEqualTo(1);
    assertThat(stats.errors()).isEqualTo(1);
    assertThat(e.getRun(waiting).status()).isEqualTo(RunStatus.RUNNING);
  }

  /** Records a succeeded step with a compensation for the run's current attempt. */
  private static void recordStepToCompensate(Entity e, String runId) {
    long epoch = e.epochOf(runId);
    e.kit.<WriteReply>runCommand(replyTo -> new WorkerEntity.RecordStep(runId, epoch,
        StepRecord.succeeded("reserve", "java.lang.String", json("\"r-1\""), "release"),
        replyTo));
  }

  /**
   * Completes the handler of the attempt under way (it registers no compensation) and forwards
   * what its run actor sends: the compensation's record, then the outcome, which is returned.
   */
  private static AttemptOutcome compensateAndReport(Entity e) {
    e.handler.next().result().complete(json("{}"));
    e.kit.runCommand(e.fromEntity(WorkerEntity.RecordStep.class));
    AttemptOutcome outcome = e.fromEntity(AttemptOutcome.class);
    e.kit.runCommand(outcome);
    return outcome;
  }

  @Test
  void aLostLastAttemptWithAStepToCompensateGetsOneCompensatingAttemptThenEndsFailed() {
    // given a run of one attempt that recorded a step with a compensation
    Entity e = new Entity(WorkerConfig.DEFAULT.withRetry(RetryPolicy.NONE));
    String runId = e.accept();
    recordStepToCompensate(e, runId);
    assertThat(e.handler.next().ctx().attempt()).isEqualTo(1);
    int entriesBefore = e.journalEntries().size();

    // when the entity restarts (the attempt is lost) and the compensating attempt reports
    e.kit.restart();
    e.stats();
    AttemptOutcome outcome = compensateAndReport(e);

    // then the failure was recorded before the extra attempt, which was no retry, and the run
    // ended FAILED with the loss as its error once the compensation was recorded
    List<WorkerEvent> after = lifecycle(e.journalEntries().subList(entriesBefore,
        e.journalEntries().size()));
    assertThat(after.get(0)).isInstanceOfSatisfying(
        WorkerEvent.FailureCompensationRequested.class,
        f -> assertThat(f.error().message()).contains("interrupted: attempt 1"));
    assertThat(after.get(1)).isInstanceOf(WorkerEvent.RunInterrupted.class);
    assertThat(after.get(2)).isInstanceOfSatisfying(WorkerEvent.AttemptStarted.class,
        s -> assertThat(s.attempt()).isEqualTo(1));
    assertThat(outcome.outcome()).isEqualTo(Outcome.FAILED);
    RunResult r = e.getRun(runId);
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.error().message()).contains("interrupted: attempt 1", "no attempt is left");
    assertThat(r.steps()).containsExactly(new RunStep("reserve", StepStatus.SUCCEEDED,
        new RunStep.CompensationState("release", StepStatus.FAILED)));
    assertThat(flatten(e.journalEntries())).filteredOn(WorkerEvent.RunFinished.class::isInstance)
        .hasSize(1);
  }

  @Test
  void aDrainCancelOfARunWithAStepToCompensateLeavesItToTheNextIncarnationToCompensate() {
    // given a draining entity whose run recorded a step with a compensation
    Entity e = new Entity(WorkerConfig.DEFAULT);
    String runId = e.accept();
    recordStepToCompensate(e, runId);
    e.handler.next();
    TestProbe<Done> drained = testKit.createTestProbe();
    TestProbe<Done> cancelled = testKit.createTestProbe();
    e.kit.runCommand(new WorkerEntity.Drain(drained.ref()));

    // when the drain cancels the runs left, and the entity starts again (elsewhere, or later)
    CommandResult<Command, WorkerEvent, WorkerState> cancel = e.kit.runCommand(
        new WorkerEntity.CancelExecuting("node stopping", cancelled.ref()));
    cancelled.expectMessage(Done.getInstance());
    drained.expectMessage(Done.getInstance());
    RunStatus afterDrain = e.getRun(runId).status();
    e.kit.restart();
    e.stats();
    AttemptOutcome outcome = compensateAndReport(e);

    // then the cancel was recorded and the run queued, not ended; the next incarnation's attempt
    // compensated it and ended it CANCELLED
    assertThat(lifecycle(cancel.events())).satisfiesExactly(
        ev -> assertThat(ev).isInstanceOf(WorkerEvent.CancelRequested.class),
        ev -> assertThat(ev).isInstanceOf(WorkerEvent.RunInterrupted.class));
    assertThat(afterDrain).isEqualTo(RunStatus.QUEUED);
    assertThat(outcome.outcome()).isEqualTo(Outcome.CANCELLED);
    RunResult r = e.getRun(runId);
    assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(r.steps()).singleElement().extracting(RunStep::compensation)
        .isEqualTo(new RunStep.CompensationState("release", StepStatus.FAILED));
  }

  @Test
  void aSnapshotIsSavedEveryNEntriesAndRecoveryFromItAloneRestoresTheState() {
    // given five journal entries (snapshot-every = 5 in this test's config), all runs finished
    Entity e = new Entity(WorkerConfig.DEFAULT);
    String first = value(e.call(json("{}"), "first").reply()).runId();
    String second = e.accept();
    String third = e.accept();
    e.kit.runCommand(e.outcome(first, Outcome.SUCCEEDED, json("{\"i\":1}"), null));
    e.kit.<Command>runCommand(replyTo -> new WorkerEntity.Batch(List.of(
        e.outcome(second, Outcome.SUCCEEDED, json("{\"i\":2}"), null),
        e.outcome(third, Outcome.FAILED, null, new RunError(ErrorCode.PERMANENT_ERROR, "x"))),
        1, replyTo));
    assertThat(e.journalEntries()).hasSize(5);
    WorkerState before = e.kit.getState();
    WorkerStats statsBefore = e.stats();

    // when the snapshot is saved, the events are gone and the entity restarts
    await().atMost(Duration.ofSeconds(5)).until(() ->
        e.kit.snapshotTestKit().orElseThrow().persistedInStorage(e.pid).stream()
            .map(p -> p.first().sequenceNr()).anyMatch(seq -> seq == 5L));
    e.kit.persistenceTestKit().clearByIdPreservingSeqNumbers(e.pid);
    WorkerState recovered = e.kit.restart().state();

    // then
    for (String runId : List.of(first, second, third)) {
      assertThat(recovered.run(runId)).isEqualTo(before.run(runId));
    }
    assertThat(recovered.stats()).isEqualTo(before.stats());
    assertThat(recovered.nextEpoch()).isEqualTo(before.nextEpoch());
    assertThat(e.stats()).isEqualTo(statsBefore);
    assertThat(value(e.call(json("{}"), "first").reply()))
        .isEqualTo(new Accepted(first, true, RunStatus.SUCCEEDED, null));
  }

  // journal failures

  @Test
  void whenTheWriteOfACallFailsTheCallerIsNotAnsweredAndTheRunIsNotKept() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT);
    TestProbe<CallReply> caller = testKit.createTestProbe();
    e.kit.persistenceTestKit().failNextPersisted();

    // when
    e.self().tell(new WorkerEntity.Call(json("{}"), LONG_TIMEOUT_MS, "lost", List.of(),
        caller.ref()));

    // then
    caller.expectNoMessage(Duration.ofMillis(500));
    assertThat(e.journalEntries()).isEmpty();
    WorkerStats stats = e.stats(); // answered once the entity has restarted after its backoff
    assertThat(stats.running() + stats.queued()).isZero();
    assertThat(e.kit.restart().state().activeRuns()).isEmpty();
    assertThat(e.handler.invocations).isEmpty();
    CommandResultWithReply<Command, WorkerEvent, WorkerState, CallReply> retried =
        e.call(json("{}"), "lost");
    assertThat(value(retried.reply()).existing()).isFalse();
  }

  @Test
  void whenTheWriteOfACallIsRejectedTheCallerIsNotAnsweredAndTheStateIsUnchanged() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT);
    String before = e.accept();
    e.kit.runCommand(e.outcome(before, Outcome.SUCCEEDED, json("{}"), null));
    WorkerStats statsBefore = e.stats();
    TestProbe<CallReply> caller = testKit.createTestProbe();
    e.kit.persistenceTestKit().rejectNextPersisted();

    // when
    e.self().tell(new WorkerEntity.Call(json("{}"), LONG_TIMEOUT_MS, "rejected", List.of(),
        caller.ref()));

    // then
    caller.expectNoMessage(Duration.ofMillis(500));
    assertThat(e.journalEntries()).hasSize(2);
    WorkerState recovered = e.kit.restart().state();
    assertThat(recovered.activeRuns()).isEmpty();
    assertThat(recovered.runByIdempotencyKey("rejected")).isEmpty();
    assertThat(e.stats()).isEqualTo(statsBefore);
  }

  /**
   * A failed journal write restarts the entity in place (its onPersistFailure backoff
   * supervisor): its run actors stop but the WorkerEntity object survives. The runs that were
   * executing must be dispatched again, not left RUNNING with no actor holding their slots.
   */
  @Test
  void aCallThatArrivesAfterItsCallerGaveUpIsRefusedAndNotRecorded() {
    // given an entity, and a call whose caller gave up a second ago (sharding held it)
    Entity e = new Entity(WorkerConfig.DEFAULT);
    long gaveUp = System.currentTimeMillis() - 1000;

    // when it arrives
    CommandResultWithReply<Command, WorkerEvent, WorkerState, CallReply> result =
        e.kit.runCommand((ActorRef<CallReply> replyTo) -> new WorkerEntity.Call(
            json("{}"), LONG_TIMEOUT_MS, null, List.of(), RunSpec.DEFAULT, gaveUp, replyTo));

    // then nothing is written and the reply says why
    assertThat(result.events()).isEmpty();
    assertThat(result.reply()).isInstanceOf(Refused.class);
    assertThat(refused(result.reply()).message()).contains("after its caller had given up");
    assertThat(e.stats().runs()).isZero();
  }

  @Test
  void aRunThatWasExecutingWhenAJournalWriteFailedIsDispatchedAgain() {
    // given one run executing
    Entity e = new Entity(WorkerConfig.DEFAULT.withMaxConcurrent(1));
    String running = e.accept();
    WorkerContext firstAttempt = e.handler.next().ctx();
    TestProbe<CallReply> caller = testKit.createTestProbe();
    e.kit.persistenceTestKit().failNextPersisted();

    // when a write fails and the entity restarts
    e.self().tell(new WorkerEntity.Call(json("{}"), LONG_TIMEOUT_MS, null, List.of(),
        caller.ref()));
    caller.expectNoMessage(Duration.ofMillis(500));
    e.stats(); // the first command after the restart

    // then its lost attempt is replaced by a new one
    assertThat(firstAttempt.isCancelled()).as("the attempt stopped with the entity").isTrue();
    assertThat(flatten(e.journalEntries()))
        .as("the run was queued again after the restart (RunInterrupted)")
        .anySatisfy(ev -> assertThat(ev).isInstanceOfSatisfying(WorkerEvent.RunInterrupted.class,
            i -> assertThat(i.runId()).isEqualTo(running)));
    ControlledWorker.Invocation again = e.handler.poll(Duration.ofSeconds(1));
    assertThat(again).as("a new attempt of the run interrupted by the journal failure").isNotNull();
    assertThat(again.ctx().runId()).isEqualTo(running);
    assertThat(again.ctx().attempt()).isEqualTo(2);
  }

  @Test
  void whenTheWriteOfABatchFailsWithNothingWrittenTheRunExecutingKeepsItsAttempt() {
    // given one run executing
    Entity e = new Entity(WorkerConfig.DEFAULT.withMaxConcurrent(1));
    String running = e.accept();
    ControlledWorker.Invocation attempt = e.handler.next();
    TestProbe<CallReply> caller = testKit.createTestProbe();
    e.kit.persistenceTestKit().failNextPersisted();

    // when the write of a batch of two calls from the front fails
    e.self().tell(new WorkerEntity.Batch(List.of(
        new WorkerEntity.Call(json("{}"), LONG_TIMEOUT_MS, null, List.of(), caller.ref()),
        new WorkerEntity.Call(json("{}"), LONG_TIMEOUT_MS, null, List.of(), caller.ref())),
        9, e.front.ref()));

    // then the front is told to decide the batch's commands again, nothing of it being written
    WorkerEntity.CoreRecovered told = null;
    while (told == null) { // past the notice of the entity's first recovery
      Command m = e.front.receiveMessage(Duration.ofSeconds(10));
      told = m instanceof WorkerEntity.CoreRecovered r && r.failedBatch() == 9 ? r : null;
    }
    assertThat(told.failedBatch()).isEqualTo(9);
    assertThat(told.written()).isFalse();
    assertThat(told.refusal()).isNotNull();
    // and the run's attempt goes on: neither cancelled nor interrupted, and it ends as attempt 1
    e.stats();
    assertThat(attempt.ctx().isCancelled()).isFalse();
    assertThat(flatten(e.journalEntries())).noneMatch(WorkerEvent.RunInterrupted.class::isInstance);
    attempt.result().complete(json("{}"));
    e.kit.runCommand(e.fromEntity(AttemptOutcome.class));
    assertThat(e.getRun(running).status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(e.getRun(running).attempts()).isEqualTo(1);
  }

  // serialization

  @Test
  void everyCommandAndReplyRoundTripsThroughItsSerializer() throws Exception {
    // given
    SerializationTestKit serialization = new SerializationTestKit(testKit.system());
    String runId = RunIds.newRunId("echo", System.currentTimeMillis());
    TestProbe<CallReply> accepted = testKit.createTestProbe();
    TestProbe<CancelReply> cancelled = testKit.createTestProbe();
    TestProbe<WriteReply> written = testKit.createTestProbe();
    TestProbe<WorkerEntity.ChildrenCancelled> childrenCancelled = testKit.createTestProbe();
    TestProbe<RunReply> result = testKit.createTestProbe();
    TestProbe<WorkerEntity.ActiveRuns> active = testKit.createTestProbe();
    TestProbe<WorkerStats> stats = testKit.createTestProbe();
    TestProbe<StreamReply> stream = testKit.createTestProbe();
    TestProbe<Done> plainDone = testKit.createTestProbe();
    TestProbe<RunActor.Command> runActor = testKit.createTestProbe();
    TestProbe<Granted> grants = testKit.createTestProbe();
    TestProbe<Command> front = testKit.createTestProbe();
    List<Command> commands = List.of(
        new WorkerEntity.Call(json("{\"a\":[1,2]}"), 1000, "key", List.of("t"), accepted.ref()),
        new WorkerEntity.Cancel(runId, cancelled.ref()),
        new WorkerEntity.CancelChildren(runId, childrenCancelled.ref()),
        new WorkerEntity.GetRun(runId, result.ref()),
        new WorkerEntity.GetActive(active.ref()),
        new WorkerEntity.GetActivePage(new RunQuery(null, null, 20, "MTIzOjAxSkQ", runId, "t",
            RunClock.now().minusSeconds(60), RunClock.now()), active.ref()),
        new WorkerEntity.GetStats(stats.ref()),
        new WorkerEntity.Subscribe(runId, 3, stream.ref()),
        new WorkerEntity.AwaitResult(runId, result.ref()),
        new WorkerEntity.Drain(plainDone.ref()),
        new WorkerEntity.CancelExecuting("node stopping", plainDone.ref()),
        WorkerEntity.Stop.INSTANCE,
        WorkerEntity.HandOff.INSTANCE,
        WorkerEntity.HandOver.INSTANCE,
        WorkerEntity.HandedOff.INSTANCE,
        new AttemptOutcome(runId, 4, Outcome.SUCCEEDED, json("{\"ok\":1}"), null),
        new AttemptOutcome(runId, 4, Outcome.FAILED, null,
            new RunError(ErrorCode.PERMANENT_ERROR, "bad")),
        new AttemptOutcome(runId, 4, Outcome.RETRY, json("{}"),
            new RunError(ErrorCode.TRANSIENT_ERROR, "again")),
        new WorkerEntity.RequestNextAttempt(runId, 4, grants.ref()),
        new WorkerEntity.SaveCheckpoint(runId, 4, json("{\"i\":9}"), written.ref()),
        new WorkerEntity.Emit(runId, 4, RunEvent.MESSAGE, json("{\"i\":9}"), RunClock.now()),
        WorkerEntity.SlotsFreed.INSTANCE,
        new WorkerEntity.BatchDone(5, true),
        new WorkerEntity.BatchTimedOut(5),
        WorkerEntity.Resume.INSTANCE,
        new WorkerEntity.ChildStopped(runId, runActor.ref()));

    // when / then
    for (Command c : commands) {
      assertRoundTrips(serialization, c);
    }
    assertRoundTrips(serialization, new WorkerEntity.Batch(commands, 6, front.ref()));
    List<Object> replies = List.of(
        new Accepted(runId, true),
        new WorkerEntity.ActiveRuns(List.of()),
        new Granted(2, 7, json("{\"i\":9}"), List.of(), false, null),
        new Refused(Refused.Reason.QUEUE_FULL, "worker 'echo' has 10 runs waiting"),
        WorkerEntity.Cancelled.INSTANCE,
        WorkerEntity.Written.INSTANCE,
        new WorkerEntity.ChildrenCancelled(2),
        new WorkerEntity.RunFound(new RunResult(runId, "echo", RunStatus.SUCCEEDED, 1,
            RunClock.now(), RunClock.now(), RunClock.now(), 3L, json("{}"), json("{\"ok\":1}"),
            null, List.of("t"))),
        new WorkerEntity.StreamOpened(Source.single(
            new RunEvent(1, RunEvent.MESSAGE, json("{}"), RunClock.now()))
            .runWith(StreamRefs.sourceRef(), testKit.system())));
    for (Object r : replies) {
      assertRoundTrips(serialization, r);
    }
  }

  @Test
  void everyEventRoundTripsThroughItsSerializer() {
    // given
    SerializationTestKit serialization = new SerializationTestKit(testKit.system());
    String runId = RunIds.newRunId("echo", System.currentTimeMillis());
    Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    List<WorkerEvent> events = List.of(
        new WorkerEvent.RunAccepted(runId, json("{\"p\":1}"), 1000, "k", List.of("t"), at),
        new WorkerEvent.AttemptStarted(runId, 1, 1, at),
        new WorkerEvent.AttemptFailed(runId, 1, new RunError(ErrorCode.TRANSIENT_ERROR, "x"), at),
        new WorkerEvent.Checkpointed(runId, 1, json("{\"c\":2}"), at),
        new WorkerEvent.RunInterrupted(runId, at),
        new WorkerEvent.RunFinished(runId, RunStatus.SUCCEEDED, json("{\"r\":3}"), null, at),
        new WorkerEvent.RunFinished(runId, RunStatus.FAILED, null,
            new RunError(ErrorCode.PERMANENT_ERROR, "no"), at),
        new WorkerEvent.RunStreamed(runId, 3, RunEvent.LOG, json("{\"message\":\"m\"}"), at),
        new WorkerEvent.RunStreamed(runId, 4, RunEvent.ERROR, null, at),
        new WorkerEvent.StreamReserved(runId, RunStream.VOLATILE_RESERVE, at));

    // when / then
    for (WorkerEvent event : events) {
      assertRoundTrips(serialization, event);
    }
    assertRoundTrips(serialization, new WorkerEvent.Recorded(events));
  }

  /**
   * Jackson reads a JSON null into a {@code JsonNode} field as {@code NullNode}; a run that ended
   * without a result must still have none after its events come back from the journal.
   */
  @Test
  void aRunWithoutResultHasNoResultAfterTheJournalRoundTrip() {
    // given
    SerializationTestKit serialization = new SerializationTestKit(testKit.system());
    WorkerEvent.RunFinished failed = new WorkerEvent.RunFinished(
        RunIds.newRunId("echo", System.currentTimeMillis()), RunStatus.FAILED, null,
        new RunError(ErrorCode.PERMANENT_ERROR, "no"), RunClock.now());

    // when
    WorkerEvent.RunFinished read = serialization.verifySerialization(failed, false);

    // then
    assertThat(read.result()).isNull();
  }

  /**
   * A snapshot in the JDBC store is the state serialized with Pekko's Jackson serializer. Every
   * run, the queue, the idempotency keys, the stats and the next epoch must come back as they were
   * (a run that never checkpointed still without checkpoint, a failed run without result).
   */
  @Test
  void theStateRoundTripsThroughItsSerializerAsInASnapshot() {
    // given runs in every kind of status
    SerializationTestKit serialization = new SerializationTestKit(testKit.system());
    WorkerState.Limits limits = new WorkerState.Limits(1000, 1024);
    Instant at = Instant.now().truncatedTo(ChronoUnit.MILLIS);
    String queued = RunIds.newRunId("echo", at.toEpochMilli());
    String running = RunIds.newRunId("echo", at.toEpochMilli());
    String checkpointed = RunIds.newRunId("echo", at.toEpochMilli());
    String succeeded = RunIds.newRunId("echo", at.toEpochMilli());
    String failed = RunIds.newRunId("echo", at.toEpochMilli());
    WorkerState state = WorkerState.empty();
    long epoch = 1;
    for (String id : List.of(running, checkpointed, succeeded, failed, queued)) {
      state = state.apply(new WorkerEvent.RunAccepted(id, json("{}"), 1000, "key-" + id,
          List.of(), at), limits);
    }
    for (String id : List.of(running, checkpointed, succeeded, failed)) {
      state = state.apply(new WorkerEvent.AttemptStarted(id, 1, epoch++, at), limits);
    }
    state = state.apply(new WorkerEvent.Checkpointed(checkpointed, 2, json("{\"c\":1}"), at), limits);
    state = state.apply(new WorkerEvent.RunStreamed(running, 7, RunEvent.MESSAGE, json("{}"), at),
        limits);
    state = state.apply(new WorkerEvent.RunFinished(succeeded, RunStatus.SUCCEEDED,
        json("{\"r\":1}"), null, at.plusMillis(5)), limits);
    state = state.apply(new WorkerEvent.RunFinished(failed, RunStatus.FAILED, null,
        new RunError(ErrorCode.PERMANENT_ERROR, "no"), at.plusMillis(7)), limits);

    // when
    WorkerState copy = serialization.verifySerialization(state, false);

    // then
    for (String id : List.of(queued, running, checkpointed, succeeded, failed)) {
      assertThat(copy.run(id)).as("run %s", id).isEqualTo(state.run(id));
      assertThat(copy.runByIdempotencyKey("key-" + id).map(RunRecord::runId)).contains(id);
    }
    assertThat(copy.run(running).orElseThrow().checkpoint()).as("checkpoint of a run that never saved one").isNull();
    assertThat(copy.run(running).orElseThrow().streamSeq()).as("its stream's last number").isEqualTo(7);
    assertThat(copy.run(failed).orElseThrow().result()).as("result of a failed run").isNull();
    assertThat(copy.queue()).isEqualTo(state.queue());
    assertThat(copy.stats()).isEqualTo(state.stats());
    assertThat(copy.nextEpoch()).isEqualTo(state.nextEpoch());
  }

  @Test
  void aNewEntityOfAWorkerNotRegisteredHereAsksToBePassivated() {
    // given a worker this node does not have, whose entity has never written anything
    EntityServices services = EntityServices.of(testKit.system(),
        TroupeSettings.fromConfig(testKit.system().settings().config()), JSON,
        new WorkerRegistry(), new TroupeMetrics());
    TestProbe<Command> front = testKit.createTestProbe();

    // when its entity starts
    EventSourcedBehaviorTestKit.<Command, WorkerEvent, WorkerState>create(testKit.system(),
        EntityCore.create("ghost-" + NAMES.incrementAndGet(), services, front.ref()));

    // then it tells its front to passivate it, rather than resuming anything
    front.expectMessage(WorkerEntity.CoreRecovered.CLEAN);
    front.expectMessage(WorkerEntity.Unregistered.INSTANCE);
  }

  @Test
  void aWrittenEntityOfAWorkerNotRegisteredHereWatchesForItsWorkerRatherThanPassivating() {
    // given an entity that recorded a run on a node with its worker
    Entity e = new Entity(WorkerConfig.DEFAULT.withMaxConcurrent(1));
    e.accept();
    EntityServices elsewhere = EntityServices.of(testKit.system(),
        TroupeSettings.fromConfig(testKit.system().settings().config()), JSON,
        new WorkerRegistry(), new TroupeMetrics());
    TestProbe<Command> front = testKit.createTestProbe();

    // when its journal recovers on a node without the worker
    testKit.spawn(EntityCore.create(e.name, elsewhere, front.ref()));

    // then it tells its front that it is a stray, to watch whether any member has the worker
    front.expectMessage(WorkerEntity.CoreRecovered.CLEAN);
    front.expectMessage(WorkerEntity.Stray.INSTANCE);
  }

  @Test
  void aCallReachingAnEntityOnANodeWithoutItsWorkerIsRefusedAsRetriable() {
    // given the entity of a worker this node does not have (sharding moves it to a node with it)
    String name = "elsewhere-" + NAMES.incrementAndGet();
    EntityServices services = EntityServices.of(testKit.system(),
        TroupeSettings.fromConfig(testKit.system().settings().config()), JSON,
        new WorkerRegistry(), new TroupeMetrics());
    EventSourcedBehaviorTestKit<Command, WorkerEvent, WorkerState> kit =
        EventSourcedBehaviorTestKit.create(testKit.system(),
            EntityCore.create(name, services, testKit.<Command>createTestProbe().ref()));

    // when a call reaches it
    CommandResultWithReply<Command, WorkerEvent, WorkerState, CallReply> call =
        kit.runCommand(replyTo -> new WorkerEntity.Call(json("{}"), LONG_TIMEOUT_MS, null,
            List.of(), replyTo));

    // then it is refused as retriable (not as an unknown worker), naming the worker and the
    // node, and nothing is recorded
    assertThat(call.reply()).isInstanceOfSatisfying(Refused.class, r -> {
      assertThat(r.reason()).isEqualTo(Refused.Reason.UNAVAILABLE);
      assertThat(r.message()).contains("'" + name + "'")
          .contains(testKit.system().address().toString());
    });
    assertThat(call.hasNoEvents()).isTrue();
  }

  @Test
  void anAttemptThatReportedARetryCanNoLongerCheckpointOrEmit() {
    // given a run whose attempt failed transiently: it waits for its next attempt, same epoch
    Entity e = new Entity(WorkerConfig.DEFAULT);
    String runId = e.accept();
    long epoch = e.epochOf(runId);
    e.kit.runCommand(new AttemptOutcome(runId, epoch, Outcome.RETRY, null,
        new RunError(ErrorCode.TRANSIENT_ERROR, "flaky")));
    assertThat(e.getRun(runId).status()).isEqualTo(RunStatus.RETRYING);

    // when that attempt's thread still checkpoints and emits
    CommandResultWithReply<Command, WorkerEvent, WorkerState, WriteReply> checkpoint =
        e.kit.<WriteReply>runCommand(replyTo -> new WorkerEntity.SaveCheckpoint(runId, epoch,
            json("{\"late\":1}"), replyTo));
    CommandResult<Command, WorkerEvent, WorkerState> emit = e.kit.runCommand(
        new WorkerEntity.Emit(runId, epoch, RunEvent.MESSAGE, json("{\"late\":1}"),
            RunClock.now()));

    // then the checkpoint is refused and nothing is written
    assertThat(checkpoint.reply()).isInstanceOf(Refused.class);
    assertThat(checkpoint.hasNoEvents()).isTrue();
    assertThat(emit.hasNoEvents()).isTrue();
  }

  // helpers

  /** One worker entity under test, with its own worker name (so its own persistence id). */
  private final class Entity {
    final String name = "echo-" + NAMES.incrementAndGet();
    final String pid = WorkerEntity.JOURNAL_NAME + "|" + name;
    final EntityServices services = EntityServices.of(testKit.system(),
        TroupeSettings.fromConfig(testKit.system().settings().config()), JSON,
        new WorkerRegistry(), new TroupeMetrics());
    final TestProbe<Command> front = testKit.createTestProbe();
    final ControlledWorker handler = new ControlledWorker();
    final AtomicReference<ActorRef<Command>> self = new AtomicReference<>();
    final EventSourcedBehaviorTestKit<Command, WorkerEvent, WorkerState> kit;

    /** Commands, replies, events and the state are all checked to serialize. */
    Entity(WorkerConfig config) {
      this(config, EventSourcedBehaviorTestKit.enabledSerializationSettings());
    }

    /** The next message the entity's run actors sent its front, past the entity's recovery notices. */
    <T> T fromEntity(Class<T> type) {
      while (true) {
        Command m = front.receiveMessage();
        if (!(m instanceof WorkerEntity.CoreRecovered)) {
          assertThat(m).isInstanceOf(type);
          return type.cast(m);
        }
      }
    }

    Entity(WorkerConfig config, EventSourcedBehaviorTestKit.SerializationSettings serialization) {
      services.registry().add(
          new Registration(new WorkerDefinition(name, config), handler, null));
      kit = EventSourcedBehaviorTestKit.create(testKit.system(),
          Behaviors.<Command>setup(ctx -> {
            self.set(ctx.getSelf());
            return EntityCore.create(name, services, front.ref());
          }),
          serialization);
    }

    ActorRef<Command> self() {
      return self.get();
    }

    CommandResultWithReply<Command, WorkerEvent, WorkerState, CallReply> call(
        JsonNode payload, String idempotencyKey) {
      return kit.runCommand(replyTo -> new WorkerEntity.Call(payload, LONG_TIMEOUT_MS,
          idempotencyKey, List.of(), replyTo));
    }

    /** Calls with an empty payload and returns the new run's id. */
    String accept() {
      CallReply reply = call(json("{}"), null).reply();
      assertThat(reply).as("call accepted: %s", reply).isNotInstanceOf(Refused.class);
      return value(reply).runId();
    }

    CommandResultWithReply<Command, WorkerEvent, WorkerState, CancelReply> cancel(
        String runId) {
      return kit.runCommand(replyTo -> new WorkerEntity.Cancel(runId, replyTo));
    }

    RunResult getRun(String runId) {
      RunReply reply =
          kit.<RunReply>runCommand(replyTo -> new WorkerEntity.GetRun(runId, replyTo))
              .reply();
      assertThat(reply).as("run %s found: %s", runId, reply).isNotInstanceOf(Refused.class);
      return value(reply);
    }

    WorkerStats stats() {
      return kit.<WorkerStats>runCommand(WorkerEntity.GetStats::new).reply();
    }

    /** The outcome of the current attempt of {@code runId}, as its run actor would report it. */
    AttemptOutcome outcome(String runId, Outcome outcome, JsonNode result, RunError error) {
      return new AttemptOutcome(runId, epochOf(runId), outcome, result, error);
    }

    /** The epoch of the last attempt of {@code runId} that the journal holds. */
    long epochOf(String runId) {
      long epoch = -1;
      for (WorkerEvent ev : flatten(journalEntries())) {
        if (ev instanceof WorkerEvent.AttemptStarted s && s.runId().equals(runId)) {
          epoch = s.epoch();
        }
      }
      assertThat(epoch).as("an attempt of %s was written", runId).isPositive();
      return epoch;
    }

    List<WorkerEvent> journalEntries() {
      List<WorkerEvent> out = new ArrayList<>();
      for (Object o : kit.persistenceTestKit().persistedInStorage(pid)) {
        out.add((WorkerEvent) o);
      }
      return out;
    }
  }

  /** A handler whose attempts the test ends: each attempt waits for its future. */
  static final class ControlledWorker implements Worker {
    record Invocation(WorkerContext ctx, CompletableFuture<JsonNode> result) {}

    final BlockingQueue<Invocation> invocations = new LinkedBlockingQueue<>();

    @Override
    public CompletionStage<JsonNode> run(WorkerContext ctx) {
      CompletableFuture<JsonNode> result = new CompletableFuture<>();
      invocations.add(new Invocation(ctx, result));
      return result;
    }

    Invocation next() {
      Invocation i = poll(Duration.ofSeconds(5));
      assertThat(i).as("the handler was invoked").isNotNull();
      return i;
    }

    Invocation poll(Duration timeout) {
      try {
        return invocations.poll(timeout.toMillis(), TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new AssertionError(e);
      }
    }
  }

  /** Journal entries with the events of every {@link WorkerEvent.Recorded} spelled out. */
  static List<WorkerEvent> flatten(List<WorkerEvent> entries) {
    List<WorkerEvent> out = new ArrayList<>();
    for (WorkerEvent e : entries) {
      if (e instanceof WorkerEvent.Recorded r) {
        out.addAll(flatten(r.events()));
      } else {
        out.add(e);
      }
    }
    return out;
  }

  /**
   * The lifecycle events of journal entries: flattened, without the stream's own events
   * ({@link WorkerEvent.RunStreamed}, {@link WorkerEvent.StreamReserved}), which the tests of
   * streams check by themselves.
   */
  static List<WorkerEvent> lifecycle(List<WorkerEvent> entries) {
    return flatten(entries).stream().filter(e -> !(e instanceof WorkerEvent.RunStreamed)
        && !(e instanceof WorkerEvent.StreamReserved)).toList();
  }

  /** The stream events written in journal entries. */
  static List<WorkerEvent.RunStreamed> streamed(List<WorkerEvent> entries) {
    return flatten(entries).stream().filter(WorkerEvent.RunStreamed.class::isInstance)
        .map(WorkerEvent.RunStreamed.class::cast).toList();
  }

  static JsonNode json(String text) {
    try {
      return JSON.readTree(text);
    } catch (Exception e) {
      throw new IllegalArgumentException(text, e);
    }
  }

  /**
   * {@code message} serializes and deserializes into an object of the same type with the same
   * content (compared by their text, because a JSON null in a JsonNode field of a command or event
   * comes back as NullNode, see {@link #aRunWithoutResultHasNoResultAfterTheJournalRoundTrip}).
   */
  private static void assertRoundTrips(SerializationTestKit serialization, Object message) {
    Object copy = serialization.verifySerialization(message, false);
    assertThat(copy).hasSameClassAs(message).hasToString(message.toString());
  }
}
