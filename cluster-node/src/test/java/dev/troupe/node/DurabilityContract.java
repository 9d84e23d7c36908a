package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerStats;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * What survives a node's stop, graceful or not: stats, run records, unfinished runs. Each test
 * stops an actor system and starts a new one on the same database; see {@link H2DurabilityTest}
 * and {@link PostgresDurabilityTest}.
 */
// the node's logs are printed only for the tests that fail
@ExtendWith(LogCapturingExtension.class)
abstract class DurabilityContract {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private final List<ActorSystem<Void>> systems = new ArrayList<>();

  abstract String newDatabaseUrl();

  /**
   * What a crash does to the database beyond the node's stop: nothing for a database server
   * (the connections the node held are closed with its pools, so the server rolls back their
   * transactions); an embedded database would have died with the process.
   */
  void afterCrash(String dbUrl) throws Exception {}

  private TroupeNode start(String dbUrl, String extra) {
    ActorSystem<Void> system = TestNodes.system(TestNodes.config(dbUrl, extra));
    systems.add(system);
    return TroupeNode.start(system);
  }

  /** Stops the node the way a crash would: no drain, runs left as the journal last saw them. */
  private void crash(TroupeNode node, String dbUrl) throws Exception {
    node.system().terminate();
    Await.result(node.system().getWhenTerminated(), 60);
    afterCrash(dbUrl);
  }

  private static void stopGracefully(TroupeNode node) {
    Await.result(node.shutdown(), 60);
    Await.result(node.system().getWhenTerminated(), 60);
  }

  @AfterEach
  void stopAll() {
    systems.forEach(ActorSystem::terminate);
    systems.forEach(s -> Await.result(s.getWhenTerminated(), 60));
  }

  private static ObjectNode obj() {
    return JSON.objectNode();
  }

  private static final String SNAPSHOT_OFTEN = "troupe.worker.snapshot-every = 3";
  private static final String CRASH = "pekko.coordinated-shutdown.run-by-actor-system-terminate = off";

  private static void registerMixed(TroupeNode node) {
    node.register("mixed", WorkerConfig.DEFAULT, ctx -> {
      if (ctx.payload().path("fail").asBoolean()) {
        throw new PermanentFailure("asked to fail");
      }
      return CompletableFuture.completedFuture(ctx.payload());
    });
  }

  @Test
  void statsAndRunRecordsSurviveARestart() {
    // given ten finished runs, two of them failed, and snapshots taken along the way
    String db = newDatabaseUrl();
    TroupeNode first = start(db, SNAPSHOT_OFTEN);
    registerMixed(first);
    List<RunResult> runs = new ArrayList<>();
    for (int i = 0; i < 10; i++) {
      runs.add(Await.result(first.run("mixed", obj().put("i", i).put("fail", i < 2))));
    }
    WorkerStats before = Await.result(first.stats("mixed"));
    stopGracefully(first);
    // when
    TroupeNode second = start(db, SNAPSHOT_OFTEN);
    registerMixed(second);
    // then
    WorkerStats after = Await.result(second.stats("mixed"));
    assertThat(after).isEqualTo(before);
    assertThat(after.runs()).isEqualTo(10);
    assertThat(after.failed()).isEqualTo(2);
    for (RunResult r : runs) {
      assertThat(Await.result(second.lookup(r.runId()))).contains(r);
    }
  }

  /** A blocking worker that does batches of 100 ms, checkpointing after each. */
  private static void registerBatches(TroupeNode node, int maxAttempts, AtomicInteger progress) {
    node.registerBlocking("batches", WorkerConfig.DEFAULT.withRetry(
        RetryPolicy.of(maxAttempts, Duration.ofMillis(50), Duration.ofMillis(50))), ctx -> {
          int from = ctx.lastCheckpoint().map(c -> c.get("done").asInt()).orElse(0);
          for (int b = from + 1; b <= 10; b++) {
            ctx.sleep(Duration.ofMillis(100));
            ctx.checkpoint(obj().put("done", b));
            progress.set(b);
          }
          return obj().put("resumedFrom", from).put("attempt", ctx.attempt());
        });
  }

