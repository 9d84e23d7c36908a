package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.RunResult;
import dev.troupe.api.WorkerConfig;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * A caller waiting on a node for a run's result while that node shuts down is told so: once the
 * node's sharding regions are gone every ask of them fails at once, and a caller that kept asking
 * until its result-timeout spun on the node's threads and heap for an hour.
 */
class ResultWhileNodeStopsTest {
  private final CountDownLatch release = new CountDownLatch(1);
  private ActorSystem<Void> system;

  @AfterEach
  void stop() throws Exception {
    release.countDown();
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void aCallerWaitingForAResultIsToldWhenItsNodeShutsDown() throws Exception {
    // given a run executing and a caller waiting for its result
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(),
        "troupe.shutdown.drain-timeout = 1s\n"));
    TroupeNode troupe = TroupeNode.start(system);
    CountDownLatch running = new CountDownLatch(1);
    troupe.registerBlocking("hold", WorkerConfig.DEFAULT, ctx -> {
      running.countDown();
      release.await(60, TimeUnit.SECONDS);
      return ctx.newObject();
    });
    RunHandle run = Await.result(troupe.call("hold", new ObjectMapper().createObjectNode()));
    CompletableFuture<RunResult> result = run.result().toCompletableFuture();
    assertThat(running.await(30, TimeUnit.SECONDS)).isTrue();

    // when the node shuts down
    Await.result(troupe.shutdown(), 60);

    // then the caller's stage fails naming the shutdown, well before its result-timeout
    await().atMost(Duration.ofSeconds(30)).until(result::isDone);
    assertThat(result).failsWithin(Duration.ZERO).withThrowableOfType(Exception.class)
        .havingCause().isInstanceOfSatisfying(RunRejectedException.class, e -> {
          assertThat(e.reason()).isEqualTo(RunRejectedException.Reason.SHUTTING_DOWN);
          assertThat(e.getMessage()).contains(run.runId()).contains("shut down");
        });
  }
}
