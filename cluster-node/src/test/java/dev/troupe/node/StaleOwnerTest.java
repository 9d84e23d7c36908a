package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.troupe.api.BlockingWorker;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.Schedule;
import dev.troupe.api.WorkerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two owners of one worker entity (or one schedule): two nodes in one JVM, each a cluster of its own, on one journal
 * (PostgreSQL when {@code TROUPE_TEST_PG_URL} is set, else an H2 file). The first is what a node
 * paused past the Split Brain Resolver is to the cluster that took its entities over once it
 * resumes, when nothing but the journal tells it so (a partition that leaves it the database):
 * its next write finds its sequence number taken by the new owner. It must then start nothing
 * more and leave, rather than recover the new owner's events and run the runs a second time.
 * The end-to-end case, with real processes frozen with SIGSTOP, is {@code ZombieOwnerProcessTest}
 * in the examples.
 */
class StaleOwnerTest {
  private static final String WORKER = "owned";
  private static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withRetry(RetryPolicy.of(10, Duration.ofMillis(50), Duration.ofMillis(200)))
      .withTimeout(Duration.ofMinutes(2));

  private final List<TroupeNode> nodes = new ArrayList<>();
  /** Each attempt's start, as {@code node:attempt}. */
  private final List<String> starts = new CopyOnWriteArrayList<>();
  private final CountDownLatch firstAttemptEnds = new CountDownLatch(1);
  private final CountDownLatch laterAttemptsEnd = new CountDownLatch(1);

  @AfterEach
  void stopAll() {
    nodes.forEach(n -> n.system().terminate());
  }

  /** A node on {@code db} whose worker records its starts as {@code name:attempt}. */
  private TroupeNode start(String db, String name) {
    TroupeNode node = TroupeNode.start(TestNodes.system(TestNodes.config(db, "")));
    nodes.add(node);
    BlockingWorker worker = ctx -> {
      starts.add(name + ":" + ctx.attempt());
      (ctx.attempt() == 1 ? firstAttemptEnds : laterAttemptsEnd).await();
      return ctx.newObject().put("attempt", ctx.attempt());
    };
    node.registerBlocking(WORKER, CONFIG, worker);
    return node;
  }

  @Test
  void aNodeWhoseWriteFindsItsSequenceNumberTakenStartsNothingMoreAndLeaves() throws Exception {
    // given a run executing its first attempt on node A
    String db = TestNodes.newPostgresUrl().orElseGet(TestNodes::newH2Url);
    TroupeNode a = start(db, "A");
    String runId = a.call(WORKER, JsonNodeFactory.instance.objectNode())
        .toCompletableFuture().get(30, TimeUnit.SECONDS).runId();
    await().atMost(Duration.ofSeconds(30)).until(() -> starts.equals(List.of("A:1")));
    // and node B, on the same journal, that took the entity over: the run's attempt on A is lost
    // for B, which runs it again
    TroupeNode b = start(db, "B");
    b.lookup(runId).toCompletableFuture().get(30, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(30)).until(() -> starts.equals(List.of("A:1", "B:2")));

    // when A's first attempt ends, and A writes its outcome under a sequence number B wrote
    firstAttemptEnds.countDown();

    // then A leaves (its actor system terminates) having started nothing more
    await().atMost(Duration.ofSeconds(60))
        .until(() -> a.system().getWhenTerminated().toCompletableFuture().isDone() || starts.size() > 2);
    assertThat(starts).containsExactly("A:1", "B:2");
    assertThat(a.system().getWhenTerminated().toCompletableFuture()).as("A's actor system terminated").isDone();
    // and the run ends on B, after the two attempts a failover costs
    laterAttemptsEnd.countDown();
    RunResult result = b.attach(runId).result().toCompletableFuture().get(30, TimeUnit.SECONDS);
    assertThat(result.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(result.attempts()).isEqualTo(2);
    assertThat(starts).containsExactly("A:1", "B:2");
  }

  @Test
  void aNodeWhoseScheduleWriteFindsItsSequenceNumberTakenLeaves() throws Exception {
    // given a schedule that node A wrote, and node B, on the same journal, that wrote it since
    String db = TestNodes.newPostgresUrl().orElseGet(TestNodes::newH2Url);
    TroupeNode a = start(db, "A");
    a.schedules().put(Schedule.of("nightly", WORKER, "0 0 3 * * *"))
        .toCompletableFuture().get(30, TimeUnit.SECONDS);
    TroupeNode b = start(db, "B");
    b.schedules().pause("nightly").toCompletableFuture().get(30, TimeUnit.SECONDS);

    // when A writes the schedule under the sequence number B took
    a.schedules().pause("nightly").exceptionally(refused -> null);

    // then A leaves (its actor system terminates), as for a worker entity's write
    await().atMost(Duration.ofSeconds(60))
        .until(() -> a.system().getWhenTerminated().toCompletableFuture().isDone());
    assertThat(b.schedules().get("nightly").toCompletableFuture().get(30, TimeUnit.SECONDS))
        .hasValueSatisfying(info -> assertThat(info.paused()).isTrue());
  }
}