  @Test
  void anInterruptedRunResumesFromItsCheckpointAfterACrash() throws Exception {
    // given a run that checkpointed at least two batches when its node crashed
    String db = newDatabaseUrl();
    TroupeNode first = start(db, CRASH);
    AtomicInteger progress = new AtomicInteger();
    registerBatches(first, 3, progress);
    RunHandle h = Await.result(first.call("batches", obj()));
    await().atMost(Duration.ofSeconds(20)).until(() -> progress.get() >= 2);
    crash(first, db);
    // when
    TroupeNode second = start(db, "");
    registerBatches(second, 3, new AtomicInteger());
    // then
    RunResult r = Await.result(second.attach(h.runId()).result());
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.attempts()).isEqualTo(2);
    assertThat(r.result().get("resumedFrom").asInt()).isGreaterThanOrEqualTo(2);
    WorkerStats stats = Await.result(second.stats("batches"));
    assertThat(stats.runs()).isEqualTo(1);
    assertThat(stats.succeeded()).isEqualTo(1);
  }

  @Test
  void anInterruptedRunWithNoAttemptLeftFailsAfterACrash() throws Exception {
    // given a run with a single attempt, interrupted by a crash
    String db = newDatabaseUrl();
    TroupeNode first = start(db, CRASH);
    AtomicInteger progress = new AtomicInteger();
    registerBatches(first, 1, progress);
    RunHandle h = Await.result(first.call("batches", obj()));
    await().atMost(Duration.ofSeconds(20)).until(() -> progress.get() >= 1);
    crash(first, db);
    // when
    TroupeNode second = start(db, "");
    registerBatches(second, 1, new AtomicInteger());
    // then
    RunResult r = Await.result(second.attach(h.runId()).result());
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.error().code()).isEqualTo(ErrorCode.TRANSIENT_ERROR);
    assertThat(r.error().message()).contains("interrupted");
    assertThat(Await.result(second.stats("batches")).failed()).isEqualTo(1);
  }

  @Test
  void queuedRunsSurviveACrashAndRunAfterwards() throws Exception {
    // given one run executing and three queued behind it when the node crashed
    String db = newDatabaseUrl();
    TroupeNode first = start(db, CRASH);
    CountDownLatch never = new CountDownLatch(1);
    first.registerBlocking("one-at-a-time", WorkerConfig.DEFAULT.withMaxConcurrent(1), ctx -> {
      never.await();
      return obj();
    });
    List<String> ids = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      ids.add(Await.result(first.call("one-at-a-time", obj().put("i", i))).runId());
    }
    crash(first, db);
    // when
    TroupeNode second = start(db, "");
    second.register("one-at-a-time", WorkerConfig.DEFAULT.withMaxConcurrent(1),
        ctx -> CompletableFuture.completedFuture(ctx.payload()));
    // then every accepted run ends, exactly once
    for (int i = 0; i < 4; i++) {
      RunResult r = Await.result(second.attach(ids.get(i)).result());
      assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(r.result().get("i").asInt()).isEqualTo(i);
    }
    WorkerStats stats = Await.result(second.stats("one-at-a-time"));
    assertThat(stats.runs()).isEqualTo(4);
    assertThat(stats.succeeded()).isEqualTo(4);
  }

  @Test
  void aGracefulShutdownLetsRunningRunsFinishAndRefusesNewCalls() {
    // given a run in the middle of a 1 s job
    String db = newDatabaseUrl();
    TroupeNode node = start(db, "troupe.shutdown.drain-timeout = 10s");
    CountDownLatch started = new CountDownLatch(1);
    node.registerBlocking("job", WorkerConfig.DEFAULT, ctx -> {
      started.countDown();
      ctx.sleep(Duration.ofSeconds(1));
      return obj().put("done", true);
    });
    RunHandle h = Await.result(node.call("job", obj()));
    await().atMost(Duration.ofSeconds(10)).until(() -> started.getCount() == 0);
    // when
    CompletableFuture<?> stopping = node.shutdown().toCompletableFuture();
    await().atMost(Duration.ofSeconds(5)).untilAsserted(() ->
        assertThatThrownBy(() -> node.call("job", obj())).isInstanceOf(RunRejectedException.class)
            .hasMessageContaining("shutting down"));
    Await.result(stopping, 60);
    // then
    TroupeNode after = start(db, "");
    after.registerBlocking("job", WorkerConfig.DEFAULT, ctx -> obj());
    RunResult r = Await.result(after.lookup(h.runId())).orElseThrow();
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.result().get("done").asBoolean()).isTrue();
  }

  /** Starts a node with {@code extra}, a run of a minute on it, and stops it gracefully. */
  private RunHandle stopGracefullyDuringALongRun(String db, String extra) {
    TroupeNode node = start(db, extra);
    CountDownLatch started = new CountDownLatch(1);
    node.registerBlocking("long", WorkerConfig.DEFAULT, ctx -> {
      started.countDown();
      ctx.sleep(Duration.ofMinutes(1));
      return obj();
    });
    RunHandle h = Await.result(node.call("long", obj()));
    await().atMost(Duration.ofSeconds(10)).until(() -> started.getCount() == 0);
    stopGracefully(node);
    return h;
  }

  @Test
  void aGracefulShutdownRequeuesRunsStillGoingAfterTheDrainTimeout() {
    // given a run that would take a minute, and a drain timeout of 500 ms
    String db = newDatabaseUrl();
    // when
    RunHandle h = stopGracefullyDuringALongRun(db, "troupe.shutdown.drain-timeout = 500ms");
    // then the run was queued again, and the next node runs it as attempt 2
    TroupeNode after = start(db, "");
    after.registerBlocking("long", WorkerConfig.DEFAULT, ctx -> obj().put("attempt", ctx.attempt()));
    RunResult r = Await.result(after.attach(h.runId()).result());
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.attempts()).isEqualTo(2);
    assertThat(r.result().get("attempt").asInt()).isEqualTo(2);
    WorkerStats stats = Await.result(after.stats("long"));
    assertThat(stats.runs()).isEqualTo(1);
    assertThat(stats.succeeded()).isEqualTo(1);
    assertThat(stats.cancelled()).isZero();
  }

  @Test
  void aGracefulShutdownCancelsRunsStillGoingAfterTheDrainTimeoutWhenConfigured() {
    // given a run that would take a minute, a drain timeout of 500 ms, and after-drain = cancel
    String db = newDatabaseUrl();
    // when
    RunHandle h = stopGracefullyDuringALongRun(db, "troupe.shutdown.drain-timeout = 500ms\n"
        + "troupe.shutdown.after-drain = cancel");
    // then
    TroupeNode after = start(db, "");
    after.registerBlocking("long", WorkerConfig.DEFAULT, ctx -> obj());
    RunResult r = Await.result(after.lookup(h.runId())).orElseThrow();
    assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(r.error().message()).contains("drain timeout");
    assertThat(Await.result(after.stats("long")).cancelled()).isEqualTo(1);
  }

  private static final Comparator<RunResult> NEWEST_FIRST =
      Comparator.comparing(RunResult::createdAt).thenComparing(RunResult::runId).reversed();

  /** The first page of a worker's run history. */
  private static List<RunResult> history(TroupeNode node, String worker) {
    return Await.result(node.runs(new RunQuery(worker, null, 100, null))).runs();
  }

  @Test
  void theRunHistorySurvivesARestart() {
    // given six finished runs, two of them failed, in the history
    String db = newDatabaseUrl();
    TroupeNode first = start(db, "");
    registerMixed(first);
    List<RunResult> runs = new ArrayList<>();
    for (int i = 0; i < 6; i++) {
      runs.add(Await.result(first.run("mixed", obj().put("i", i).put("fail", i < 2))));
    }
    List<RunResult> newestFirst = runs.stream().sorted(NEWEST_FIRST).toList();
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(history(first, "mixed")).containsExactlyElementsOf(newestFirst));
    stopGracefully(first);
    // when
    TroupeNode second = start(db, "");
    registerMixed(second);
    // then the history is there at once, and goes on from where it was
    assertThat(history(second, "mixed")).containsExactlyElementsOf(newestFirst);
    RunResult later = Await.result(second.run("mixed", obj().put("i", 6)));
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(history(second, "mixed")).hasSize(7).first().isEqualTo(later));
    assertThat(history(second, "mixed")).endsWith(newestFirst.toArray(RunResult[]::new));
  }

  @Test
  void lookupFindsARunItsEntityNoLongerKeepsInTheHistory() {
    // given four runs on a node whose entities keep the last two finished runs, and no history
    String db = newDatabaseUrl();
    String keepTwo = "troupe.worker.retained-finished-runs = 2";
    TroupeNode first = start(db, keepTwo + "\ntroupe.history.enabled = off");
    registerMixed(first);
    List<RunResult> runs = new ArrayList<>();
    for (int i = 0; i < 4; i++) {
      runs.add(Await.result(first.run("mixed", obj().put("i", i))));
    }
    assertThat(Await.result(first.lookup(runs.get(0).runId()))).as("evicted").isEmpty();
    assertThat(Await.result(first.lookup(runs.get(3).runId()))).contains(runs.get(3));
    assertThatThrownBy(() -> Await.result(first.runs(RunQuery.first(10))))
        .isInstanceOf(RunRejectedException.class).hasMessageContaining("troupe.history.enabled");
    stopGracefully(first);
    // when the node starts again with the history on
    TroupeNode second = start(db, keepTwo);
    registerMixed(second);
    // then the projection reads the journal from its start, and lookup falls back to the history
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(Await.result(second.lookup(runs.get(0).runId()))).contains(runs.get(0)));
    assertThat(Await.result(second.lookup(runs.get(1).runId()))).contains(runs.get(1));
    assertThat(history(second, "mixed")).containsExactlyElementsOf(
        runs.stream().sorted(NEWEST_FIRST).toList());
  }

  // streams

  /** A blocking worker that emits {@code count} messages, checkpointing every ten. */
  private static void registerEmitter(TroupeNode node, String name, WorkerConfig config,
      int count, Duration pause, AtomicInteger emitted) {
    node.registerBlocking(name, config, ctx -> {
      int from = ctx.lastCheckpoint().map(c -> c.get("next").asInt()).orElse(0);
      ctx.info("attempt " + ctx.attempt() + " starts at " + from);
      for (int i = from; i < count; i++) {
        ctx.emit(obj().put("i", i).put("attempt", ctx.attempt()));
        emitted.incrementAndGet();
        if (i % 10 == 9) {
          ctx.checkpoint(obj().put("next", i + 1));
        }
        if (!pause.isZero()) {
          ctx.sleep(pause);
        }
      }
      return obj().put("emitted", count);
    });
  }

  private static List<RunEvent> events(TroupeNode node, String runId, long afterSeq) {
    return Await.result(node.attach(runId).messages(afterSeq)
        .runWith(Sink.seq(), node.system()), 60);
  }

  private static List<Long> oneTo(long n) {
    return java.util.stream.LongStream.rangeClosed(1, n).boxed().toList();
  }

  @Test
  void aDurableStreamIsReplayedWholeFromAnySequenceNumberAfterARestart() {
    // given a finished run that emitted 40 messages, as a live subscriber saw it
    String db = newDatabaseUrl();
    TroupeNode first = start(db, "");
    registerEmitter(first, "emitter", WorkerConfig.DEFAULT, 40, Duration.ZERO, new AtomicInteger());
    RunHandle h = Await.result(first.call("emitter", obj()));
    List<RunEvent> live = Await.result(h.messages().runWith(Sink.seq(), first.system()), 60);
    stopGracefully(first);
    // when a new node starts on the same database
    TroupeNode second = start(db, "");
    registerEmitter(second, "emitter", WorkerConfig.DEFAULT, 40, Duration.ZERO, new AtomicInteger());
    List<RunEvent> replayed = events(second, h.runId(), 0);
    List<RunEvent> fromMiddle = events(second, h.runId(), 17);
    // then
    assertThat(live).extracting(RunEvent::seq).containsExactlyElementsOf(oneTo(live.size()));
    assertThat(live).filteredOn(e -> e.type().equals(RunEvent.MESSAGE)).hasSize(40);
    assertThat(live.get(live.size() - 1).type()).isEqualTo(RunEvent.RESULT);
    assertThat(replayed).isEqualTo(live);
    assertThat(fromMiddle).isEqualTo(live.subList(17, live.size()));
  }

  @Test
  void aDurableStreamGoesOnAfterItsLastWrittenEventWhenACrashInterruptsItsRun() throws Exception {
    // given a run emitting 60 messages, 20 ms apart, followed live until its node crashed
    String db = newDatabaseUrl();
    TroupeNode first = start(db, CRASH);
    AtomicInteger emitted = new AtomicInteger();
    registerEmitter(first, "steady", WorkerConfig.DEFAULT, 60, Duration.ofMillis(20), emitted);
    RunHandle h = Await.result(first.call("steady", obj()));
    List<RunEvent> seenBeforeCrash = new java.util.concurrent.CopyOnWriteArrayList<>();
    h.messages().runForeach(seenBeforeCrash::add, first.system());
    await().atMost(Duration.ofSeconds(20)).until(() -> emitted.get() >= 25);
    crash(first, db);
    // when a new node resumes the run (attempt 2, from its last checkpoint)
    TroupeNode second = start(db, "");
    registerEmitter(second, "steady", WorkerConfig.DEFAULT, 60, Duration.ZERO, new AtomicInteger());
    RunResult r = Await.result(second.attach(h.runId()).result());
    List<RunEvent> replayed = events(second, h.runId(), 0);
    // then one stream: numbered without gaps or repeats, what was seen live comes first, the second
    // attempt follows after the last event the first one wrote
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.attempts()).isEqualTo(2);
    assertThat(replayed).extracting(RunEvent::seq).containsExactlyElementsOf(oneTo(replayed.size()));
    assertThat(seenBeforeCrash).isNotEmpty();
    assertThat(replayed.subList(0, seenBeforeCrash.size())).isEqualTo(seenBeforeCrash);
    int restart = -1;
    for (int i = 0; i < replayed.size(); i++) {
      if (replayed.get(i).type().equals(RunEvent.STATUS)
          && replayed.get(i).data().path("attempt").asInt() == 2) {
        restart = i;
      }
    }
    assertThat(restart).as("RUNNING attempt 2 follows the events of attempt 1")
        .isGreaterThanOrEqualTo(seenBeforeCrash.size());
    assertThat(replayed.subList(0, restart)).allSatisfy(e ->
        assertThat(e.data().path("attempt").asInt(1)).isLessThanOrEqualTo(1));
    assertThat(replayed.subList(restart, replayed.size()))
        .filteredOn(e -> e.type().equals(RunEvent.MESSAGE))
        .allSatisfy(e -> assertThat(e.data().get("attempt").asInt()).isEqualTo(2));
    assertThat(replayed.get(replayed.size() - 1).type()).isEqualTo(RunEvent.RESULT);
  }

  @Test
  void aNonDurableStreamReportsWhatWasLostWhenItsNodeCrashed() throws Exception {
    // given a run with a non-durable stream that emitted three messages, followed live, when its
    // node crashed
    String db = newDatabaseUrl();
    WorkerConfig volatileStream = WorkerConfig.DEFAULT.withDurableStream(false);
    TroupeNode first = start(db, CRASH);
    AtomicInteger emitted = new AtomicInteger();
    first.registerBlocking("volatile", volatileStream, ctx -> {
      for (int i = 0; i < 3; i++) {
        ctx.emit(obj().put("i", i));
        emitted.incrementAndGet();
      }
      ctx.sleep(Duration.ofMinutes(1));
      return obj();
    });
    RunHandle h = Await.result(first.call("volatile", obj()));
    List<RunEvent> seen = new java.util.concurrent.CopyOnWriteArrayList<>();
    h.messages().runForeach(seen::add, first.system());
    await().atMost(Duration.ofSeconds(20)).until(() -> seen.size() >= 5);
    long lastSeen = seen.get(seen.size() - 1).seq();
    crash(first, db);
    // when a new node runs attempt 2 and a client resumes after the last id it had
    TroupeNode second = start(db, "");
    second.registerBlocking("volatile", volatileStream, ctx -> obj().put("attempt", ctx.attempt()));
    Await.result(second.attach(h.runId()).result());
    List<RunEvent> resumed = events(second, h.runId(), lastSeen);
    // then an explicit gap, then the new events numbered past every number given out before
    assertThat(lastSeen).isEqualTo(5);
    RunEvent gap = resumed.get(0);
    assertThat(gap.type()).isEqualTo(RunEvent.STATUS);
    assertThat(gap.data().get("gap").get("from").asLong()).isEqualTo(lastSeen + 1);
    assertThat(gap.data().get("stored").asBoolean()).isFalse();
    assertThat(resumed.subList(1, resumed.size())).extracting(RunEvent::seq)
        .allSatisfy(seq -> assertThat(seq).isGreaterThan(gap.seq()));
    assertThat(resumed.get(resumed.size() - 1).type()).isEqualTo(RunEvent.RESULT);
  }

  @Test
  void aNodeWithoutTheRunHistoryReportsADurableStreamItCannotReadAsAGapAndTheOutcome() {
    // given a finished run with a durable stream, on nodes whose run history is off
    String db = newDatabaseUrl();
    String noHistory = "troupe.history.enabled = off";
    TroupeNode first = start(db, noHistory);
    registerEmitter(first, "emitter", WorkerConfig.DEFAULT, 5, Duration.ZERO, new AtomicInteger());
    RunHandle h = Await.result(first.call("emitter", obj()));
    RunResult r = Await.result(h.result());
    stopGracefully(first);
    // when a new node (no history either) is asked for the stream after event 2
    TroupeNode second = start(db, noHistory);
    registerEmitter(second, "emitter", WorkerConfig.DEFAULT, 5, Duration.ZERO, new AtomicInteger());
    List<RunEvent> events = events(second, h.runId(), 2);
    // then which events it cannot give, as stored ones, and the outcome
    assertThat(events).hasSize(2);
    assertThat(events.get(0).data().get("gap").get("from").asLong()).isEqualTo(3);
    assertThat(events.get(0).data().get("gap").get("to").asLong()).isEqualTo(events.get(0).seq());
    assertThat(events.get(0).data().get("stored").asBoolean()).isTrue();
    assertThat(events.get(1).type()).isEqualTo(RunEvent.RESULT);
    assertThat(events.get(1).seq()).isZero();
    assertThat(events.get(1).data().get("runId").asText()).isEqualTo(r.runId());
  }
}
