package dev.troupe.node;

import static dev.troupe.node.InJvmCluster.address;
import static dev.troupe.node.InJvmCluster.host;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A caller waiting for {@code RunHandle.result()} of a run whose entity's node dies, in one JVM
 * (an actor system per node, one H2 journal): node B's actor system terminates without running its
 * coordinated shutdown first, so its actors stop at once (no leaving, no hand-off, and no drain:
 * the shutdown its cluster daemon starts as it stops is a downing's, in which B writes nothing),
 * which is what the cluster sees of a crash. The Split Brain Resolver of A downs B, the entity
 * starts again on A and resumes the run with its next attempt.
 * The caller's ask went to B's entity, and every ask until A's sharding learns that B is gone goes
 * to B and is lost; the caller asks again every {@code troupe.call.result-recheck} and so gets the
 * result from the entity's new owner, rather than at its {@code result-timeout} (an hour).
 */
@ExtendWith(LogCapturingExtension.class)
class ResultAfterOwnerDiesTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String WORKER = "owned";
  private static final Duration RECHECK = Duration.ofSeconds(2);
  /**
   * From B's death to its run resumed on A, the failover budget of decisions.md: B suspected
   * (heartbeat-interval 1 s and acceptable-heartbeat-pause 3 s), the resolver's stable-after (2 s
   * here, 5 s by default) and as much again for the removal margin, then the entity's recovery and
   * the run's next attempt (about 10 s here), with room for a loaded machine.
   */
  private static final Duration FAILOVER = Duration.ofSeconds(30);
  /**
   * A waiter asks again every 2 s. The resolver keeps the oldest member, A, so that in a cluster of
   * two the survivor does not depend on the nodes' ports (keep-majority keeps the lower address
   * when the two sides are equal).
   */
  private static final String CONFIG = "troupe.call.result-recheck = " + RECHECK.toSeconds() + "s\n"
      + "pekko.cluster.split-brain-resolver.active-strategy = keep-oldest\n"
      + "pekko.cluster.split-brain-resolver.keep-oldest.down-if-alone = off\n"
      + "pekko.cluster.split-brain-resolver.stable-after = 2s\n";

  private final CountDownLatch startedOnB = new CountDownLatch(1);
  /** Releases the thread of B's attempt, which nothing stops when B's actor system dies. */
  private final CountDownLatch releaseB = new CountDownLatch(1);
  private final InJvmCluster cluster = new InJvmCluster(TestNodes.newH2Url());

  @AfterEach
  void stopCluster() {
    releaseB.countDown();
    cluster.close();
  }

  @Test
  void aCallerGetsTheResultFromTheEntitysNextOwnerWhenItsNodeDies() throws Exception {
    // given nodes A and B, the worker's entity on B (B registered the worker first)
    TroupeNode a = cluster.start(CONFIG);
    TroupeNode b = cluster.start(CONFIG + "troupe.node.self-join = off\n"
        + "pekko.coordinated-shutdown.run-by-actor-system-terminate = off\n");
    cluster.join(b, a);
    b.registerBlocking(WORKER, WorkerConfig.DEFAULT, ctx -> {
      startedOnB.countDown();
      releaseB.await(2, TimeUnit.MINUTES);
      return ctx.newObject().put("node", address(b)).put("attempt", ctx.attempt());
    });
    await().atMost(Duration.ofSeconds(30)).until(() -> host(a, WORKER).equals(address(b)));
    a.registerBlocking(WORKER, WorkerConfig.DEFAULT,
        ctx -> ctx.newObject().put("node", address(a)).put("attempt", ctx.attempt()));
    // and a caller on A waiting for the result of a run executing on B
    RunHandle run = Await.result(a.call(WORKER, JSON.objectNode()), 30);
    CompletableFuture<RunResult> result = run.result().toCompletableFuture();
    assertThat(startedOnB.await(30, TimeUnit.SECONDS)).isTrue();

    // when B dies
    cluster.forget(b);
    b.system().terminate();
    Await.result(b.system().getWhenTerminated(), 60);

    // then the caller's stage completes with the run's result from A, where the run resumed with
    // its next attempt, within the failover and a recheck or two, long before its result-timeout
    await().atMost(FAILOVER.plus(RECHECK.multipliedBy(2))).until(result::isDone);
    RunResult done = result.get();
    assertThat(done.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(done.attempts()).isEqualTo(2);
    assertThat(done.result().path("node").asText()).isEqualTo(address(a));
    assertThat(done.result().path("attempt").asInt()).isEqualTo(2);
  }

}
