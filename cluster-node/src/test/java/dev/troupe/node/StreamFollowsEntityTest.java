package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.entity.WorkerEntity;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
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
  private ActorSystem<Void> system;
  private TroupeNode troupe;

  @BeforeAll
  void start() {
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(), ""));
    troupe = TroupeNode.start(system);
    // three messages, then (on its first attempt) a wait for the test, then three more
    troupe.registerBlocking("steps", WorkerConfig.DEFAULT, ctx -> {
      for (int i = 1; i <= 3; i++) {
        ctx.emit(ctx.newObject().put("step", i).put("attempt", ctx.attempt()));
      }
      if (ctx.attempt() == 1) {
        gate.await(60, TimeUnit.SECONDS);
      }
      for (int i = 4; i <= 6; i++) {
        ctx.emit(ctx.newObject().put("step", i).put("attempt", ctx.attempt()));
      }
      return ctx.newObject().put("done", true);
    });
  }

  @AfterAll
  void stop() throws Exception {
    gate.countDown();
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

    // when its entity stops on the node (sharding starts it again, the run is queued again)
    ClusterSharding.get(system).entityRefFor(WorkerEntity.KEY, "steps")
        .tell(WorkerEntity.Stop.INSTANCE);
    gate.countDown();

    // then the reader's stream goes on to the run's end, numbered without a gap or a repeat
    Await.result(done, 60);
    assertThat(seen.get(seen.size() - 1).type()).isEqualTo(RunEvent.RESULT);
    for (int i = 1; i < seen.size(); i++) {
      assertThat(seen.get(i).seq()).as("%s", seen).isEqualTo(seen.get(i - 1).seq() + 1);
    }
    assertThat(seen).noneMatch(e -> e.data() != null && e.data().has("gap"));
    assertThat(seen).filteredOn(e -> RunEvent.MESSAGE.equals(e.type()))
        .extracting(e -> e.data().get("attempt").asInt()).contains(2);
  }
}
