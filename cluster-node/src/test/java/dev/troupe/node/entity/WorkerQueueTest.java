package dev.troupe.node.entity;

import static dev.troupe.node.entity.Replies.value;
import static dev.troupe.node.entity.WorkerEntityTest.flatten;
import static dev.troupe.node.entity.WorkerEntityTest.json;
import static dev.troupe.node.entity.WorkerEntityTest.lifecycle;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.api.RateLimit;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerDefinition;
import dev.troupe.api.WorkerStats;
import dev.troupe.node.config.TroupeSettings;
import dev.troupe.node.entity.WorkerEntity.Accepted;
import dev.troupe.node.entity.WorkerEntity.CallReply;
import dev.troupe.node.entity.WorkerEntity.CancelReply;
import dev.troupe.node.entity.WorkerEntity.Command;
import dev.troupe.node.entity.WorkerEntity.Refused;
import dev.troupe.node.entity.WorkerEntity.RunReply;
import dev.troupe.node.entity.WorkerEntityTest.ControlledWorker;
import dev.troupe.node.metrics.TroupeMetrics;
import dev.troupe.node.registry.Registration;
import dev.troupe.node.registry.WorkerRegistry;
import dev.troupe.node.run.Outcome;
import dev.troupe.persistence.RunSpec;
import dev.troupe.persistence.TroupeJson;
import dev.troupe.persistence.WorkerEvent;
import dev.troupe.persistence.WorkerState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.javadsl.TestProbe;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit.CommandResultWithReply;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The order and the timing of a worker entity's runs: delayed runs, priorities, fairness across
 * concurrency keys, per-key caps, rate limits and the node's limits. Time is controlled: the
 * actor system's scheduler is Pekko's {@link ManualTime} (the entity's timers fire when the test
 * moves it on) and the entity's clock is a {@link TestClock} moved on with it, so nothing here
 * sleeps. Handlers are {@link ControlledWorker}s; outcomes are sent to the entity by the test.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class WorkerQueueTest {

  private static final Config CONFIG = ManualTime.config().withFallback(ConfigFactory.parseString(
          "troupe.worker.snapshot-every = 5\n"
              + "troupe.worker.due-per-batch = 2\n"
              + "troupe.discover-modules = off\n"
              + "pekko.actor.provider = local\n"
              + "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]\n"
              + "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"\n"
              + "pekko.actor.serialization-bindings {\n"
              + "  \"dev.troupe.api.TroupeSerializable\" = jackson-json\n"
              + "}\n"))
      .withFallback(EventSourcedBehaviorTestKit.config());

  private static final AtomicInteger NAMES = new AtomicInteger();
  /** Longer than any time a test moves on: no attempt times out by the manual clock. */
  private static final long TIMEOUT_MS = Duration.ofHours(1).toMillis();

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(CONFIG).build();

  // delayed runs

  @Test
  void aDelayedRunIsRecordedScheduledAndStartsWhenDueNotBefore() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT);
    Instant due = e.clock.instant().plusSeconds(10);

    // when
    CommandResultWithReply<Command, WorkerEvent, WorkerState, CallReply> call =
        e.call(RunSpec.DEFAULT.withScheduledFor(due));

    // then it is written SCHEDULED, answered so, and nothing starts
    Accepted accepted = value(call.reply());
    assertThat(accepted.status()).isEqualTo(RunStatus.SCHEDULED);
    assertThat(lifecycle(call.events())).singleElement().isInstanceOf(WorkerEvent.RunAccepted.class);
    RunResult run = e.getRun(accepted.runId());
    assertThat(run.status()).isEqualTo(RunStatus.SCHEDULED);
    assertThat(run.scheduledFor()).isEqualTo(due);
    WorkerStats stats = e.stats();
    assertThat(stats.scheduled()).isEqualTo(1);
    assertThat(stats.queued()).isZero();

    // when the clock reaches a millisecond before it
    e.advance(Duration.ofMillis(9_999));

    // then
    assertThat(e.getRun(accepted.runId()).status()).isEqualTo(RunStatus.SCHEDULED);
    assertThat(e.handler.poll(Duration.ofMillis(100))).isNull();

    // when it is due
    e.advance(Duration.ofMillis(1));

    // then it starts, having been queued first
    assertThat(e.handler.next().ctx().runId()).isEqualTo(accepted.runId());
    assertThat(e.getRun(accepted.runId()).status()).isEqualTo(RunStatus.RUNNING);
    assertThat(e.lifecycleOf(accepted.runId())).extracting(Object::getClass).containsExactly(
        WorkerEvent.RunAccepted.class, WorkerEvent.RunDue.class, WorkerEvent.AttemptStarted.class);
    assertThat(e.stats().scheduled()).isZero();
  }

  @Test
  void aStartTimeInThePastMeansNow() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT);

    // when
    Accepted accepted = value(
        e.call(RunSpec.DEFAULT.withScheduledFor(e.clock.instant().minusSeconds(5))).reply());

    // then
    assertThat(accepted.status()).isEqualTo(RunStatus.QUEUED);
    assertThat(e.handler.next().ctx().runId()).isEqualTo(accepted.runId());
  }

  @Test
  void aDelayedRunSurvivesARestartAndFiresOnceAfterRecovery() {
    // given a run due in 10 s, and the entity restarted meanwhile
    Entity e = new Entity(WorkerConfig.DEFAULT);
    String runId = e.schedule(Duration.ofSeconds(10));
    e.advance(Duration.ofSeconds(3));
    e.kit.restart();
    assertThat(e.getRun(runId).status()).isEqualTo(RunStatus.SCHEDULED);
    assertThat(e.handler.poll(Duration.ofMillis(100))).isNull();

    // when it is due
    e.advance(Duration.ofSeconds(7));

    // then it starts once: one RunDue, one attempt
    assertThat(e.handler.next().ctx().runId()).isEqualTo(runId);
    e.advance(Duration.ofSeconds(10));
    assertThat(e.handler.poll(Duration.ofMillis(200))).isNull();
    assertThat(e.lifecycleOf(runId)).extracting(Object::getClass).containsExactly(
        WorkerEvent.RunAccepted.class, WorkerEvent.RunDue.class, WorkerEvent.AttemptStarted.class);
  }

  @Test
  void aRunThatBecameDueWhileTheEntityWasDownStartsAsSoonAsItIsBack() {
    // given a run due in 10 s, when the entity is down past that (its timer went with it)
    Entity e = new Entity(WorkerConfig.DEFAULT);
    String runId = e.schedule(Duration.ofSeconds(10));
    e.clock.advance(Duration.ofMinutes(5)); // the entity's clock only: no timer fires

    // when it recovers
    e.kit.restart();

    // then it starts at once, without any timer
    assertThat(e.handler.next().ctx().runId()).isEqualTo(runId);
    assertThat(e.getRun(runId).status()).isEqualTo(RunStatus.RUNNING);
  }

  @Test
  void aScheduledRunCanBeCancelledAndNeverStarts() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT);
    String runId = e.schedule(Duration.ofSeconds(10));

    // when
    CommandResultWithReply<Command, WorkerEvent, WorkerState, CancelReply> cancel =
        e.kit.runCommand(replyTo -> new WorkerEntity.Cancel(runId, replyTo));
    e.advance(Duration.ofSeconds(20));

    // then
    assertThat(cancel.reply()).isNotInstanceOf(Refused.class);
    RunResult run = e.getRun(runId);
    assertThat(run.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(run.scheduledFor()).isNotNull();
    assertThat(e.handler.poll(Duration.ofMillis(200))).isNull();
    assertThat(e.lifecycleOf(runId)).extracting(Object::getClass).containsExactly(
        WorkerEvent.RunAccepted.class, WorkerEvent.RunFinished.class);
    WorkerStats stats = e.stats();
    assertThat(stats.scheduled()).isZero();
    assertThat(stats.cancelled()).isEqualTo(1);
  }

  @Test
  void runsDueAtTheSameInstantAreQueuedInBoundedBatchesAndStartInTheirOrder() {
    // given five runs due at the same instant (due-per-batch = 2 in this test), one at a time
    Entity e = new Entity(WorkerConfig.DEFAULT.withMaxConcurrent(1));
    Instant due = e.clock.instant().plusSeconds(1);
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(value(e.call(RunSpec.DEFAULT.withScheduledFor(due)).reply()).runId());
    }

    // when
    e.advance(Duration.ofSeconds(1));

    // then all are queued, over three journal writes, and they start in the order accepted
    assertThat(e.handler.next().ctx().runId()).isEqualTo(ids.get(0));
    // the entity queues the rest in its next writes, each right after the one before
    await().atMost(Duration.ofSeconds(5)).until(() -> e.stats().scheduled() == 0);
    WorkerStats stats = e.stats();
    assertThat(stats.queued()).isEqualTo(4);
    assertThat(stats.running()).isEqualTo(1);
    List<String> order = new ArrayList<>();
    order.add(ids.get(0));
    for (int i = 1; i < 5; i++) {
      e.kit.runCommand(e.outcome(order.get(i - 1), Outcome.SUCCEEDED));
      order.add(e.handler.next().ctx().runId());
    }
    assertThat(order).containsExactlyElementsOf(ids);
  }

  // priorities

  @Test
  void queuedRunsStartByPriorityHighestFirst() {
    // given the one slot taken, then runs of priorities 1, 9, 4 (default) and 7 queued
    Entity e = new Entity(WorkerConfig.DEFAULT.withMaxConcurrent(1));
    String first = e.accept(RunSpec.DEFAULT);
    String low = e.accept(priority(1, null));
    String top = e.accept(priority(9, null));
    String normal = e.accept(RunSpec.DEFAULT);
    String high = e.accept(priority(7, null));

    // when the runs end one after the other
    List<String> order = e.startsAfter(first, 4);

    // then
    assertThat(order).containsExactly(top, high, normal, low);
    assertThat(e.getRun(top).priority()).isEqualTo(9);
  }

  @Test
  void runsOfOnePriorityStartFirstInFirstOut() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT.withMaxConcurrent(1));
    String first = e.accept(RunSpec.DEFAULT);
    List<String> queued = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      queued.add(e.accept(priority(6, null)));
      e.accept(priority(2, null));
    }

    // when
    List<String> order = e.startsAfter(first, 5);

    // then
    assertThat(order).containsExactlyElementsOf(queued);
  }

  @Test
  void theQueueOrderSurvivesARestartFromASnapshot() {
    // given (snapshot-every = 5 in this test) runs of several priorities queued, then a restart
    Entity e = new Entity(WorkerConfig.DEFAULT.withMaxConcurrent(1));
    String first = e.accept(RunSpec.DEFAULT);
    List<String> expected = new ArrayList<>();
    List<String> later = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      later.add(e.accept(priority(3, null)));
      expected.add(e.accept(priority(8, null)));
    }
    expected.addAll(later);
    assertThat(e.handler.next().ctx().runId()).isEqualTo(first);
    e.kit.restart();
    ControlledWorker.Invocation again = e.handler.next(); // the interrupted run, first in line
    assertThat(again.ctx().runId()).isEqualTo(first);
    assertThat(again.ctx().attempt()).isEqualTo(2);

    // when
    List<String> order = e.startsAfter(first, 8);

    // then
    assertThat(order).containsExactlyElementsOf(expected);
  }

  // concurrency keys

  @Test
  void keysAreServedInTurnSoOneKeysBacklogDelaysAnotherKeysRunByOneStartAtMost() {
    // given the one slot taken, tenant a with 1000 queued runs, then tenant b with one
    Entity e = new Entity(WorkerConfig.DEFAULT.withMaxConcurrent(1).withQueueCapacity(2000));
    String first = e.accept(RunSpec.DEFAULT);
    e.acceptAll(1000, priority(4, "tenant-a"));
    String b = e.accept(priority(4, "tenant-b"));

    // when the runs end one after the other
    List<String> order = e.startsAfter(first, 3);

    // then b's run starts after one run of a
    assertThat(order.get(1)).isEqualTo(b);
    assertThat(e.getRun(order.get(0)).concurrencyKey()).isEqualTo("tenant-a");
    assertThat(e.getRun(order.get(2)).concurrencyKey()).isEqualTo("tenant-a");
  }

  @Test
  void theRunsWithoutAKeyAreALaneOfTheirOwnInTheTurn() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT.withMaxConcurrent(1));
    String first = e.accept(RunSpec.DEFAULT);
    String a1 = e.accept(priority(4, "a"));
    String a2 = e.accept(priority(4, "a"));
    String none1 = e.accept(RunSpec.DEFAULT);
    String none2 = e.accept(RunSpec.DEFAULT);
    String b1 = e.accept(priority(4, "b"));

    // when
    List<String> order = e.startsAfter(first, 5);

    // then
    assertThat(order).containsExactly(a1, none1, b1, a2, none2);
  }

  @Test
  void aKeyAtItsCapIsSkippedAndDoesNotHoldUpOtherKeys() {
    // given at most one run per key, four at once
    Entity e = new Entity(WorkerConfig.DEFAULT.withMaxConcurrent(4).withMaxConcurrentPerKey(1));

    // when a has three runs and b one, a's first
    String a1 = e.accept(priority(4, "a"));
    String a2 = e.accept(priority(4, "a"));
    String a3 = e.accept(priority(9, "a"));
    String b1 = e.accept(priority(4, "b"));

    // then one of a's runs and b's run execute; a's others wait although slots are free
    assertThat(e.getRun(a1).status()).isEqualTo(RunStatus.RUNNING);
    assertThat(e.getRun(b1).status()).isEqualTo(RunStatus.RUNNING);
    assertThat(e.getRun(a2).status()).isEqualTo(RunStatus.QUEUED);
    assertThat(e.getRun(a3).status()).isEqualTo(RunStatus.QUEUED);
    WorkerStats stats = e.stats();
    assertThat(stats.running()).isEqualTo(2);
    assertThat(stats.queued()).isEqualTo(2);

    // when a's run ends, its next one by priority starts, one at a time
    e.kit.runCommand(e.outcome(a1, Outcome.SUCCEEDED));

    // then
    assertThat(e.getRun(a3).status()).isEqualTo(RunStatus.RUNNING);
    assertThat(e.getRun(a2).status()).isEqualTo(RunStatus.QUEUED);
  }

  @Test
  void theRunsWithoutAKeyShareOneCapAsOneKey() {
    // given
    Entity e = new Entity(WorkerConfig.DEFAULT.withMaxConcurrent(4).withMaxConcurrentPerKey(2));

    // when
    for (int i = 0; i < 3; i++) {
      e.accept(RunSpec.DEFAULT);
    }
    e.accept(priority(4, "k"));

    // then
    WorkerStats stats = e.stats();
    assertThat(stats.running()).isEqualTo(3);
    assertThat(stats.queued()).isEqualTo(1);
  }

  @Test
  void aRetryingRunKeepsItsKeysPlaceAndARestartKeepsTheCounts() {
    // given one run of key a executing (cap 1), one of a queued
    Entity e = new Entity(WorkerConfig.DEFAULT.withMaxConcurrent(4).withMaxConcurrentPerKey(1)
        .withRetry(dev.troupe.api.RetryPolicy.DEFAULT.withMaxAttempts(3)));
    String a1 = e.accept(priority(4, "a"));
    String a2 = e.accept(priority(4, "a"));

    // when the first fails transiently, and the entity restarts
    e.kit.runCommand(e.outcome(a1, Outcome.RETRY));
    assertThat(e.getRun(a2).status()).as("a retrying run holds its key's place")
        .isEqualTo(RunStatus.QUEUED);
    e.kit.restart();

    // then the first is resumed and still holds its key's place
    assertThat(e.getRun(a1).status()).isEqualTo(RunStatus.RUNNING);
    assertThat(e.getRun(a2).status()).isEqualTo(RunStatus.QUEUED);
  }

  // rate limits

  @Test
  void aRateLimitHoldsRunsInTheQueueAndReleasesThemWhenItAllows() {
    // given at most 2 starts per 10 s
    Entity e = new Entity(WorkerConfig.DEFAULT.withRateLimit(
        RateLimit.of(2, Duration.ofSeconds(10))));

    // when five runs are called
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      ids.add(e.accept(RunSpec.DEFAULT));
    }

    // then two start and three wait, queued (none fails)
    assertThat(e.startedRuns(2)).containsExactlyInAnyOrder(ids.get(0), ids.get(1));
    WorkerStats stats = e.stats();
    assertThat(stats.running()).isEqualTo(2);
    assertThat(stats.queued()).isEqualTo(3);

    // when the window has not passed yet, though runs end
    e.kit.runCommand(e.outcome(ids.get(0), Outcome.SUCCEEDED));
    e.advance(Duration.ofMillis(9_999));

    // then nothing more starts
    assertThat(e.handler.poll(Duration.ofMillis(100))).isNull();
    assertThat(e.stats().queued()).isEqualTo(3);

    // when it has
    e.advance(Duration.ofMillis(1));

    // then the next two start (their handlers get threads in either order), and the last one a
    // window later
    assertThat(e.startedRuns(2)).containsExactlyInAnyOrder(ids.get(2), ids.get(3));
    assertThat(e.handler.poll(Duration.ofMillis(100))).isNull();
    e.advance(Duration.ofSeconds(10));
    assertThat(e.startedRuns(1)).containsExactly(ids.get(4));
    assertThat(e.stats().failed()).isZero();
  }

  @Test
  void aRateLimitPerKeyHoldsOnlyTheKeyOverIt() {
    // given at most 1 start per key per second
    Entity e = new Entity(WorkerConfig.DEFAULT.withRateLimit(
        RateLimit.perKey(1, Duration.ofSeconds(1))));

    // when
    String a1 = e.accept(priority(4, "a"));
    String a2 = e.accept(priority(4, "a"));
    String b1 = e.accept(priority(4, "b"));

    // then a's second run waits, b's runs at once
    assertThat(e.startedRuns(2)).containsExactlyInAnyOrder(a1, b1);
    assertThat(e.getRun(a2).status()).isEqualTo(RunStatus.QUEUED);

    // when a second has passed
    e.advance(Duration.ofSeconds(1));

    // then
    assertThat(e.startedRuns(1)).containsExactly(a2);
  }

  @Test
  void aRateLimitStillHoldsAfterARestart() {
    // given a limit of 1 per minute, one run started and one waiting, when the entity restarts
    Entity e = new Entity(WorkerConfig.DEFAULT.withRateLimit(
        RateLimit.of(1, Duration.ofMinutes(1))));
    String first = e.accept(RunSpec.DEFAULT);
    String second = e.accept(RunSpec.DEFAULT);
    assertThat(e.startedRuns(1)).containsExactly(first);
    e.kit.runCommand(e.outcome(first, Outcome.SUCCEEDED));
    e.advance(Duration.ofSeconds(30));
    e.kit.restart();

    // then the second waits for the rest of the minute, not more
    assertThat(e.getRun(second).status()).isEqualTo(RunStatus.QUEUED);
    assertThat(e.handler.poll(Duration.ofMillis(100))).isNull();
    e.advance(Duration.ofSeconds(30));
    assertThat(e.startedRuns(1)).containsExactly(second);
  }

  // the node's limits

  @Test
  void aNodeLimitCapsTheDefinitionsRunsOnTheNodeAndTheNextStartsWhenASlotFrees() {
    // given this node runs at most one run of the definition, whose own cap is 4
    Entity e = new Entity(WorkerConfig.DEFAULT.withMaxConcurrent(4), 1);

    // when three runs are called
    String first = e.accept(RunSpec.DEFAULT);
    String second = e.accept(RunSpec.DEFAULT);
    e.accept(RunSpec.DEFAULT);

    // then one executes and two wait
    assertThat(e.startedRuns(1)).containsExactly(first);
    WorkerStats stats = e.stats();
    assertThat(stats.running()).isEqualTo(1);
    assertThat(stats.queued()).isEqualTo(2);
    assertThat(e.services.slots().usedBy(e.name)).isEqualTo(1);

    // when it ends, and the node tells the entity that a slot is free
    e.kit.runCommand(e.outcome(first, Outcome.SUCCEEDED));
    e.kit.runCommand(e.fromFront(WorkerEntity.SlotsFreed.class));

    // then the next one starts, still one at a time
    assertThat(e.startedRuns(1)).containsExactly(second);
    assertThat(e.stats().running()).isEqualTo(1);
    assertThat(e.services.slots().usedBy(e.name)).isEqualTo(1);
  }

  // helpers

  /** One worker entity under test, with its own name, clock and handler. */
  private final class Entity {
    final String name = "queue-" + NAMES.incrementAndGet();
    final String pid = WorkerEntity.JOURNAL_NAME + "|" + name;
    final TestClock clock = new TestClock(Instant.now());
    final EntityServices services;
    final TestProbe<Command> front = testKit.createTestProbe();
    final ControlledWorker handler = new ControlledWorker();
    final EventSourcedBehaviorTestKit<Command, WorkerEvent, WorkerState> kit;

    Entity(WorkerConfig config) {
      this(config, null);
    }

    /** On a node where at most {@code nodeLimit} runs of this definition execute at once. */
    Entity(WorkerConfig config, Integer nodeLimit) {
      Config node = testKit.system().settings().config();
      if (nodeLimit != null) {
        node = ConfigFactory.parseString("troupe.node.worker-limits { " + name + " = "
            + nodeLimit + " }").withFallback(node);
      }
      services = EntityServices.of(testKit.system(), TroupeSettings.fromConfig(node),
          TroupeJson.newMapper(), new WorkerRegistry(), new TroupeMetrics()).withClock(clock);
      services.registry().add(new Registration(new WorkerDefinition(name, config), handler, null));
      kit = EventSourcedBehaviorTestKit.create(testKit.system(),
          Behaviors.<Command>setup(ctx -> EntityCore.create(name, services, front.ref())),
          EventSourcedBehaviorTestKit.enabledSerializationSettings());
    }

    /** Moves the entity's clock and the actor system's scheduler on together. */
    void advance(Duration d) {
      clock.advance(d);
      ManualTime.get(testKit.system()).timePasses(d);
    }

    CommandResultWithReply<Command, WorkerEvent, WorkerState, CallReply> call(
        RunSpec spec) {
      return kit.runCommand(replyTo -> new WorkerEntity.Call(json("{}"), TIMEOUT_MS, null,
          List.of(), spec, 0, replyTo));
    }

    /** {@code n} runs of {@code spec}, accepted in one batch (one journal write). */
    void acceptAll(int n, RunSpec spec) {
      TestProbe<CallReply> replies = testKit.createTestProbe();
      List<Command> calls = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        calls.add(new WorkerEntity.Call(json("{}"), TIMEOUT_MS, null, List.of(), spec, 0,
            replies.ref()));
      }
      kit.<Command>runCommand(replyTo -> new WorkerEntity.Batch(calls, 1, replyTo));
      for (int i = 0; i < n; i++) {
        assertThat(replies.receiveMessage()).isNotInstanceOf(Refused.class);
      }
    }

    /** The next message of {@code type} that the entity sent its front. */
    <T extends Command> T fromFront(Class<T> type) {
      while (true) {
        Command m = front.receiveMessage();
        if (type.isInstance(m)) {
          return type.cast(m);
        }
      }
    }

    /**
     * The runs of the next {@code n} handler invocations, in the order the handlers got a thread:
     * runs started in one batch may come in either order.
     */
    List<String> startedRuns(int n) {
      List<String> out = new ArrayList<>();
      for (int i = 0; i < n; i++) {
        out.add(handler.next().ctx().runId());
      }
      return out;
    }

    /** A run of {@code spec}, accepted; its id. */
    String accept(RunSpec spec) {
      CallReply reply = call(spec).reply();
      assertThat(reply).as("call accepted: %s", reply).isNotInstanceOf(Refused.class);
      return value(reply).runId();
    }

    /**
     * Ends {@code running} (the one run executing), then each run that starts after it, {@code n}
     * times; the runs in the order they started. Every run's handler starts once.
     */
    List<String> startsAfter(String running, int n) {
      List<String> order = new ArrayList<>();
      String current = running;
      java.util.Set<String> seen = new java.util.HashSet<>(List.of(running));
      for (int i = 0; i < n; i++) {
        kit.runCommand(outcome(current, Outcome.SUCCEEDED));
        ControlledWorker.Invocation next = handler.next();
        while (seen.contains(next.ctx().runId())) {
          next = handler.next(); // the first run's invocation, still in the queue of invocations
        }
        current = next.ctx().runId();
        seen.add(current);
        order.add(current);
      }
      return order;
    }

    /** A run due {@code ahead} from now; its id. */
    String schedule(Duration ahead) {
      CallReply reply =
          call(RunSpec.DEFAULT.withScheduledFor(clock.instant().plus(ahead))).reply();
      assertThat(reply).as("call accepted: %s", reply).isNotInstanceOf(Refused.class);
      assertThat(value(reply).status()).isEqualTo(RunStatus.SCHEDULED);
      return value(reply).runId();
    }

    RunResult getRun(String runId) {
      RunReply reply = kit.<RunReply>runCommand(
          replyTo -> new WorkerEntity.GetRun(runId, replyTo)).reply();
      assertThat(reply).as("run %s found: %s", runId, reply).isNotInstanceOf(Refused.class);
      return value(reply);
    }

    WorkerStats stats() {
      return kit.<WorkerStats>runCommand(WorkerEntity.GetStats::new).reply();
    }

    /** The current attempt's outcome of {@code runId}, as its run actor would report it. */
    WorkerEntity.AttemptOutcome outcome(String runId, Outcome outcome) {
      long epoch = kit.getState().activeRun(runId).orElseThrow().epoch();
      return new WorkerEntity.AttemptOutcome(runId, epoch, outcome,
          outcome == Outcome.SUCCEEDED ? json("{}") : null, outcome == Outcome.SUCCEEDED ? null
              : new dev.troupe.api.RunError(dev.troupe.api.ErrorCode.TRANSIENT_ERROR, "flaky"));
    }

    /** The lifecycle events the journal holds of {@code runId}, in order. */
    List<WorkerEvent> lifecycleOf(String runId) {
      List<WorkerEvent> all = new ArrayList<>();
      for (Object o : kit.persistenceTestKit().persistedInStorage(pid)) {
        all.add((WorkerEvent) o);
      }
      return lifecycle(all).stream()
          .filter(ev -> dev.troupe.persistence.WorkerEvents.runIdOf(ev).equals(runId)).toList();
    }
  }

  static RunSpec priority(int p, String concurrencyKey) {
    return new RunSpec(p, concurrencyKey, null, List.of(), null, null, null);
  }

  static List<WorkerEvent> journal(List<Object> entries) {
    List<WorkerEvent> out = new ArrayList<>();
    for (Object o : entries) {
      out.add((WorkerEvent) o);
    }
    return flatten(out);
  }
}
