package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunPage;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A list of runs in an active status reads the entities, so it shows a run as soon as the run
 * itself says so. The history projection polls the journal only once an hour here: a list read
 * from the history would never show these runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ActiveRunListTest {
  private final ObjectMapper json = new ObjectMapper();
  private final CountDownLatch gate = new CountDownLatch(1);
  private ActorSystem<Void> system;
  private TroupeNode troupe;

  @BeforeAll
  void start() {
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(),
        "jdbc-read-journal.refresh-interval = 1h\n"));
    troupe = TroupeNode.start(system);
    troupe.registerBlocking("wait", WorkerConfig.DEFAULT.withMaxConcurrent(2), ctx -> {
      gate.await(60, TimeUnit.SECONDS);
      return ctx.newObject();
    });
  }

  @AfterAll
  void stop() throws Exception {
    gate.countDown();
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private RunStatus status(RunHandle run) {
    return Await.result(troupe.lookup(run.runId())).orElseThrow().status();
  }

  @Test
  void runningAndQueuedRunsAreListedAsSoonAsTheyAreSo() {
    // given two runs running (maxConcurrent 2) and one queued behind them
    List<RunHandle> runs = new ArrayList<>();
    for (int i = 0; i < 3; i++) {
      runs.add(Await.result(troupe.call("wait", json.createObjectNode())));
    }
    await().atMost(Duration.ofSeconds(10))
        .until(() -> status(runs.get(0)) == RunStatus.RUNNING
            && status(runs.get(1)) == RunStatus.RUNNING);

    // when the lists of running and queued runs are read, in pages of one
    RunPage first = Await.result(troupe.runs(new RunQuery("wait", RunStatus.RUNNING, 1, null)));
    RunPage second = Await.result(troupe.runs(
        new RunQuery(null, RunStatus.RUNNING, 1, first.nextCursor())));
    RunPage queued = Await.result(troupe.runs(new RunQuery(null, RunStatus.QUEUED, 10, null)));

    // then they hold exactly those runs, newest first
    assertThat(List.of(first.runs().get(0).runId(), second.runs().get(0).runId()))
        .containsExactly(runs.get(1).runId(), runs.get(0).runId());
    assertThat(second.nextCursor()).isNull();
    assertThat(queued.runs()).extracting(RunResult::runId).containsExactly(runs.get(2).runId());
  }

  @Test
  void aCursorOfAnotherListIsRefusedNamingIt() {
    assertThatThrownBy(() -> Await.result(troupe.runs(
        new RunQuery(null, RunStatus.RUNNING, 5, "MTIzOjAxSkQ"))))
        .isInstanceOf(InvalidArgumentException.class).hasMessageContaining("cursor");
  }
}
