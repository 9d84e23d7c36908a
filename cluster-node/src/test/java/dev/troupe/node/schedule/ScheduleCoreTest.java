package dev.troupe.node.schedule;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import dev.troupe.api.MisfirePolicy;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.Schedule;
import dev.troupe.api.ScheduleRef;
import dev.troupe.api.UnknownWorkerException;
import dev.troupe.node.config.ScheduleSettings;
import dev.troupe.node.entity.LocalEntities;
import dev.troupe.node.schedule.ScheduleEntity.Command;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneId;
import java.time.ZoneOffset;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.actor.testkit.typed.javadsl.ActorTestKit;
import org.apache.pekko.actor.testkit.typed.javadsl.JUnit5TestKitBuilder;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.testkit.typed.javadsl.ManualTime;
import org.apache.pekko.actor.testkit.typed.javadsl.TestKitJUnit5Extension;
import org.apache.pekko.actor.testkit.typed.annotations.JUnit5TestKit;
import org.apache.pekko.persistence.testkit.javadsl.EventSourcedBehaviorTestKit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * One schedule's entity through Pekko's {@link EventSourcedBehaviorTestKit} (in-memory journal,
 * every command, event, reply and the state checked to serialize), with a clock the test sets and
 * Pekko's {@link ManualTime} for its timers: time passes only when the test says so. Its worker
 * calls go to a recording {@link RunStarter}.
 */
