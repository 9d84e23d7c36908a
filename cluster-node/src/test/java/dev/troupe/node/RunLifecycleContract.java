package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.CallOptions;
import dev.troupe.api.Cancelled;
import dev.troupe.api.DuplicateWorkerException;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunFinishedException;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunPage;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.SlowSubscriberException;
import dev.troupe.api.TransientFailure;
import dev.troupe.api.UnknownRunException;
import dev.troupe.api.UnknownWorkerException;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerStats;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.Comparator;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.testkit.TestSubscriber;
import org.apache.pekko.stream.testkit.javadsl.TestSink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The run lifecycle on one real node (real journal, real sharding), as a contract that each
 * database runs: see {@link H2RunLifecycleTest} and {@link PostgresRunLifecycleTest}.
 */
// the node's logs are printed only for the tests that fail
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
abstract class RunLifecycleContract {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final AtomicInteger names = new AtomicInteger();

  private ActorSystem<Void> system;
  private TroupeNode troupe;

  /** A fresh database URL for this class's node. */
  abstract String newDatabaseUrl();

  @BeforeAll
  void startNode() {
    system = TestNodes.system(TestNodes.config(newDatabaseUrl(), String.join("\n",
        "troupe.node.max-executing-runs = 64",
        "troupe.worker.stream.replay-buffer = 50",
        "troupe.worker.stream.subscriber-buffer = 8",
        "troupe.workers.configured { greeting = hello }")));
    troupe = TroupeNode.start(system);
  }

  @AfterAll
  void stopNode() {
    system.terminate();
    Await.result(system.getWhenTerminated(), 60);
  }

  private static String uniqueName(String base) {
    return base + "-" + names.incrementAndGet();
  }

  private static ObjectNode obj() {
    return JSON.objectNode();
  }

  private RunResult run(String worker, JsonNode payload) {
    return Await.result(troupe.run(worker, payload));
  }

  private RunHandle call(String worker, JsonNode payload) {
    return Await.result(troupe.call(worker, payload));
  }

  private List<RunEvent> events(RunHandle h, long afterSeq) {
    return Await.result(h.messages(afterSeq).runWith(Sink.seq(), system));
  }

