package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.tuple;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.Compensation;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.RunStep;
import dev.troupe.api.StepStatus;
import dev.troupe.api.TransientFailure;
import dev.troupe.api.WorkerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Durable steps and their compensations on a real node and journal: a step runs at most once
 * with success per run, across retries and a crash of its node; compensations run in reverse
 * order when the run fails for good, and one that succeeded never runs again, also when a crash
 * interrupts them. See {@link H2DurableStepsTest} and {@link PostgresDurableStepsTest}.
 */
@ExtendWith(LogCapturingExtension.class)
abstract class DurableStepsContract {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String CRASH =
      "pekko.coordinated-shutdown.run-by-actor-system-terminate = off";
  private static final WorkerConfig RETRY_3 = WorkerConfig.DEFAULT.withRetry(
      RetryPolicy.of(3, Duration.ofMillis(20), Duration.ofMillis(50)));
  private static final WorkerConfig ONE_ATTEMPT = WorkerConfig.DEFAULT.withRetry(RetryPolicy.NONE);
  private final List<ActorSystem<Void>> systems = new ArrayList<>();
  /** How often each step's action (or compensation) ran, over every node of a test. */
  private final Map<String, AtomicInteger> ran = new ConcurrentHashMap<>();
  private final List<String> order = new CopyOnWriteArrayList<>();

  abstract String newDatabaseUrl();

  private TroupeNode start(String dbUrl, String extra) {
    ActorSystem<Void> system = TestNodes.system(TestNodes.config(dbUrl, extra));
    systems.add(system);
    return TroupeNode.start(system);
  }

  private static void crash(TroupeNode node) {
    node.system().terminate();
    Await.result(node.system().getWhenTerminated(), 60);
  }

  @AfterEach
  void stopAll() {
    systems.forEach(ActorSystem::terminate);
    systems.forEach(s -> Await.result(s.getWhenTerminated(), 60));
  }

  /** Counts a run of {@code what} and returns {@code value}. */
  private <T> T count(String what, T value) {
    ran.computeIfAbsent(what, k -> new AtomicInteger()).incrementAndGet();
    order.add(what);
    return value;
  }

  private int runs(String what) {
    return ran.getOrDefault(what, new AtomicInteger()).get();
  }

  private <T> Compensation<T> undo(String name) {
    return Compensation.of(name, r -> count(name, r));
  }

  private static List<RunStep.CompensationState> compensations(RunResult r) {
    return r.steps().stream().map(RunStep::compensation).toList();
  }