@ExtendWith(TestKitJUnit5Extension.class)
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ScheduleCoreTest {
  private static final Config CONFIG = ManualTime.config()
      .withFallback(ConfigFactory.parseString(
          "pekko.actor.provider = local\n"
              + "pekko.loggers = [\"org.apache.pekko.event.slf4j.Slf4jLogger\"]\n"
              + "pekko.logging-filter = \"org.apache.pekko.event.slf4j.Slf4jLoggingFilter\"\n"
              + "pekko.actor.serialization-bindings {\n"
              + "  \"dev.troupe.api.TroupeSerializable\" = jackson-json\n"
              + "}\n"))
      .withFallback(EventSourcedBehaviorTestKit.config());
  private static final Instant T0 = Instant.parse("2026-12-07T12:00:00Z");
  private static final ScheduleSettings SETTINGS = new ScheduleSettings(Duration.ofSeconds(60),
      1000, 10, Duration.ofSeconds(1), Duration.ofSeconds(60), 100);
  private static final AtomicInteger NAMES = new AtomicInteger();

  @JUnit5TestKit
  final ActorTestKit testKit = new JUnit5TestKitBuilder().withCustomConfig(CONFIG).build();

  private final ManualTime time = ManualTime.get(testKit.system());

  /** A clock the test moves. */
  static final class TestClock extends Clock {
    volatile Instant now = T0;

    @Override
    public ZoneId getZone() {
      return ZoneOffset.UTC;
    }

    @Override
    public Clock withZone(ZoneId zone) {
      return this;
    }

    @Override
    public Instant instant() {
      return now;
    }
  }

  /** A call of the worker as the schedule made it. */
  record Call(ScheduleRef fire, String key) {}

  /** One schedule entity with its clock and the worker calls it made. */
  final class Entity {
    final String name = "s-" + NAMES.incrementAndGet();
    final TestClock clock = new TestClock();
    final List<Call> calls = new CopyOnWriteArrayList<>();
    final AtomicInteger passivated = new AtomicInteger();
    /** What a call answers: a run by default, traced as {@code trace-<fire time>}. */
    volatile Function<Call, CompletionStage<RunStarter.Started>> answer =
        c -> started("run-" + c.fire().fireTime().toEpochMilli());
    final EventSourcedBehaviorTestKit<Command, ScheduleEvent, ScheduleState> kit =
        EventSourcedBehaviorTestKit.create(testKit.system(), ScheduleCore.create(name, SETTINGS,
            clock, (s, fire, key) -> {
              Call c = new Call(fire, key);
              calls.add(c);
              return answer.apply(c);
            }, self -> passivated.incrementAndGet(), () -> { }, new LocalEntities()));

    ScheduleEntity.Reply put(String cron, MisfirePolicy misfire) {
      return kit.<ScheduleEntity.Reply>runCommand(r -> new ScheduleEntity.Put(
          Schedule.of(name, "echo", cron).withMisfire(misfire), r)).reply();
    }

    /** The clock moves by {@code d}, and the timers with it. */
    void passes(Duration d) {
      clock.now = clock.now.plus(d);
      time.timePasses(d);
    }

    List<Instant> fireTimes() {
      return calls.stream().map(c -> c.fire().fireTime()).toList();
    }

    void awaitRecent(int n) {
      await().atMost(Duration.ofSeconds(10)).until(() -> kit.getState().recent().size() >= n);
    }
  }

  @Test
  void eachFireTimeStartsOneRunWithItsFireAsIdempotencyKey() {
    // given a schedule every 2 seconds, put at T0
    Entity e = new Entity();
    ScheduleEntity.Reply put = e.put("*/2 * * * * *", MisfirePolicy.SKIP);
    assertThat(put).isInstanceOfSatisfying(ScheduleEntity.Current.class, c ->
        assertThat(c.nextFireTimes()).containsExactly(T0.plusSeconds(2), T0.plusSeconds(4),
            T0.plusSeconds(6), T0.plusSeconds(8), T0.plusSeconds(10)));

    // when 4 seconds pass, and the timer is woken once more for nothing
    e.passes(Duration.ofSeconds(2));
    e.awaitRecent(1);
    e.passes(Duration.ofSeconds(2));
    e.awaitRecent(2);
    e.kit.runCommand(ScheduleEntity.Tick.INSTANCE);

    // then
    assertThat(e.fireTimes()).containsExactly(T0.plusSeconds(2), T0.plusSeconds(4));
    assertThat(e.calls.get(0).fire().name()).isEqualTo(e.name);
    assertThat(e.calls.get(0).key()).isEqualTo("schedule:" + e.name + ":2026-12-07T12:00:02Z");
    assertThat(e.kit.getState().recent()).extracting(ScheduleState.Fire::runId)
        .containsExactly("run-" + T0.plusSeconds(4).toEpochMilli(),
            "run-" + T0.plusSeconds(2).toEpochMilli());
    assertThat(e.kit.getState().pending()).isEmpty();
  }

  @Test
  void puttingTheSameDefinitionAgainWritesNothing() {
    // given
    Entity e = new Entity();
    e.put("*/2 * * * * *", MisfirePolicy.SKIP);

    // when
    var again = e.kit.<ScheduleEntity.Reply>runCommand(r -> new ScheduleEntity.Put(
        Schedule.of(e.name, "echo", "*/2 * * * * *"), r));

    // then
    assertThat(again.events()).isEmpty();
    assertThat(again.reply()).isInstanceOf(ScheduleEntity.Current.class);
  }

  @Test
  void afterARestartWhatWasDueFiresOnceAndNothingFiresTwice() {
    // given a schedule whose fire time at T0+2s passes while its entity is down
    Entity e = new Entity();
    e.put("*/2 * * * * *", MisfirePolicy.SKIP);
    e.clock.now = T0.plusSeconds(3);

    // when it recovers, twice
    e.kit.restart();
    e.awaitRecent(1);
    e.kit.restart();
    e.kit.runCommand(ScheduleEntity.Tick.INSTANCE);

    // then
    assertThat(e.fireTimes()).containsExactly(T0.plusSeconds(2));
  }

  @Test
  void aFireWrittenButNotStartedIsCalledAgainAfterARestartWithTheSameKey() {
    // given a fire whose call never answers (its node died)
    Entity e = new Entity();
    e.answer = c -> new CompletableFuture<>();
    e.put("*/2 * * * * *", MisfirePolicy.SKIP);
    e.passes(Duration.ofSeconds(2));
    await().until(() -> e.calls.size() == 1);
    assertThat(e.kit.getState().pending()).hasSize(1);

    // when the entity recovers (still before the next fire time), and the call now answers
    e.answer = c -> started("run-a");
    e.kit.restart();

    // then the same fire is called again, by the same key, and recorded once
    e.awaitRecent(1);
    assertThat(e.calls).hasSize(2);
    assertThat(e.calls.get(1)).isEqualTo(e.calls.get(0));
    assertThat(e.kit.getState().pending()).isEmpty();
  }

  @Test
  void missedFireTimesAreSkippedByTheSkipPolicy() {
    // given a schedule every minute, whose entity is down from T0 to T0+10m30s
    Entity e = new Entity();
    e.put("0 * * * * *", MisfirePolicy.SKIP);
    e.clock.now = T0.plusSeconds(630);

    // when it recovers
    e.kit.restart();
    e.awaitRecent(1);

    // then the fire times older than the threshold (60 s) start nothing; the on-time one runs
    assertThat(e.fireTimes()).containsExactly(T0.plusSeconds(600));
    assertThat(e.kit.getState().after()).isEqualTo(T0.plusSeconds(600));
  }

  @Test
  void missedFireTimesStartOneRunByTheRunOncePolicy() {
    // given
    Entity e = new Entity();
    e.put("0 * * * * *", MisfirePolicy.RUN_ONCE);
    e.clock.now = T0.plusSeconds(630);

    // when
    e.kit.restart();
    e.awaitRecent(2);

    // then one run for the missed ones (the latest of them), and the on-time one
    assertThat(e.fireTimes()).containsExactly(T0.plusSeconds(540), T0.plusSeconds(600));
  }

  @Test
  void aPausedScheduleFiresNothingAndResumesFromNow() {
    // given
    Entity e = new Entity();
    e.put("*/2 * * * * *", MisfirePolicy.RUN_ONCE);
    ScheduleEntity.Reply paused = e.kit.<ScheduleEntity.Reply>runCommand(
        ScheduleEntity.Pause::new).reply();
    assertThat(paused).isInstanceOfSatisfying(ScheduleEntity.Current.class, c -> {
      assertThat(c.paused()).isTrue();
      assertThat(c.nextFireTimes()).isEmpty();
    });

    // when 5 seconds pass paused, then it resumes and 2 more pass
    e.passes(Duration.ofSeconds(5));
    e.kit.runCommand(ScheduleEntity.Tick.INSTANCE);
    e.kit.<ScheduleEntity.Reply>runCommand(ScheduleEntity.Resume::new);
    e.passes(Duration.ofSeconds(2));
    e.awaitRecent(1);

    // then only the fire time after the resume ran, whatever the misfire policy
    assertThat(e.fireTimes()).containsExactly(T0.plusSeconds(6));
  }

  @Test
  void aTriggerStartsOneRunNowAndAnswersItsIdAndTraceId() {
    // given
    Entity e = new Entity();
    e.put("0 0 0 1 1 *", MisfirePolicy.SKIP);

    // when
    ScheduleEntity.Reply reply = e.kit.<ScheduleEntity.Reply>runCommand(
        ScheduleEntity.Trigger::new).reply();

    // then
    assertThat(reply).isEqualTo(new ScheduleEntity.Triggered("run-" + T0.toEpochMilli(),
        "trace-run-" + T0.toEpochMilli()));
    assertThat(e.calls).containsExactly(new Call(new ScheduleRef(e.name, T0),
        "schedule:" + e.name + ":trigger:" + T0));
  }

  @Test
  void aCallThatFailsForAPassingReasonIsCalledAgainAfterABackoff() {
    // given a worker whose queue is full once
    Entity e = new Entity();
    AtomicInteger n = new AtomicInteger();
    e.answer = c -> n.incrementAndGet() == 1
        ? CompletableFuture.failedFuture(new RunRejectedException(
            RunRejectedException.Reason.QUEUE_FULL, "full"))
        : started("run-b");
    e.put("*/2 * * * * *", MisfirePolicy.SKIP);
    e.passes(Duration.ofSeconds(2));
    await().until(() -> e.calls.size() == 1);

    // when the backoff (1 s) passes
    e.passes(Duration.ofSeconds(1));

    // then
    e.awaitRecent(1);
    assertThat(e.calls).hasSize(2).extracting(Call::key).containsOnly(e.calls.get(0).key());
    assertThat(e.kit.getState().recent().get(0).runId()).isEqualTo("run-b");
  }

  @Test
  void aCallThatCanNeverSucceedIsRecordedAsFailed() {
    // given a worker that is gone
    Entity e = new Entity();
    e.answer = c -> CompletableFuture.failedFuture(new UnknownWorkerException("no echo here"));
    e.put("*/2 * * * * *", MisfirePolicy.SKIP);

    // when
    e.passes(Duration.ofSeconds(2));

    // then
    e.awaitRecent(1);
    ScheduleState.Fire fire = e.kit.getState().recent().get(0);
    assertThat(fire.runId()).isNull();
    assertThat(fire.error()).isEqualTo("[UNKNOWN_WORKER] no echo here");
    assertThat(e.kit.getState().pending()).isEmpty();
  }

  @Test
  void aDeletedScheduleStopsAndIsMissing() {
    // given
    Entity e = new Entity();
    e.put("*/2 * * * * *", MisfirePolicy.SKIP);

    // when
    ScheduleEntity.Reply deleted = e.kit.<ScheduleEntity.Reply>runCommand(
        ScheduleEntity.Delete::new).reply();
    e.passes(Duration.ofSeconds(4));

    // then
    assertThat(deleted).isEqualTo(new ScheduleEntity.Deleted(e.name));
    assertThat(e.passivated).hasValue(1);
    assertThat(e.kit.<ScheduleEntity.Reply>runCommand(ScheduleEntity.Get::new).reply())
        .isEqualTo(new ScheduleEntity.Missing(e.name));
    assertThat(e.calls).isEmpty();
  }

  /** A run the worker call started, with a trace id of its own. */
  private static CompletionStage<RunStarter.Started> started(String runId) {
    return CompletableFuture.completedFuture(new RunStarter.Started(runId, "trace-" + runId));
  }
}
