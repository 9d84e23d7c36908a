package dev.troupe.node;

import static dev.troupe.node.InJvmCluster.address;
import static dev.troupe.node.InJvmCluster.hosts;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import java.time.Duration;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * The per-entity gauges ({@code troupe_runs_running}, {@code troupe_runs_queued}) of worker
 * entities that move between live nodes, in one JVM (an actor system per node, one H2 journal):
 * a node that an entity left no longer reports it, the node it moved to does, so that a sum over
 * the nodes' {@code /metrics} counts each entity once, where it lives.
 */
@ExtendWith(LogCapturingExtension.class)
class GaugesFollowEntityTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String WORKER = "spread";
  private static final int PARTITIONS = 4;
  private static final WorkerConfig CONFIG = WorkerConfig.DEFAULT.withPartitions(PARTITIONS);
  /**
   * A rebalance each second (Pekko's default is 10 s) and a short hand-off grace: the moves this
   * test waits for happen within seconds.
   */
  private static final String FAST = "pekko.cluster.sharding.rebalance-interval = 1s\n"
      + "troupe.shutdown.drain-timeout = 1s\n"
      + "troupe.worker.handoff-grace = 300ms\n";
  private static final Pattern GAUGE =
      Pattern.compile("^(troupe_runs_\\w+)\\{entity=\"([^\"]+)\",worker=\"" + WORKER
          + "\"} (\\S+)$", Pattern.MULTILINE);

  private final InJvmCluster cluster = new InJvmCluster(TestNodes.newH2Url());

  @AfterEach
  void stopCluster() {
    cluster.close();
  }

  @Test
  void anEntitysGaugesLeaveTheNodeItMovedOffAndAppearWhereItLives() {
    // given node A alone, with a run executing in each entity of a worker (calls take the
    // partitions in turn), every attempt held until it is cancelled or handed over
    TroupeNode a = cluster.start(FAST);
    a.registerBlocking(WORKER, CONFIG, GaugesFollowEntityTest::hold);
    for (int i = 0; i < PARTITIONS; i++) {
      Await.result(a.call(WORKER, JSON.objectNode()), 30);
    }
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() ->
        assertThat(gauges(a, "troupe_runs_running")).hasSize(PARTITIONS)
            .allSatisfy((entity, running) -> assertThat(running).isEqualTo(1.0)));

    // when node B, with the worker, joins: the rebalance moves half of the entities to B
    TroupeNode b = cluster.start(FAST + "troupe.node.self-join = off\n");
    cluster.join(b, a);
    b.registerBlocking(WORKER, CONFIG, GaugesFollowEntityTest::hold);
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() ->
        assertThat(hosts(a, WORKER).getOrDefault(address(b), List.of())).hasSize(PARTITIONS / 2));

    // then each node reports the gauges of the entities it hosts and of no other, so that the
    // sum over the nodes counts every entity and every executing run once
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Map<String, List<String>> hosts = hosts(a, WORKER);
      for (TroupeNode n : cluster.nodes()) {
        List<String> here = hosts.getOrDefault(address(n), List.of());
        assertThat(gauges(n, "troupe_runs_running").keySet()).as("running on %s", address(n))
            .containsExactlyInAnyOrderElementsOf(here);
        assertThat(gauges(n, "troupe_runs_queued").keySet()).as("queued on %s", address(n))
            .containsExactlyInAnyOrderElementsOf(here);
      }
      assertThat(cluster.nodes().stream().mapToDouble(n -> gauges(n, "troupe_runs_running").values()
          .stream().mapToDouble(Double::doubleValue).sum()).sum())
          .as("runs executing, summed over the nodes").isEqualTo(PARTITIONS);
    });
  }

  /** Waits until the attempt is cancelled, or handed over when its entity moves. */
  private static JsonNode hold(WorkerContext ctx) throws Exception {
    ctx.sleep(Duration.ofMinutes(5));
    return ctx.newObject();
  }

  // helpers






  /** The worker's per-entity gauge {@code name} in {@code node}'s scrape, by entity. */
  private static Map<String, Double> gauges(TroupeNode node, String name) {
    Map<String, Double> out = new HashMap<>();
    Matcher m = GAUGE.matcher(node.metrics().scrape());
    while (m.find()) {
      if (m.group(1).equals(name)) {
        out.put(m.group(2), Double.parseDouble(m.group(3)));
      }
    }
    return out;
  }
}