  @Test
  void aStepRunsOnceWhenItsRunIsRetriedAndItsResultComesBackTyped() {
    // given a handler whose first attempt fails transiently after its step
    TroupeNode node = start(newDatabaseUrl(), "");
    node.registerBlocking("once", RETRY_3, ctx -> {
      Integer n = ctx.step("pick", Integer.class, () -> count("pick", 42));
      if (ctx.attempt() == 1) {
        throw new TransientFailure("not yet");
      }
      return JSON.objectNode().put("n", n);
    });

    // when
    RunResult r = Await.result(node.run("once", JSON.objectNode()));

    // then the step ran once, and attempt 2 got its recorded result
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.attempts()).isEqualTo(2);
    assertThat(r.result().get("n").asInt()).isEqualTo(42);
    assertThat(runs("pick")).isEqualTo(1);
    assertThat(r.steps()).containsExactly(new RunStep("pick", StepStatus.SUCCEEDED, null));
  }

  @Test
  void aStepNameReusedWithAnotherShapeOrAResultOverTheLimitFailsThatRunAlone() {
    // given a node whose steps' results may be 300 bytes at most
    TroupeNode node = start(newDatabaseUrl(), "troupe.worker.max-step-result-bytes = 300");
    node.registerBlocking("reuse", RETRY_3, ctx -> {
      ctx.step("a", Integer.class, () -> 1);
      return JSON.textNode(ctx.step("a", String.class, () -> "one"));
    });
    node.registerBlocking("reuse-undo", RETRY_3, ctx -> {
      ctx.step("b", Integer.class, () -> count("b", 1), undo("undo-b"));
      return JSON.numberNode(ctx.step("b", Integer.class, () -> count("b", 2), undo("undo-other")));
    });
    node.registerBlocking("big", RETRY_3, ctx -> {
      ctx.step("huge", String.class, () -> "x".repeat(1000));
      return JSON.objectNode();
    });
    node.registerBlocking("fine", RETRY_3,
        ctx -> JSON.numberNode(ctx.step("small", Integer.class, () -> 7)));

    // when
    RunResult reuse = Await.result(node.run("reuse", JSON.objectNode()));
    RunResult reuseUndo = Await.result(node.run("reuse-undo", JSON.objectNode()));
    RunResult big = Await.result(node.run("big", JSON.objectNode()));
    RunResult fine = Await.result(node.run("fine", JSON.objectNode()));

    // then each bad run fails at once, saying why; the other run goes on
    assertThat(reuse.status()).isEqualTo(RunStatus.FAILED);
    assertThat(reuse.attempts()).isEqualTo(1);
    assertThat(reuse.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(reuse.error().message()).contains("step 'a'").contains("java.lang.Integer")
        .contains("java.lang.String");
    assertThat(reuseUndo.status()).isEqualTo(RunStatus.FAILED);
    assertThat(reuseUndo.attempts()).isEqualTo(1);
    assertThat(reuseUndo.error().message()).contains("step 'b'").contains("compensation 'undo-b'")
        .contains("'undo-other'");
    assertThat(runs("b")).isEqualTo(1); // the second use's action never ran
    assertThat(runs("undo-b")).isEqualTo(1);
    assertThat(runs("undo-other")).isZero();
    assertThat(big.status()).isEqualTo(RunStatus.FAILED);
    assertThat(big.attempts()).isEqualTo(1);
    assertThat(big.error().message()).contains("step 'huge'")
        .contains("troupe.worker.max-step-result-bytes");
    assertThat(big.steps()).containsExactly(new RunStep("huge", StepStatus.FAILED, null));
    assertThat(fine.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(fine.result().asInt()).isEqualTo(7);
  }

  @Test
  void aRunThatFailsForGoodRunsItsCompensationsInReverseOrderAndReportsTheOneThatFails() {
    // given a saga whose third step fails permanently, the compensation of its second step
    // failing every time
    TroupeNode node = start(newDatabaseUrl(), "");
    node.registerBlocking("saga", RETRY_3, ctx -> {
      ctx.step("a", String.class, () -> count("a", "A"), undo("undo-a"));
      ctx.step("b", String.class, () -> count("b", "B"), Compensation.of("undo-b", r -> {
        count("undo-b", r);
        throw new IllegalStateException("cannot undo b");
      }));
      ctx.step("c", String.class, () -> count("c", "C"), undo("undo-c"));
      ctx.step("d", String.class, () -> {
        throw new PermanentFailure("d is refused");
      }, undo("undo-d"));
      return JSON.objectNode();
    });
    RunHandle h = Await.result(node.call("saga", JSON.objectNode()));

    // when
    RunResult r = Await.result(h.result());

    // then the run failed with d's error, after c, b (3 tries) and a were compensated in order
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.error().message()).isEqualTo("d is refused");
    assertThat(order).containsExactly("a", "b", "c", "undo-c", "undo-b", "undo-b", "undo-b",
        "undo-a");
    assertThat(r.steps()).extracting(RunStep::name, RunStep::status).containsExactly(
        tuple("a", StepStatus.COMPENSATED),
        tuple("b", StepStatus.SUCCEEDED),
        tuple("c", StepStatus.COMPENSATED),
        tuple("d", StepStatus.FAILED));
    assertThat(compensations(r)).containsExactly(
        new RunStep.CompensationState("undo-a", StepStatus.SUCCEEDED),
        new RunStep.CompensationState("undo-b", StepStatus.FAILED),
        new RunStep.CompensationState("undo-c", StepStatus.SUCCEEDED),
        new RunStep.CompensationState("undo-d", null));
    // and the stream told each change as a step event
    List<RunEvent> events = Await.result(h.messages().runWith(Sink.seq(), node.system()));
    List<String> steps = events.stream().filter(e -> e.type().equals(RunEvent.STEP))
        .map(e -> e.data().get("name").asText() + ":" + e.data().get("status").asText()
            + (e.data().get("compensation").isNull() ? ""
                : ":" + e.data().get("compensation").get("status").asText()))
        .toList();
    assertThat(steps).containsExactly("a:STARTED:null", "a:SUCCEEDED:null", "b:STARTED:null",
        "b:SUCCEEDED:null", "c:STARTED:null", "c:SUCCEEDED:null", "d:STARTED:null", "d:FAILED:null",
        "c:COMPENSATED:SUCCEEDED", "b:SUCCEEDED:FAILED", "a:COMPENSATED:SUCCEEDED");
    // and the run history shows the same steps once it has the finished run
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(Await.result(node.runs(new RunQuery("saga", null, 10, null))).runs())
            .singleElement().satisfies(hr -> {
              assertThat(hr.status()).isEqualTo(RunStatus.FAILED);
              assertThat(hr.steps()).isEqualTo(r.steps());
            }));
  }

  @Test
  void aCancelledRunRunsItsCompensationsLastFirstAndEndsCancelled() {
    // given a run that completed two steps with compensations and waits in its third
    TroupeNode node = start(newDatabaseUrl(), "");
    node.registerBlocking("cancelled-saga", RETRY_3, ctx -> {
      ctx.step("a", String.class, () -> count("a", "A"), undo("undo-a"));
      ctx.step("b", String.class, () -> count("b", "B"), undo("undo-b"));
      ctx.step("wait", String.class, () -> {
        count("wait", "W");
        ctx.sleep(Duration.ofMinutes(1));
        return "W";
      });
      return JSON.objectNode();
    });
    RunHandle h = Await.result(node.call("cancelled-saga", JSON.objectNode()));
    await().atMost(Duration.ofSeconds(20)).until(() -> runs("wait") == 1);

    // when
    Await.result(h.cancel());

    // then the compensations ran, last step first, and the run ended CANCELLED
    RunResult r = Await.result(h.result());
    assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(r.error().code()).isEqualTo(ErrorCode.CANCELLED);
    assertThat(order).containsSubsequence("undo-b", "undo-a");
    assertThat(runs("undo-a")).isEqualTo(1);
    assertThat(runs("undo-b")).isEqualTo(1);
    assertThat(r.steps()).extracting(RunStep::name, RunStep::status).startsWith(
        tuple("a", StepStatus.COMPENSATED), tuple("b", StepStatus.COMPENSATED));
  }

  @Test
  void aCancelledRunWithoutStepsToCompensateEndsAtOnce() {
    // given a run whose only step has no compensation
    TroupeNode node = start(newDatabaseUrl(), "");
    node.registerBlocking("plain-steps", RETRY_3, ctx -> {
      ctx.step("a", String.class, () -> count("a", "A"));
      ctx.sleep(Duration.ofMinutes(1));
      return JSON.objectNode();
    });
    RunHandle h = Await.result(node.call("plain-steps", JSON.objectNode()));
    await().atMost(Duration.ofSeconds(20)).until(() -> runs("a") == 1);

    // when
    Await.result(h.cancel());

    // then
    RunResult r = Await.result(h.result());
    assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(r.steps()).containsExactly(new RunStep("a", StepStatus.SUCCEEDED, null));
  }

  /**
   * A saga of three steps, the first two with compensations. Step three waits until its attempt
   * is cancelled (a crash) or, with {@code failThree}, fails permanently; undo-one counts down
   * {@code inUndoOne} and then takes {@code undoTime}.
   */
  private void registerSaga(TroupeNode node, boolean failThree, CountDownLatch inUndoOne,
      Duration undoTime) {
    node.registerBlocking("blocked-saga", RETRY_3, ctx -> {
      ctx.step("one", String.class, () -> count("one", "1"), Compensation.of("undo-one", r -> {
        count("undo-one", r);
        inUndoOne.countDown();
        try {
          Thread.sleep(undoTime.toMillis()); // long enough for the test to crash the node
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
      ctx.step("two", String.class, () -> count("two", "2"), undo("undo-two"));
      ctx.step("three", String.class, () -> {
        count("three", "3");
        if (failThree) {
          throw new PermanentFailure("three failed");
        }
        ctx.sleep(Duration.ofMinutes(1));
        return "3";
      });
      return JSON.objectNode();
    });
  }

  @Test
  void afterCrashesNoCompletedStepRunsAgainAndNoCompensationThatSucceededRunsAgain() {
    // given a run with two completed steps, its third under way, when its node crashes
    String db = newDatabaseUrl();
    TroupeNode first = start(db, CRASH);
    registerSaga(first, false, new CountDownLatch(1), Duration.ZERO);
    RunHandle h = Await.result(first.call("blocked-saga", JSON.objectNode()));
    await().atMost(Duration.ofSeconds(20)).until(() -> runs("three") == 1);
    crash(first);

    // when a new node resumes the run, whose third step now fails for good, and that node too
    // crashes while the compensation of step one runs (after that of step two succeeded)
    CountDownLatch inUndoOne = new CountDownLatch(1);
    TroupeNode second = start(db, CRASH);
    registerSaga(second, true, inUndoOne, Duration.ofSeconds(3));
    await().atMost(Duration.ofSeconds(20)).until(() -> inUndoOne.getCount() == 0);
    crash(second);
    TroupeNode third = start(db, "");
    registerSaga(third, true, new CountDownLatch(1), Duration.ZERO);

    // then the run fails; steps one and two ran once; undo-two ran once, undo-one again only
    // because it was under way when its node crashed; step three did not run on the third node
    RunResult r = Await.result(third.attach(h.runId()).result(), 60);
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.error().message()).contains("three failed");
    assertThat(runs("one")).isEqualTo(1);
    assertThat(runs("two")).isEqualTo(1);
    assertThat(runs("three")).isEqualTo(2);
    assertThat(runs("undo-two")).isEqualTo(1);
    assertThat(runs("undo-one")).isEqualTo(2);
    assertThat(r.steps()).extracting(RunStep::status)
        .containsExactly(StepStatus.COMPENSATED, StepStatus.COMPENSATED, StepStatus.FAILED);
    assertThat(r.attempts()).isEqualTo(3);
  }

  @Test
  void stepsAreRecordedWithTheRunOnAQueuedRunAsWellAsARunningOne() {
    // given a worker of one run at a time, a step-less run queued behind a run with a step
    TroupeNode node = start(newDatabaseUrl(), "");
    node.registerBlocking("plain", WorkerConfig.DEFAULT, ctx -> JSON.objectNode());
    node.registerBlocking("with-step", WorkerConfig.DEFAULT,
        ctx -> (ObjectNode) ctx.step("s", JsonNode.class, () -> JSON.objectNode().put("x", 1)));

    // when
    RunResult plain = Await.result(node.run("plain", JSON.objectNode()));
    RunResult stepped = Await.result(node.run("with-step", JSON.objectNode()));

    // then a run without steps shows none, a JSON step result comes back as it was
    assertThat(plain.steps()).isEmpty();
    assertThat(stepped.result()).isEqualTo(JSON.objectNode().put("x", 1));
    assertThat(stepped.steps()).containsExactly(new RunStep("s", StepStatus.SUCCEEDED, null));
  }

  /**
   * A saga of two steps with compensations, then a step that waits until its attempt is
   * cancelled (a crash, a drain); undo-a counts down {@code inUndoA} and then takes {@code
   * undoTime}.
   */
  private void registerWaitingSaga(TroupeNode node, WorkerConfig config, CountDownLatch inUndoA,
      Duration undoTime) {
    node.registerBlocking("waiting-saga", config, ctx -> {
      ctx.step("a", String.class, () -> count("a", "A"), Compensation.of("undo-a", r -> {
        count("undo-a", r);
        inUndoA.countDown();
        try {
          Thread.sleep(undoTime.toMillis()); // long enough for the test to crash the node
        } catch (InterruptedException e) {
          Thread.currentThread().interrupt();
        }
      }));
      ctx.step("b", String.class, () -> count("b", "B"), undo("undo-b"));
      ctx.step("wait", String.class, () -> {
        count("wait", "W");
        ctx.sleep(Duration.ofMinutes(1));
        return "W";
      });
      return JSON.objectNode();
    });
  }

  @Test
  void aRunWhoseLastAttemptIsLostRunsItsCompensationsAndEndsFailedWithItsError() {
    // given a run of one attempt with two completed steps, its third under way, when its node
    // crashes
    String db = newDatabaseUrl();
    TroupeNode first = start(db, CRASH);
    registerWaitingSaga(first, ONE_ATTEMPT, new CountDownLatch(1), Duration.ZERO);
    RunHandle h = Await.result(first.call("waiting-saga", JSON.objectNode()));
    await().atMost(Duration.ofSeconds(20)).until(() -> runs("wait") == 1);
    crash(first);

    // when a new node takes the run over
    TroupeNode second = start(db, "");
    registerWaitingSaga(second, ONE_ATTEMPT, new CountDownLatch(1), Duration.ZERO);
    RunResult r = Await.result(second.attach(h.runId()).result(), 60);

    // then it ends FAILED with the loss as its error, after both compensations ran once, last
    // step first, without running a step again nor counting as another attempt
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.error().code()).isEqualTo(ErrorCode.TRANSIENT_ERROR);
    assertThat(r.error().message()).contains("interrupted: attempt 1", "no attempt is left");
    assertThat(order).containsSubsequence("undo-b", "undo-a");
    assertThat(runs("undo-a")).isEqualTo(1);
    assertThat(runs("undo-b")).isEqualTo(1);
    assertThat(runs("wait")).isEqualTo(1);
    assertThat(r.steps()).extracting(RunStep::name, RunStep::status).containsExactly(
        tuple("a", StepStatus.COMPENSATED), tuple("b", StepStatus.COMPENSATED));
    assertThat(r.attempts()).isEqualTo(1);
  }

  @Test
  void aCrashDuringTheCompensatingAttemptRunsNoSucceededCompensationAgain() {
    // given a run of one attempt lost with its node after two completed steps
    String db = newDatabaseUrl();
    TroupeNode first = start(db, CRASH);
    registerWaitingSaga(first, ONE_ATTEMPT, new CountDownLatch(1), Duration.ZERO);
    RunHandle h = Await.result(first.call("waiting-saga", JSON.objectNode()));
    await().atMost(Duration.ofSeconds(20)).until(() -> runs("wait") == 1);
    crash(first);

    // when the node that compensates it crashes while undo-a runs (after undo-b succeeded)
    CountDownLatch inUndoA = new CountDownLatch(1);
    TroupeNode second = start(db, CRASH);
    registerWaitingSaga(second, ONE_ATTEMPT, inUndoA, Duration.ofSeconds(3));
    second.attach(h.runId());
    await().atMost(Duration.ofSeconds(30)).until(() -> inUndoA.getCount() == 0);
    crash(second);
    TroupeNode third = start(db, "");
    registerWaitingSaga(third, ONE_ATTEMPT, new CountDownLatch(1), Duration.ZERO);

    // then the run still ends FAILED with its original error; undo-b ran once, undo-a again
    // only because it was under way when its node crashed
    RunResult r = Await.result(third.attach(h.runId()).result(), 60);
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.error().message()).contains("interrupted: attempt 1", "no attempt is left");
    assertThat(runs("undo-b")).isEqualTo(1);
    assertThat(runs("undo-a")).isEqualTo(2);
    assertThat(runs("wait")).isEqualTo(1);
    assertThat(r.steps()).extracting(RunStep::status)
        .containsExactly(StepStatus.COMPENSATED, StepStatus.COMPENSATED);
  }

  @Test
  void aRunCancelledByADrainIsCompensatedWhereItsEntityRunsNextAndEndsCancelled() {
    // given a node that cancels the runs left after a short drain, and a saga waiting in its
    // third step
    String db = newDatabaseUrl();
    TroupeNode first = start(db,
        "troupe.shutdown.after-drain = cancel\ntroupe.shutdown.drain-timeout = 500ms");
    registerWaitingSaga(first, RETRY_3, new CountDownLatch(1), Duration.ZERO);
    RunHandle h = Await.result(first.call("waiting-saga", JSON.objectNode()));
    await().atMost(Duration.ofSeconds(20)).until(() -> runs("wait") == 1);

    // when the node stops (drains, then cancels the run) and another node starts
    crash(first);
    TroupeNode second = start(db, "");
    registerWaitingSaga(second, RETRY_3, new CountDownLatch(1), Duration.ZERO);
    RunResult r = Await.result(second.attach(h.runId()).result(), 60);

    // then the run's compensations ran once each, last step first, and it ended CANCELLED
    assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(order).containsSubsequence("undo-b", "undo-a");
    assertThat(runs("undo-a")).isEqualTo(1);
    assertThat(runs("undo-b")).isEqualTo(1);
    assertThat(runs("wait")).isEqualTo(1);
    assertThat(r.steps()).extracting(RunStep::name, RunStep::status).containsExactly(
        tuple("a", StepStatus.COMPENSATED), tuple("b", StepStatus.COMPENSATED));
  }
}
