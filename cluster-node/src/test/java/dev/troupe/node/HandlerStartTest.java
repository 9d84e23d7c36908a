package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import java.time.Duration;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * An attempt's deadline counts from the moment its handler gets a thread, and an attempt that
 * ends before that never runs its handler. The node's blocking pool has one thread here. A run of
 * a blocking handler takes a node slot only while a thread of the pool is free for it (the slots
 * count the pool's threads), so a second run waits queued while the first holds the thread; a run
 * can still wait for a thread that something else on the pool holds (here the test's own task).
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HandlerStartTest {
  private final ObjectMapper json = new ObjectMapper();
  private final Set<String> started = ConcurrentHashMap.newKeySet();
  private volatile CountDownLatch gate = new CountDownLatch(1);
  private volatile CountDownLatch holding = new CountDownLatch(1);
  private ActorSystem<Void> system;
  private TroupeNode troupe;

  @BeforeAll
  void start() {
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(),
        "troupe.blocking-dispatcher.thread-pool-executor.fixed-pool-size = 1\n"
            + "troupe.worker.virtual-threads = off\n"));
    troupe = TroupeNode.start(system);
    // "hold" keeps the only blocking thread until the test opens the gate
    troupe.registerBlocking("hold", WorkerConfig.DEFAULT, ctx -> {
      holding.countDown();
      gate.await(60, TimeUnit.SECONDS);
      return ctx.newObject();
    });
    troupe.registerBlocking("quick", WorkerConfig.DEFAULT.withTimeout(Duration.ofMillis(300)),
        ctx -> {
          started.add(ctx.runId());
          return ctx.newObject().put("ran", true);
        });
  }

  @AfterAll
  void stop() throws Exception {
    gate.countDown();
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private RunHandle call(String worker) {
    ObjectNode payload = json.createObjectNode();
    return Await.result(troupe.call(worker, payload));
  }

  private RunStatus status(RunHandle run) {
    return Await.result(troupe.lookup(run.runId())).orElseThrow().status();
  }

  /** Holds the pool's only thread with a task of the test's own until {@code gate} opens. */
  private void holdThePool() {
    gate = new CountDownLatch(1);
    holding = new CountDownLatch(1);
    system.dispatchers().lookup(DispatcherSelector.fromConfig("troupe.blocking-dispatcher"))
        .execute(() -> {
          holding.countDown();
          try {
            gate.await(60, TimeUnit.SECONDS);
          } catch (InterruptedException e) {
            Thread.currentThread().interrupt();
          }
        });
    await().atMost(Duration.ofSeconds(10)).until(() -> holding.getCount() == 0);
  }

  @Test
  void aRunWaitingForAThreadDoesNotTimeOutBeforeItsHandlerStarts() {
    // given the only blocking thread is held, and a run with a 300 ms timeout waits behind it
    holdThePool();
    RunHandle waiting = call("quick");

    // when it waits several times its timeout, then it is still running, not timed out
    await().during(Duration.ofMillis(1200)).atMost(Duration.ofSeconds(5))
        .until(() -> status(waiting) == RunStatus.RUNNING);

    // when the thread frees, then its handler runs within its own timeout and succeeds
    gate.countDown();
    RunResult done = Await.result(waiting.result());
    assertThat(done.status()).isEqualTo(RunStatus.SUCCEEDED);
  }

  @Test
  void aRunCancelledBeforeItsHandlerStartsNeverRunsIt() {
    // given the only blocking thread is held, and a run waits behind it
    holdThePool();
    RunHandle cancelled = call("quick");
    await().atMost(Duration.ofSeconds(5)).until(() -> status(cancelled) == RunStatus.RUNNING);

    // when it is cancelled, then the thread frees and a later run goes through the pool
    Await.result(troupe.cancel(cancelled.runId()));
    gate.countDown();
    RunHandle after = call("quick");
    assertThat(Await.result(after.result()).status()).isEqualTo(RunStatus.SUCCEEDED);

    // then the cancelled run's handler never ran (the pool runs its tasks in order, one thread)
    assertThat(Await.result(cancelled.result()).status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(started).contains(after.runId()).doesNotContain(cancelled.runId());
  }

  @Test
  void aBlockingRunWaitsQueuedWhileEveryThreadOfThePoolRunsAHandler() {
    // given a run of a blocking handler holding the pool's only thread
    gate = new CountDownLatch(1);
    holding = new CountDownLatch(1);
    RunHandle holder = call("hold");
    await().atMost(Duration.ofSeconds(10)).until(() -> holding.getCount() == 0);

    // when another blocking run is called, then it waits queued, not running without a thread
    RunHandle waiting = call("quick");
    await().during(Duration.ofMillis(500)).atMost(Duration.ofSeconds(5))
        .until(() -> status(waiting) == RunStatus.QUEUED);

    // when the thread frees, then it runs
    gate.countDown();
    assertThat(Await.result(holder.result()).status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(Await.result(waiting.result()).status()).isEqualTo(RunStatus.SUCCEEDED);
  }
}
