package dev.troupe.node;

import static dev.troupe.node.InJvmCluster.address;
import static dev.troupe.node.InJvmCluster.hosts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A worker that no node has any more, in one JVM (an actor system per node, one H2 journal): its
 * written entity, started again by remember-entities on a node without the worker, passivates once
 * no member has announced the worker for {@code troupe.worker.stray-grace}, and stays forgotten;
 * when a node that has the worker joins, the entity starts there and its queued runs go on, none
 * lost, none run twice.
 */
@ExtendWith(LogCapturingExtension.class)
class StrayEntityTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String KEPT = "kept";
  private static final String GONE = "gone";
  private static final int QUEUED = 3;
  /**
   * A rebalance each second, a short drain and hand-off grace, a stray checked often with a grace
   * of 2 s: what this test waits for happens within seconds.
   */
  private static final String FAST = "pekko.cluster.sharding.rebalance-interval = 1s\n"
      + "troupe.shutdown.drain-timeout = 1s\n"
      + "troupe.worker.handoff-grace = 300ms\n"
      + "troupe.worker.stray-check = 200ms\n"
      + "troupe.worker.stray-grace = 2s\n";
  private static final String JOINING = FAST + "troupe.node.self-join = off\n";

  private final InJvmCluster cluster = new InJvmCluster(TestNodes.newH2Url());

  @AfterEach
  void stopCluster() {
    cluster.close();
  }

  @Test
  void aWrittenEntityOfAWorkerNoMemberHasIsForgottenAndStartsAgainWhereTheWorkerReturns()
      throws Exception {
    // given A with the worker, whose run holds its only slot while three more queue behind it
    TroupeNode a = cluster.start(FAST);
    TroupeNode b = cluster.start(JOINING);
    cluster.join(b, a);
    CountDownLatch held = new CountDownLatch(1);
    a.registerBlocking(KEPT, WorkerConfig.DEFAULT, ctx -> ctx.newObject());
    b.registerBlocking(KEPT, WorkerConfig.DEFAULT, ctx -> ctx.newObject());
    a.registerBlocking(GONE, WorkerConfig.DEFAULT.withMaxConcurrent(1), ctx -> {
      held.countDown();
      ctx.sleep(Duration.ofMinutes(5));
      return ctx.newObject();
    });
    List<String> runs = new ArrayList<>();
    runs.add(Await.result(a.call(GONE, JSON.objectNode())).runId());
    assertThat(held.await(30, TimeUnit.SECONDS)).isTrue();
    for (int i = 0; i < QUEUED; i++) {
      runs.add(Await.result(a.call(GONE, JSON.objectNode().put("i", i))).runId());
    }

    // when A leaves: B, without the worker, is the only node left
    cluster.forget(a);
    a.system().terminate();
    Await.result(a.system().getWhenTerminated(), 60);

    // then the entity starts on B (remember-entities), and passivates there after the grace
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertThat(hosts(b, GONE)).containsOnlyKeys(address(b)));
    await().atMost(Duration.ofSeconds(30))
        .untilAsserted(() -> assertThat(hosts(b, GONE)).isEmpty());
    // and remember-entities does not start it again, over several rebalance intervals
    await().during(Duration.ofSeconds(5)).atMost(Duration.ofSeconds(10))
        .untilAsserted(() -> assertThat(hosts(b, GONE)).isEmpty());

    // when C, with the worker, joins
    Map<String, Integer> executed = new ConcurrentHashMap<>();
    TroupeNode c = cluster.start(JOINING);
    cluster.join(c, b);
    c.registerBlocking(KEPT, WorkerConfig.DEFAULT, ctx -> ctx.newObject());
    c.registerBlocking(GONE, WorkerConfig.DEFAULT.withMaxConcurrent(1), ctx -> {
      executed.merge(ctx.runId(), 1, Integer::sum);
      return ctx.newObject().put("node", address(c));
    });

    // then the entity starts on C and every run A left finishes there, each executed once
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(hosts(c, GONE)).containsOnlyKeys(address(c)));
    for (String run : runs) {
      RunResult done = Await.result(c.attach(run).result(), 60);
      assertThat(done.status()).as(run).isEqualTo(RunStatus.SUCCEEDED);
      assertThat(done.result().path("node").asText()).isEqualTo(address(c));
    }
    assertThat(executed).containsOnlyKeys(runs).allSatisfy((run, n) -> assertThat(n).isOne());
  }

}