  @Test
  void succeededRunHasResultTimingsAndStats() {
    // given
    String name = uniqueName("echo");
    troupe.register(name, WorkerConfig.DEFAULT, ctx -> CompletableFuture.completedFuture(ctx.payload()));
    // when
    RunResult r = run(name, obj().put("a", 1));
    // then
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.result()).isEqualTo(obj().put("a", 1));
    assertThat(r.worker()).isEqualTo(name);
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.error()).isNull();
    assertThat(r.runId()).endsWith("-" + name);
    assertThat(r.createdAt()).isBeforeOrEqualTo(r.startedAt());
    assertThat(r.finishedAt()).isAfterOrEqualTo(r.startedAt());
    assertThat(r.durationMs()).isEqualTo(Duration.between(r.startedAt(), r.finishedAt()).toMillis());
    WorkerStats stats = Await.result(troupe.stats(name));
    assertThat(stats.runs()).isEqualTo(1);
    assertThat(stats.succeeded()).isEqualTo(1);
    assertThat(stats.lastRunAt()).isEqualTo(r.finishedAt());
    assertThat(Await.result(troupe.lookup(r.runId()))).contains(r);
  }

  @Test
  void transientFailuresAreRetriedAfterTheBackoff() {
    // given a worker that fails twice, with backoff 200 ms doubling and no jitter
    String name = uniqueName("flaky");
    List<Instant> starts = Collections.synchronizedList(new ArrayList<>());
    troupe.register(name, WorkerConfig.DEFAULT.withRetry(
        new RetryPolicy(5, Duration.ofMillis(200), Duration.ofSeconds(2), 0.0)), ctx -> {
          starts.add(Instant.now());
          if (ctx.attempt() <= 2) {
            throw new TransientFailure("not yet, attempt " + ctx.attempt());
          }
          return CompletableFuture.completedFuture(obj().put("attempts", ctx.attempt()));
        });
    // when
    RunResult r = run(name, obj());
    // then
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.attempts()).isEqualTo(3);
    assertThat(r.result().get("attempts").asInt()).isEqualTo(3);
    assertThat(Duration.between(starts.get(0), starts.get(1))).isGreaterThanOrEqualTo(Duration.ofMillis(200));
    assertThat(Duration.between(starts.get(1), starts.get(2))).isGreaterThanOrEqualTo(Duration.ofMillis(400));
    assertThat(Await.result(troupe.stats(name)).retries()).isEqualTo(2);
  }

  @Test
  void permanentFailureIsNotRetried() {
    // given
    String name = uniqueName("permanent");
    AtomicInteger calls = new AtomicInteger();
    troupe.register(name, WorkerConfig.DEFAULT.withRetry(RetryPolicy.of(5, Duration.ofMillis(10),
        Duration.ofMillis(10))), ctx -> {
          calls.incrementAndGet();
          throw new PermanentFailure("field 'to' is required");
        });
    // when
    RunResult r = run(name, obj());
    // then
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(calls.get()).isEqualTo(1);
    assertThat(r.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(r.error().message()).isEqualTo("field 'to' is required");
  }

  @Test
  void transientFailureEndsFailedWhenAttemptsAreExhausted() {
    // given
    String name = uniqueName("always-failing");
    troupe.register(name, WorkerConfig.DEFAULT.withRetry(new RetryPolicy(3, Duration.ofMillis(20),
        Duration.ofMillis(40), 0.0)), ctx -> {
          throw new IllegalStateException("database down");
        });
    // when
    RunResult r = run(name, obj());
    // then
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.attempts()).isEqualTo(3);
    assertThat(r.error().code()).isEqualTo(ErrorCode.TRANSIENT_ERROR);
    assertThat(r.error().message()).isEqualTo("failed after 3 attempts: IllegalStateException: database down");
    WorkerStats stats = Await.result(troupe.stats(name));
    assertThat(stats.failed()).isEqualTo(1);
    assertThat(stats.errors()).isEqualTo(1);
    assertThat(stats.retries()).isEqualTo(2);
  }

  @Test
  void errorClassifierDecidesForOtherExceptions() {
    // given
    String name = uniqueName("classified");
    troupe.register(name, WorkerConfig.DEFAULT
        .withErrorClassifier(t -> t instanceof IllegalArgumentException)
        .withRetry(RetryPolicy.of(3, Duration.ofMillis(10), Duration.ofMillis(10))), ctx -> {
          throw new IllegalArgumentException("bad region");
        });
    // when
    RunResult r = run(name, obj());
    // then
    assertThat(r.status()).isEqualTo(RunStatus.FAILED);
    assertThat(r.attempts()).isEqualTo(1);
    assertThat(r.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
  }

  @Test
  void asyncHandlerTimesOutAndIsCancelled() {
    // given a handler that never completes
    String name = uniqueName("hanging");
    CountDownLatch cancelled = new CountDownLatch(1);
    troupe.register(name, WorkerConfig.DEFAULT.withTimeout(Duration.ofMillis(300)), ctx -> {
      ctx.onCancel(cancelled::countDown);
      return new CompletableFuture<>();
    });
    // when
    RunResult r = run(name, obj());
    // then
    assertThat(r.status()).isEqualTo(RunStatus.TIMED_OUT);
    assertThat(r.error().code()).isEqualTo(ErrorCode.TIMEOUT);
    assertThat(r.error().message()).contains("300 ms");
    assertThat(r.durationMs()).isGreaterThanOrEqualTo(300);
    await().atMost(Duration.ofSeconds(5)).until(() -> cancelled.getCount() == 0);
    assertThat(Await.result(troupe.stats(name)).timedOut()).isEqualTo(1);
  }

  @Test
  void blockingHandlerIsInterruptedOnTimeout() {
    // given a blocking handler stuck in Thread.sleep
    String name = uniqueName("stuck");
    AtomicBoolean interrupted = new AtomicBoolean();
    troupe.registerBlocking(name, WorkerConfig.DEFAULT.withTimeout(Duration.ofMillis(300)), ctx -> {
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        interrupted.set(true);
      }
      return obj();
    });
    // when
    RunResult r = run(name, obj());
    // then
    assertThat(r.status()).isEqualTo(RunStatus.TIMED_OUT);
    await().atMost(Duration.ofSeconds(5)).untilTrue(interrupted);
  }

  @Test
  void callOptionTimeoutOverridesTheDefinition() {
    // given a definition timeout of a minute
    String name = uniqueName("slow-async");
    troupe.register(name, WorkerConfig.DEFAULT.withTimeout(Duration.ofMinutes(1)),
        ctx -> ctx.delay(Duration.ofSeconds(30)).thenApply(full -> obj()));
    // when
    RunHandle h = Await.result(troupe.call(name, obj(),
        CallOptions.NONE.withTimeout(Duration.ofMillis(200))));
    // then
    RunResult r = Await.result(h.result());
    assertThat(r.status()).isEqualTo(RunStatus.TIMED_OUT);
  }

  @Test
  void cancelEndsAnAsyncRunAndRunsItsCallbacks() {
    // given
    String name = uniqueName("cancel-async");
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean callback = new AtomicBoolean();
    troupe.register(name, WorkerConfig.DEFAULT, ctx -> {
      ctx.onCancel(() -> callback.set(true));
      started.countDown();
      return ctx.delay(Duration.ofMinutes(1)).thenApply(full -> obj().put("full", full));
    });
    RunHandle h = call(name, obj());
    await().atMost(Duration.ofSeconds(10)).until(() -> started.getCount() == 0);
    // when
    Await.result(h.cancel());
    // then
    RunResult r = Await.result(h.result());
    assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(r.error().code()).isEqualTo(ErrorCode.CANCELLED);
    await().atMost(Duration.ofSeconds(5)).untilTrue(callback);
    assertThatThrownBy(() -> Await.result(h.cancel())).isInstanceOf(RunFinishedException.class)
        .hasMessageContaining("CANCELLED");
    assertThat(Await.result(troupe.stats(name)).cancelled()).isEqualTo(1);
  }

  @Test
  void cancelInterruptsABlockingHandler() {
    // given
    String name = uniqueName("cancel-blocking");
    CountDownLatch started = new CountDownLatch(1);
    AtomicBoolean interrupted = new AtomicBoolean();
    troupe.registerBlocking(name, WorkerConfig.DEFAULT, ctx -> {
      started.countDown();
      try {
        Thread.sleep(60_000);
      } catch (InterruptedException e) {
        interrupted.set(true);
      }
      return obj();
    });
    RunHandle h = call(name, obj());
    await().atMost(Duration.ofSeconds(10)).until(() -> started.getCount() == 0);
    // when
    Await.result(troupe.cancel(h.runId()));
    // then
    assertThat(Await.result(h.result()).status()).isEqualTo(RunStatus.CANCELLED);
    await().atMost(Duration.ofSeconds(5)).untilTrue(interrupted);
  }

  @Test
  void queuedRunsWaitForTheConcurrencyLimitAndTheQueueRejectsBeyondItsCapacity() {
    // given one run executing, two waiting: maxConcurrent 1, queueCapacity 2
    String name = uniqueName("limited");
    CountDownLatch release = new CountDownLatch(1);
    troupe.registerBlocking(name, WorkerConfig.DEFAULT.withMaxConcurrent(1).withQueueCapacity(2),
        ctx -> {
          release.await();
          return obj();
        });
    RunHandle first = call(name, obj());
    await().atMost(Duration.ofSeconds(10))
        .until(() -> Await.result(troupe.stats(name)).running() == 1);
    RunHandle second = call(name, obj());
    RunHandle third = call(name, obj());
    // when
    Throwable rejected = null;
    try {
      call(name, obj());
    } catch (RuntimeException e) {
      rejected = e;
    }
    // then
    assertThat(rejected).isInstanceOf(RunRejectedException.class).hasMessageContaining("queueCapacity");
    assertThat(((RunRejectedException) rejected).reason()).isEqualTo(RunRejectedException.Reason.QUEUE_FULL);
    WorkerStats stats = Await.result(troupe.stats(name));
    assertThat(stats.running()).isEqualTo(1);
    assertThat(stats.queued()).isEqualTo(2);
    assertThat(Await.result(troupe.active(name))).extracting(RunResult::status)
        .containsExactlyInAnyOrder(RunStatus.RUNNING, RunStatus.QUEUED, RunStatus.QUEUED);
    // and a queued run can be cancelled before it starts
    Await.result(third.cancel());
    release.countDown();
    assertThat(Await.result(first.result()).status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(Await.result(second.result()).status()).isEqualTo(RunStatus.SUCCEEDED);
    RunResult cancelled = Await.result(third.result());
    assertThat(cancelled.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(cancelled.attempts()).isZero();
    assertThat(cancelled.startedAt()).isNull();
  }

  @Test
  void theNodeCapsExecutingRunsOverAllWorkers() {
    // given a node cap of 64 and two definitions allowing 100 at once each
    String wide = uniqueName("wide");
    String other = uniqueName("other");
    CountDownLatch release = new CountDownLatch(1);
    for (String name : List.of(wide, other)) {
      troupe.register(name, WorkerConfig.DEFAULT.withMaxConcurrent(100),
          ctx -> CompletableFuture.runAsync(() -> { }).thenCompose(v -> {
            CompletableFuture<JsonNode> f = new CompletableFuture<>();
            new Thread(() -> {
              try {
                release.await();
              } catch (InterruptedException ignored) {
                Thread.currentThread().interrupt();
              }
              f.complete(obj());
            }).start();
            return f;
          }));
    }
    List<RunHandle> handles = new ArrayList<>();
    // when 50 calls of each arrive
    for (int i = 0; i < 50; i++) {
      handles.add(call(wide, obj()));
      handles.add(call(other, obj()));
    }
    // then 64 run over both, the other 36 wait, and each definition has some of the 64
    await().atMost(Duration.ofSeconds(10)).until(() -> Await.result(troupe.stats(wide)).running()
        + Await.result(troupe.stats(other)).running() == 64);
    WorkerStats a = Await.result(troupe.stats(wide));
    WorkerStats b = Await.result(troupe.stats(other));
    assertThat(a.queued() + b.queued()).isEqualTo(36);
    assertThat(a.running()).isPositive();
    assertThat(b.running()).isPositive();
    release.countDown();
    for (RunHandle h : handles) {
      assertThat(Await.result(h.result()).status()).isEqualTo(RunStatus.SUCCEEDED);
    }
  }

  @Test
  void idempotencyKeyReturnsTheExistingRun() {
    // given
    String name = uniqueName("idem");
    AtomicInteger executions = new AtomicInteger();
    troupe.register(name, WorkerConfig.DEFAULT, ctx -> {
      executions.incrementAndGet();
      return CompletableFuture.completedFuture(ctx.payload());
    });
    CallOptions key = CallOptions.NONE.withIdempotencyKey("order-42");
    RunHandle first = Await.result(troupe.call(name, obj().put("n", 1), key));
    Await.result(first.result());
    // when
    RunHandle again = Await.result(troupe.call(name, obj().put("n", 2), key));
    // then
    assertThat(first.existing()).isFalse();
    assertThat(again.existing()).isTrue();
    assertThat(again.runId()).isEqualTo(first.runId());
    assertThat(Await.result(again.result()).result().get("n").asInt()).isEqualTo(1);
    assertThat(executions.get()).isEqualTo(1);
    assertThat(Await.result(troupe.stats(name)).runs()).isEqualTo(1);
  }

  @Test
  void eventsAreNumberedAndReplayableFromASequenceNumber() {
    // given a run that emits five messages and a log line
    String name = uniqueName("emitter");
    troupe.register(name, WorkerConfig.DEFAULT, ctx -> {
      for (int i = 1; i <= 5; i++) {
        ctx.emit(obj().put("i", i));
      }
      ctx.info("done emitting");
      return CompletableFuture.completedFuture(obj().put("ok", true));
    });
    RunHandle h = call(name, obj());
    Await.result(h.result());
    // when
    List<RunEvent> all = events(h, 0);
    long third = all.stream().filter(e -> e.type().equals(RunEvent.MESSAGE)).skip(2).findFirst()
        .orElseThrow().seq();
    List<RunEvent> rest = events(h, third);
    // then
    assertThat(all).extracting(RunEvent::seq)
        .containsExactlyElementsOf(java.util.stream.LongStream.rangeClosed(1, all.size()).boxed().toList());
    assertThat(all).filteredOn(e -> e.type().equals(RunEvent.MESSAGE))
        .extracting(e -> e.data().get("i").asInt()).containsExactly(1, 2, 3, 4, 5);
    assertThat(all).filteredOn(e -> e.type().equals(RunEvent.LOG))
        .extracting(e -> e.data().get("message").asText()).containsExactly("done emitting");
    assertThat(all.get(all.size() - 1).type()).isEqualTo(RunEvent.RESULT);
    assertThat(all.get(all.size() - 1).data().get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(rest.get(0).seq()).isEqualTo(third + 1);
    assertThat(rest).isEqualTo(all.subList((int) third, all.size()));
  }

  @Test
  void resumingAtOrPastTheEndOfAFinishedRunGivesItsOutcomeAgain() {
    // given a finished run and its whole stream
    String name = uniqueName("finished");
    troupe.register(name, WorkerConfig.DEFAULT, ctx -> {
      ctx.emit(obj().put("i", 1));
      return CompletableFuture.completedFuture(obj().put("ok", true));
    });
    RunHandle h = call(name, obj());
    Await.result(h.result());
    List<RunEvent> all = events(h, 0);
    RunEvent terminal = all.get(all.size() - 1);
    // when
    List<RunEvent> atTheEnd = events(h, terminal.seq());
    List<RunEvent> pastTheEnd = events(h, terminal.seq() + 100);
    // then
    assertThat(terminal.type()).isEqualTo(RunEvent.RESULT);
    assertThat(atTheEnd).containsExactly(terminal);
    assertThat(pastTheEnd).containsExactly(terminal);
  }

  @Test
  void subscribersAttachedMidRunGetTheRestLiveAndTheEnd() {
    // given a run that emits, then waits for the test
    String name = uniqueName("live");
    CountDownLatch go = new CountDownLatch(1);
    troupe.registerBlocking(name, WorkerConfig.DEFAULT, ctx -> {
      ctx.emit(obj().put("phase", "before"));
      go.await();
      ctx.emit(obj().put("phase", "after"));
      return obj();
    });
    RunHandle h = call(name, obj());
    CompletionStage<List<RunEvent>> a = h.messages().runWith(Sink.seq(), system);
    CompletionStage<List<RunEvent>> b = h.messages().runWith(Sink.seq(), system);
    // when
    go.countDown();
    // then
    for (List<RunEvent> seen : List.of(Await.result(a), Await.result(b))) {
      assertThat(seen).filteredOn(e -> e.type().equals(RunEvent.MESSAGE))
          .extracting(e -> e.data().get("phase").asText()).containsExactly("before", "after");
      assertThat(seen.get(seen.size() - 1).isTerminal()).isTrue();
    }
  }

  @Test
  void aSlowSubscriberIsDroppedWithASignalAndTheRunGoesOn() {
    // given a run emitting 20,000 messages over at least 200 ms, and a subscriber that requests
    // nothing (it attaches when its stream starts, at some point during the emits); its stream is
    // not durable, so only the replay buffer keeps events for late subscribers
    String name = uniqueName("firehose");
    CountDownLatch subscribed = new CountDownLatch(1);
    troupe.registerBlocking(name, WorkerConfig.DEFAULT.withDurableStream(false), ctx -> {
      subscribed.await();
      for (int i = 0; i < 20_000; i++) {
        ctx.emit(obj().put("i", i));
        if (i % 100 == 0) {
          ctx.sleep(Duration.ofMillis(1));
        }
      }
      return obj();
    });
    RunHandle h = call(name, obj());
    TestSubscriber.Probe<RunEvent> slow = h.messages().runWith(TestSink.probe(system.classicSystem()), system);
    slow.ensureSubscription();
    // when
    subscribed.countDown();
    // then
    assertThat(Await.result(h.result()).status()).isEqualTo(RunStatus.SUCCEEDED);
    Throwable dropped = slow.expectError();
    assertThat(dropped).isInstanceOf(SlowSubscriberException.class).hasMessageContaining("resume after seq");
    // and the replay buffer keeps only its last 50 events, saying what was missed
    List<RunEvent> late = events(h, 0);
    assertThat(late.get(0).type()).isEqualTo(RunEvent.STATUS);
    assertThat(late.get(0).data().get("gap").get("from").asLong()).isEqualTo(1);
    assertThat(late).hasSize(51);
  }

  @Test
  void aDurableStreamIsReplayedWholeOnceItsNodeNoLongerBuffersIt() {
    // given a run with a durable stream that emitted 2,000 messages (the node buffers 50), and
    // a subscriber that took the first ten
    String name = uniqueName("durable-firehose");
    troupe.registerBlocking(name, WorkerConfig.DEFAULT, ctx -> {
      for (int i = 0; i < 2_000; i++) {
        ctx.emit(obj().put("i", i));
      }
      return obj();
    });
    RunHandle h = call(name, obj());
    List<RunEvent> firstTen = Await.result(h.messages().take(10).runWith(Sink.seq(), system));
    Await.result(h.result());
    // when
    List<RunEvent> all = events(h, 0);
    List<RunEvent> resumed = events(h, 10);
    // then every event, numbered without gaps, and the resumed ones are the same events
    assertThat(all).hasSize(2_000 + 3);
    assertThat(all).extracting(RunEvent::seq).containsExactlyElementsOf(
        java.util.stream.LongStream.rangeClosed(1, all.size()).boxed().toList());
    assertThat(all).filteredOn(e -> e.type().equals(RunEvent.MESSAGE))
        .extracting(e -> e.data().get("i").asInt())
        .containsExactlyElementsOf(java.util.stream.IntStream.range(0, 2_000).boxed().toList());
    assertThat(all.subList(0, 10)).isEqualTo(firstTen);
    assertThat(resumed).isEqualTo(all.subList(10, all.size()));
  }

  @Test
  void statsCountEveryOutcome() {
    // given
    String name = uniqueName("mixed");
    troupe.register(name, WorkerConfig.DEFAULT.withMaxConcurrent(8), ctx -> {
      if (ctx.payload().path("fail").asBoolean()) {
        throw new PermanentFailure("asked to fail");
      }
      return ctx.delay(Duration.ofMillis(5)).thenApply(full -> obj());
    });
    // when
    List<CompletableFuture<RunResult>> runs = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      runs.add(troupe.run(name, obj().put("fail", i % 4 == 0)).toCompletableFuture());
    }
    runs.forEach(Await::result);
    // then
    WorkerStats s = Await.result(troupe.stats(name));
    assertThat(s.runs()).isEqualTo(20);
    assertThat(s.succeeded()).isEqualTo(15);
    assertThat(s.failed()).isEqualTo(5);
    assertThat(s.errors()).isEqualTo(5);
    assertThat(s.running()).isZero();
    assertThat(s.queued()).isZero();
    long total = runs.stream().mapToLong(f -> f.join().durationMs()).sum();
    assertThat(s.totalRuntimeMs()).isEqualTo(total);
    assertThat(s.meanMs()).isEqualTo(total / 20.0);
    assertThat(s.p50Ms()).isLessThanOrEqualTo(s.p95Ms());
    assertThat(s.p95Ms()).isLessThanOrEqualTo(s.p99Ms());
    assertThat(s.p50Ms()).isGreaterThanOrEqualTo(5);
  }

  @Test
  void aRetryResumesFromTheLastCheckpoint() {
    // given a worker that checkpoints, then fails its first attempt
    String name = uniqueName("checkpointing");
    troupe.registerBlocking(name, WorkerConfig.DEFAULT.withRetry(
        RetryPolicy.of(3, Duration.ofMillis(20), Duration.ofMillis(20))), ctx -> {
          int from = ctx.lastCheckpoint().map(c -> c.get("done").asInt()).orElse(0);
          if (ctx.attempt() == 1) {
            ctx.checkpoint(obj().put("done", 3));
            throw new TransientFailure("lost the connection");
          }
          return obj().put("resumedFrom", from);
        });
    // when
    RunResult r = run(name, obj());
    // then
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.attempts()).isEqualTo(2);
    assertThat(r.result().get("resumedFrom").asInt()).isEqualTo(3);
  }

  @Test
  void aSupersededAttemptCannotEmitNorCheckpoint() {
    // given an attempt that times out and keeps going on its own thread
    String name = uniqueName("zombie");
    AtomicReference<Throwable> checkpointFailure = new AtomicReference<>();
    CountDownLatch zombieDone = new CountDownLatch(1);
    troupe.register(name, WorkerConfig.DEFAULT.withTimeout(Duration.ofMillis(200)), ctx -> {
      new Thread(() -> {
        try {
          ctx.sleep(Duration.ofSeconds(5));
        } catch (Cancelled expected) {
          // the timeout cancels the attempt; this thread goes on as a zombie would
        }
        ctx.emit(obj().put("late", true));
        try {
          ctx.checkpoint(obj().put("late", true));
        } catch (RuntimeException e) {
          checkpointFailure.set(e.getCause() != null ? e.getCause() : e);
        }
        zombieDone.countDown();
      }).start();
      return new CompletableFuture<>();
    });
    // when
    RunHandle h = call(name, obj());
    RunResult r = Await.result(h.result());
    await().atMost(Duration.ofSeconds(10)).until(() -> zombieDone.getCount() == 0);
    // then
    assertThat(r.status()).isEqualTo(RunStatus.TIMED_OUT);
    assertThat(events(h, 0)).noneMatch(e -> e.data().has("late"));
    assertThat(checkpointFailure.get()).isInstanceOf(RunFinishedException.class);
  }

  @Test
  void aPoisonWorkerFailsWhileOtherWorkersGoOn() {
    // given a worker that always fails and retries with backoff
    String poison = uniqueName("poison");
    String echo = uniqueName("echo");
    troupe.register(poison, WorkerConfig.DEFAULT.withRetry(new RetryPolicy(4, Duration.ofMillis(100),
        Duration.ofMillis(400), 0.0)), ctx -> {
          throw new TransientFailure("always");
        });
    troupe.register(echo, WorkerConfig.DEFAULT, ctx -> CompletableFuture.completedFuture(ctx.payload()));
    // when
    CompletableFuture<RunResult> poisoned = troupe.run(poison, obj()).toCompletableFuture();
    List<CompletableFuture<RunResult>> others = new ArrayList<>();
    for (int i = 0; i < 100; i++) {
      others.add(troupe.run(echo, obj().put("i", i)).toCompletableFuture());
    }
    // then
    for (CompletableFuture<RunResult> f : others) {
      assertThat(Await.result(f).status()).isEqualTo(RunStatus.SUCCEEDED);
    }
    assertThat(poisoned).isNotDone();
    RunResult p = Await.result(poisoned);
    assertThat(p.status()).isEqualTo(RunStatus.FAILED);
    assertThat(p.attempts()).isEqualTo(4);
  }

  @Test
  void badInputIsRejectedWithAClearErrorAndNothingIsRecorded() {
    String name = uniqueName("strict");
    troupe.register(name, WorkerConfig.DEFAULT, ctx -> CompletableFuture.completedFuture(null));
    assertThatThrownBy(() -> troupe.register("Send_Email", WorkerConfig.DEFAULT,
        ctx -> CompletableFuture.completedFuture(null)))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("^[a-z0-9][a-z0-9-]{0,62}$");
    assertThatThrownBy(() -> troupe.register(name, WorkerConfig.DEFAULT,
        ctx -> CompletableFuture.completedFuture(null)))
        .isInstanceOf(DuplicateWorkerException.class).hasMessageContaining(name);
    assertThatThrownBy(() -> troupe.call("no-such-worker", obj()))
        .isInstanceOf(UnknownWorkerException.class).hasMessageContaining("no-such-worker");
    assertThatThrownBy(() -> troupe.call("-bad", obj()))
        .isInstanceOf(InvalidArgumentException.class);
    assertThatThrownBy(() -> troupe.call(name, null))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("payload");
    assertThatThrownBy(() -> CallOptions.NONE.withTimeout(Duration.ofMillis(-5)))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("timeout");
    assertThatThrownBy(() -> WorkerConfig.DEFAULT.withMaxConcurrent(0))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("maxConcurrent");
    assertThatThrownBy(() -> Await.result(troupe.cancel("not-a-run-id")))
        .isInstanceOf(UnknownRunException.class).hasMessageContaining("malformed run id");
    assertThat(Await.result(troupe.lookup(
        dev.troupe.persistence.RunIds.newRunId(name, System.currentTimeMillis())))).isEmpty();
    WorkerStats s = Await.result(troupe.stats(name));
    assertThat(s.runs()).isZero();
    assertThat(s.queued()).isZero();
    assertThat(Await.result(troupe.active(name))).isEmpty();
  }

  @Test
  void definitionsAndActiveRunsAreListed() {
    // given
    String name = uniqueName("listed");
    CountDownLatch release = new CountDownLatch(1);
    troupe.registerBlocking(name, WorkerConfig.DEFAULT.withDescription("waits"), ctx -> {
      release.await();
      return obj();
    });
    RunHandle h = call(name, obj());
    // then
    assertThat(troupe.workers()).anySatisfy(d -> {
      assertThat(d.name()).isEqualTo(name);
      assertThat(d.config().description()).isEqualTo("waits");
    });
    await().atMost(Duration.ofSeconds(10)).until(() -> Await.result(troupe.active()).stream()
        .anyMatch(r -> r.runId().equals(h.runId()) && r.status() == RunStatus.RUNNING));
    release.countDown();
    Await.result(h.result());
    assertThat(Await.result(troupe.active(name))).isEmpty();
  }

  @Test
  void theContextGivesIdentityConfigStateAndLogs() {
    // given
    AtomicReference<String> seen = new AtomicReference<>();
    troupe.register("configured", WorkerConfig.DEFAULT, ctx -> {
      ctx.setState("step", 1);
      ctx.setState("step", ctx.getState("step", Integer.class).orElseThrow() + 1);
      seen.set(ctx.workerName() + "|" + ctx.runId() + "|" + ctx.attempt() + "|"
          + ctx.config().getString("greeting") + "|" + ctx.environment() + "|"
          + ctx.getState("step", Integer.class).orElseThrow() + "|" + ctx.isCancelled());
      ctx.debug("a debug line");
      ctx.clearState();
      return CompletableFuture.completedFuture(obj().put("cleared", ctx.getState("step", Integer.class).isEmpty())
          .put("deadlineAhead", ctx.deadline().isAfter(Instant.now())));
    });
    // when
    RunHandle h = call("configured", obj());
    RunResult r = Await.result(h.result());
    // then
    assertThat(seen.get()).isEqualTo("configured|" + h.runId() + "|1|hello|development|2|false");
    assertThat(r.result()).isEqualTo(obj().put("cleared", true).put("deadlineAhead", true));
    assertThat(events(h, 0)).anySatisfy(e -> {
      assertThat(e.type()).isEqualTo(RunEvent.LOG);
      assertThat(e.data().get("level").asText()).isEqualTo("debug");
    });
  }

  @Test
  void payloadAsNamesTheFieldThatDoesNotFit() {
    // given
    record Email(String to, int delayMs) { }
    String name = uniqueName("typed");
    troupe.register(name, WorkerConfig.DEFAULT,
        ctx -> CompletableFuture.completedFuture(obj().put("to", ctx.payloadAs(Email.class).to())));
    // when
    RunResult bad = run(name, obj().put("to", "a@b.c").put("delayMs", "soon"));
    RunResult good = run(name, obj().put("to", "a@b.c").put("delayMs", 5));
    // then
    assertThat(bad.status()).isEqualTo(RunStatus.FAILED);
    assertThat(bad.error().code()).isEqualTo(ErrorCode.PERMANENT_ERROR);
    assertThat(bad.error().message()).isEqualTo("payload.delayMs: expected a number, got \"soon\"");
    assertThat(good.result().get("to").asText()).isEqualTo("a@b.c");
  }

  @Test
  void partitionsSpreadRunsOverSeveralEntities() {
    // given
    String name = uniqueName("spread");
    troupe.register(name, WorkerConfig.DEFAULT.withPartitions(4),
        ctx -> CompletableFuture.completedFuture(ctx.payload()));
    // when
    List<RunResult> results = new ArrayList<>();
    for (int i = 0; i < 8; i++) {
      results.add(run(name, obj()));
    }
    // then
    assertThat(results).extracting(r -> r.runId().substring(27))
        .contains(name, name + ".1", name + ".2", name + ".3");
    assertThat(Await.result(troupe.stats(name)).runs()).isEqualTo(8);
    for (RunResult r : results) {
      assertThat(Await.result(troupe.lookup(r.runId()))).contains(r);
    }
  }

  @Test
  void aSubscriberThatCancelsEarlyLeavesTheRunAndItsEntityWell() {
    // given a run that emits, then waits for the test
    String name = uniqueName("early-leaver");
    CountDownLatch go = new CountDownLatch(1);
    troupe.registerBlocking(name, WorkerConfig.DEFAULT, ctx -> {
      ctx.emit(obj().put("first", true));
      go.await();
      return obj().put("done", true);
    });
    RunHandle h = call(name, obj());
    // when the subscriber takes the first message and cancels
    RunEvent first = Await.result(h.messages().filter(e -> e.type().equals(RunEvent.MESSAGE))
        .runWith(Sink.head(), system));
    go.countDown();
    // then the run ends normally and its entity keeps answering
    assertThat(first.data().get("first").asBoolean()).isTrue();
    assertThat(Await.result(h.result()).status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(run(name, obj()).status()).isEqualTo(RunStatus.SUCCEEDED);
  }

  @Test
  void theFacadesStagesCompleteOffTheEntitysThread() {
    // given a run that takes 300 ms, so its result stage is surely not complete yet
    String name = uniqueName("threads");
    troupe.register(name, WorkerConfig.DEFAULT,
        ctx -> ctx.delay(Duration.ofMillis(300)).thenApply(full -> obj()));
    RunHandle h = call(name, obj());
    // when a continuation is attached before the stage completes
    String resultThread = Await.result(h.result().thenApply(r -> Thread.currentThread().getName()));
    // then it runs on the callback dispatcher, not on the entity's (default) dispatcher
    assertThat(resultThread).contains("callback-dispatcher");
  }

  @Test
  void handlerLogsCarryTheWorkerAndRunIdInTheMdc() {
    // given a listener on the worker's logger
    String name = uniqueName("logging");
    ch.qos.logback.classic.Logger logger =
        (ch.qos.logback.classic.Logger) org.slf4j.LoggerFactory.getLogger("troupe.worker." + name);
    ch.qos.logback.core.read.ListAppender<ch.qos.logback.classic.spi.ILoggingEvent> seen =
        new ch.qos.logback.core.read.ListAppender<>();
    seen.start();
    logger.addAppender(seen);
    troupe.register(name, WorkerConfig.DEFAULT, ctx -> {
      ctx.warn("disk almost full");
      return CompletableFuture.completedFuture(obj());
    });
    // when
    RunResult r = run(name, obj());
    // then
    logger.detachAppender(seen);
    assertThat(seen.list).singleElement().satisfies(e -> {
      assertThat(e.getFormattedMessage()).isEqualTo("disk almost full");
      assertThat(e.getLevel()).isEqualTo(ch.qos.logback.classic.Level.WARN);
      assertThat(e.getMDCPropertyMap()).containsEntry("worker", name).containsEntry("runId", r.runId());
    });
  }

  private static final Comparator<RunResult> NEWEST_FIRST =
      Comparator.comparing(RunResult::createdAt).thenComparing(RunResult::runId).reversed();

  private RunPage history(String worker, RunStatus status, int limit, String cursor) {
    return Await.result(troupe.runs(new RunQuery(worker, status, limit, cursor)));
  }

  @Test
  void theRunHistoryListsRunsNewestFirstFilteredAndPaged() {
    // given five finished runs of one worker (two failed), and a run of another that waits
    String name = uniqueName("history");
    String other = uniqueName("history-other");
    troupe.register(name, WorkerConfig.DEFAULT, ctx -> {
      if (ctx.payload().path("fail").asBoolean()) {
        throw new PermanentFailure("asked to fail");
      }
      return CompletableFuture.completedFuture(ctx.payload());
    });
    CountDownLatch release = new CountDownLatch(1);
    troupe.registerBlocking(other, WorkerConfig.DEFAULT, ctx -> {
      release.await();
      return obj().put("released", true);
    });
    List<RunResult> runs = new ArrayList<>();
    for (int i = 0; i < 5; i++) {
      runs.add(run(name, obj().put("i", i).put("fail", i % 2 == 1)));
    }
    RunHandle waiting = call(other, obj());
    List<RunResult> newestFirst = runs.stream().sorted(NEWEST_FIRST).toList();
    // then the history shows them, as the runs themselves, shortly after they finished
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(history(name, null, 10, null).runs()).containsExactlyElementsOf(newestFirst));
    // filtered by status
    assertThat(history(name, RunStatus.FAILED, 10, null).runs())
        .containsExactlyElementsOf(newestFirst.stream()
            .filter(r -> r.status() == RunStatus.FAILED).toList())
        .hasSize(2)
        .allSatisfy(r -> assertThat(r.error().message()).isEqualTo("asked to fail"));
    // paged: 2 + 2 + 1, the last page without a cursor
    List<RunResult> paged = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    String cursor = null;
    do {
      RunPage page = history(name, null, 2, cursor);
      paged.addAll(page.runs());
      sizes.add(page.runs().size());
      cursor = page.nextCursor();
    } while (cursor != null);
    assertThat(sizes).containsExactly(2, 2, 1);
    assertThat(paged).containsExactlyElementsOf(newestFirst);
    // a run still going shows its status, then its end
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(history(other, RunStatus.RUNNING, 10, null).runs())
            .extracting(RunResult::runId).containsExactly(waiting.runId()));
    release.countDown();
    RunResult released = Await.result(waiting.result());
    await().atMost(Duration.ofSeconds(10)).untilAsserted(() ->
        assertThat(history(other, null, 10, null).runs()).containsExactly(released));
    assertThat(history(null, null, 100, null).runs()).isSortedAccordingTo(NEWEST_FIRST)
        .contains(released);
    // and a cursor that no page gave out is refused
    assertThatThrownBy(() -> history(name, null, 2, "not a cursor"))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("cursor");
  }
}
