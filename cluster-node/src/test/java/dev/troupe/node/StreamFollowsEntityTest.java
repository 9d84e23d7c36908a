package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.entity.WorkerEntity;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A reader of a run's stream follows the run when its entity stops on the node and starts again
 * (as in a shard hand-off): it resumes after the last event it got, without a gap, a repeat or
 * an error, up to the run's end.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class StreamFollowsEntityTest {
  private final ObjectMapper json = new ObjectMapper();
  private final CountDownLatch gate = new CountDownLatch(1);
  private final CountDownLatch heldStarted = new CountDownLatch(1);
  private final CountDownLatch heldGate = new CountDownLatch(1);
  private ActorSystem<Void> system;
  private TroupeNode troupe;

  @BeforeAll
  void start() {
    // sharding starts a stopped entity again after this backoff (10 s by default), and a waiter
    // whose ask reached the entity as it stopped hears nothing until the recheck (30 s by
    // default): both shorter here, so that the test need not wait that long; so is the hand-off's
    // grace, after which the runs still going are handed over to the entity's next incarnation
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(),
        "pekko.cluster.sharding.entity-restart-backoff = 1s\n"
            + "troupe.call.result-recheck = 3s\n"
            + "troupe.worker.handoff-grace = 300ms\n"));
    troupe = TroupeNode.start(system);
    // three messages, then (the first time it runs) a wait for the test, then three more
    AtomicInteger stepsRuns = new AtomicInteger();
    troupe.registerBlocking("steps", WorkerConfig.DEFAULT, ctx -> {
      int run = stepsRuns.incrementAndGet();
      for (int i = 1; i <= 3; i++) {
        ctx.emit(ctx.newObject().put("step", i).put("attempt", ctx.attempt()).put("run", run));
      }
      if (run == 1) {
        gate.await(60, TimeUnit.SECONDS);
      }
      for (int i = 4; i <= 6; i++) {
        ctx.emit(ctx.newObject().put("step", i).put("attempt", ctx.attempt()).put("run", run));
      }
      return ctx.newObject().put("done", true);
    });
    // the first time it runs it waits for the test; then it returns at once
    AtomicInteger heldRuns = new AtomicInteger();
    troupe.registerBlocking("held", WorkerConfig.DEFAULT, ctx -> {
      int run = heldRuns.incrementAndGet();
      if (run == 1) {
        heldStarted.countDown();
        heldGate.await(60, TimeUnit.SECONDS);
      }
      return ctx.newObject().put("attempt", ctx.attempt()).put("run", run);
    });
  }

  @AfterAll
  void stop() throws Exception {
    gate.countDown();
    heldGate.countDown();
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  @Test
  void aStreamGoesOnWhenItsEntityStopsAndStartsAgain() {
    // given a reader that got the first three messages of a run
    RunHandle run = Await.result(troupe.call("steps", json.createObjectNode()));
    List<RunEvent> seen = new CopyOnWriteArrayList<>();
    CompletionStage<?> done = run.messages(0).runWith(Sink.foreach(seen::add), system);
    await().atMost(Duration.ofSeconds(10)).until(() -> seen.stream()
        .filter(e -> RunEvent.MESSAGE.equals(e.type())).count() == 3);

    // when its entity stops on the node (sharding starts it again; the attempt, held at the
    // gate, is handed over at the end of the hand-off's grace and runs again there)
    ClusterSharding.get(system).entityRefFor(WorkerEntity.KEY, "steps")
        .tell(WorkerEntity.Stop.INSTANCE);

    // then the reader's stream goes on to the run's end, numbered without a gap or a repeat
    Await.result(done, 60);
    assertThat(seen.get(seen.size() - 1).type()).isEqualTo(RunEvent.RESULT);
    for (int i = 1; i < seen.size(); i++) {
      assertThat(seen.get(i).seq()).as("%s", seen).isEqualTo(seen.get(i - 1).seq() + 1);
    }
    assertThat(seen).noneMatch(e -> e.data() != null && e.data().has("gap"));
    assertThat(seen).filteredOn(e -> RunEvent.MESSAGE.equals(e.type()))
        .extracting(e -> e.data().get("run").asInt()).contains(2);
    assertThat(seen).filteredOn(e -> RunEvent.MESSAGE.equals(e.type()))
        .extracting(e -> e.data().get("attempt").asInt()).as("a move costs no attempt")
        .containsOnly(1);
  }

  @Test
  void aCallerWaitingForTheResultFollowsTheRunWhenItsEntityStops() throws Exception {
    // given a caller waiting for the result of a run that is executing
    RunHandle run = Await.result(troupe.call("held", json.createObjectNode()));
    CompletionStage<RunResult> result = run.result();
    assertThat(heldStarted.await(10, TimeUnit.SECONDS)).isTrue();

    // when the run's entity stops on the node (sharding starts it again; the attempt, still
    // going at the end of the hand-off's grace, runs again there as itself)
    ClusterSharding.get(system).entityRefFor(WorkerEntity.KEY, "held")
        .tell(WorkerEntity.Stop.INSTANCE);

    // then the caller gets the run's result from the entity's next incarnation
    RunResult done = Await.result(result, 60);
    assertThat(done.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(done.result().get("run").asInt()).isEqualTo(2);
    assertThat(done.result().get("attempt").asInt()).isEqualTo(1);
  }
}
