package dev.troupe.node;

import static dev.troupe.node.InJvmCluster.address;
import static dev.troupe.node.InJvmCluster.hosts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.UnknownWorkerException;
import dev.troupe.api.WorkerConfig;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * A rolling upgrade that adds a worker, in one JVM (an actor system per node, one H2 journal):
 * node A has only the old worker registered, node B the old and the added one. The added worker's
 * entities live on B alone, so that B's calls of it run on B; when B leaves, its entities wait on
 * A, which starts none of their runs; when C joins with the added worker, they move to C, where
 * the run that B had to give up finishes.
 */
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class WorkerPlacementTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String KEPT = "kept";
  private static final String ADDED = "added";
  private static final int PARTITIONS = 6;
  /**
   * A rebalance each second (Pekko's default is 10 s), a short drain and hand-off grace: the
   * moves this test waits for happen within seconds.
   */
  private static final String FAST = "pekko.cluster.sharding.rebalance-interval = 1s\n"
      + "troupe.shutdown.drain-timeout = 1s\n"
      + "troupe.worker.handoff-grace = 300ms\n";

  private final CountDownLatch heldStarted = new CountDownLatch(1);
  private InJvmCluster cluster;
  private TroupeNode a;
  private TroupeNode b;

  @BeforeAll
  void startCluster() {
    cluster = new InJvmCluster(TestNodes.newH2Url());
    a = cluster.start(FAST);
    b = cluster.start(FAST + "troupe.node.self-join = off\n");
    cluster.join(b, a);
    a.registerBlocking(KEPT, WorkerConfig.DEFAULT, ctx -> ctx.newObject().put("node", address(a)));
    b.registerBlocking(KEPT, WorkerConfig.DEFAULT, ctx -> ctx.newObject().put("node", address(b)));
    // B's attempts of a run asked to hold wait until they are cancelled (B's drain gives them up)
    b.registerBlocking(ADDED, WorkerConfig.DEFAULT.withPartitions(PARTITIONS), ctx -> {
      if (ctx.payload().path("hold").asBoolean()) {
        heldStarted.countDown();
        ctx.sleep(Duration.ofMinutes(5));
      }
      return ctx.newObject().put("node", address(b));
    });
  }

  @AfterAll
  void stopCluster() {
    cluster.close();
  }

  @Test
  @Order(1)
  void theAddedWorkersEntitiesLiveOnlyOnTheNodeThatHasIt() {
    // given A without the added worker, B with it
    // when B calls it twice per partition (partitions are taken in turn)
    List<RunResult> runs = new ArrayList<>();
    for (int i = 0; i < 2 * PARTITIONS; i++) {
      runs.add(Await.result(b.run(ADDED, JSON.objectNode()), 30));
    }

    // then every run succeeded on B, and every entity of the added worker is on B
    assertThat(runs).extracting(RunResult::status).containsOnly(RunStatus.SUCCEEDED);
    assertThat(runs).extracting(r -> r.result().path("node").asText())
        .containsOnly(address(b));
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(hosts(a, ADDED)).containsOnlyKeys(address(b))
            .hasEntrySatisfying(address(b), e -> assertThat(e).hasSize(PARTITIONS)));
    // and A, which does not have it, cannot call it
    assertThatThrownBy(() -> a.call(ADDED, JSON.objectNode()))
        .isInstanceOf(UnknownWorkerException.class);
  }

  @Test
  @Order(2)
  void anEntityOnANodeWithoutItsWorkerMovesToANodeWithIt() throws Exception {
    // given a run of the added worker executing on B
    RunHandle held = Await.result(b.call(ADDED, JSON.objectNode().put("hold", true)));
    assertThat(heldStarted.await(30, TimeUnit.SECONDS)).isTrue();

    // when B leaves (its drain gives the run up: it waits for a node with the worker)
    cluster.forget(b);
    b.system().terminate();
    Await.result(b.system().getWhenTerminated(), 60);
    // then the added worker's entities start again on A, the only node left (remember-entities)
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(hosts(a, ADDED)).containsOnlyKeys(address(a))
            .hasEntrySatisfying(address(a), e -> assertThat(e).hasSize(PARTITIONS)));

    // when C, with the added worker, joins
    TroupeNode c = cluster.start(FAST + "troupe.node.self-join = off\n");
    cluster.join(c, a);
    c.registerBlocking(KEPT, WorkerConfig.DEFAULT, ctx -> ctx.newObject().put("node", address(c)));
    c.registerBlocking(ADDED, WorkerConfig.DEFAULT.withPartitions(PARTITIONS),
        ctx -> ctx.newObject().put("node", address(c)));

    // then every entity of the added worker moves to C, and the run B gave up finishes there
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(hosts(a, ADDED)).containsOnlyKeys(address(c))
            .hasEntrySatisfying(address(c), e -> assertThat(e).hasSize(PARTITIONS)));
    RunResult done = Await.result(c.attach(held.runId()).result(), 60);
    assertThat(done.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(done.result().path("node").asText()).isEqualTo(address(c));
  }

}
