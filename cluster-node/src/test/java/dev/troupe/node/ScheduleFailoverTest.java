package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.troupe.api.RunQuery;
import dev.troupe.api.Schedule;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.schedule.ScheduleEntity;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.GetShardRegionState;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Two nodes in one JVM sharing one journal (PostgreSQL when {@code TROUPE_TEST_PG_URL} is set, else
 * an H2 file): the node hosting a schedule that fires every second leaves the cluster, the
 * schedule goes on on the other, and every fire time of the whole time started exactly one run.
 */
class ScheduleFailoverTest {
  private final List<TroupeNode> nodes = new ArrayList<>();

  @AfterEach
  void stopAll() {
    nodes.forEach(n -> n.system().terminate());
  }

  private TroupeNode start(String db, String extra) {
    TroupeNode node = TroupeNode.start(TestNodes.system(TestNodes.config(db, extra)));
    nodes.add(node);
    node.register("echo", WorkerConfig.DEFAULT,
        ctx -> CompletableFuture.completedFuture(ctx.payload()));
    return node;
  }

  private static long up(TroupeNode n) {
    long count = 0;
    for (var m : Cluster.get(n.system()).state().getMembers()) {
      count += m.status() == MemberStatus.up() ? 1 : 0;
    }
    return count;
  }

  /** Whether {@code node} hosts the schedule entity {@code name}. */
  private static boolean hosts(TroupeNode node, String name) throws Exception {
    ShardRegion.CurrentShardRegionState state = AskPattern.<Object,
            ShardRegion.CurrentShardRegionState>ask(
            ClusterSharding.get(node.system()).shardState().unsafeUpcast(),
            r -> new GetShardRegionState(ScheduleEntity.KEY, r), Duration.ofSeconds(10),
            node.system().scheduler())
        .toCompletableFuture().get(15, TimeUnit.SECONDS);
    return state.getShards().stream().anyMatch(s -> s.getEntityIds().contains(name));
  }

  private static List<Instant> fired(TroupeNode node, String name) throws Exception {
    return node.runs(new RunQuery("echo", null, 500, null)).toCompletableFuture()
        .get(20, TimeUnit.SECONDS).runs().stream()
        .filter(r -> r.schedule() != null && r.schedule().name().equals(name))
        .map(r -> r.schedule().fireTime()).sorted().toList();
  }

  @Test
  void aScheduleGoesOnWhenItsNodeLeavesAndEachFireTimeStartsOneRun() throws Exception {
    // given two nodes and a schedule every second that has fired
    String db = TestNodes.newPostgresUrl().orElseGet(TestNodes::newH2Url);
    TroupeNode first = start(db, "");
    TroupeNode second = start(db, "troupe.node.self-join = off");
    Cluster.get(second.system()).manager().tell(
        Join.create(Cluster.get(first.system()).selfMember().address()));
    await().atMost(Duration.ofSeconds(30)).until(() -> up(first) == 2 && up(second) == 2);
    first.schedules().put(Schedule.of("moving", "echo", "*/1 * * * * *"))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(30)).until(() -> fired(first, "moving").size() >= 3);

    // when the node that hosts it leaves
    TroupeNode host = hosts(first, "moving") ? first : second;
    TroupeNode survivor = host == first ? second : first;
    assertThat(hosts(host, "moving")).isTrue();
    host.system().terminate();
    host.system().getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    Instant left = Instant.now();

    // then it fires on the survivor, and the fire times are every second, each once
    await().atMost(Duration.ofSeconds(60)).until(() ->
        fired(survivor, "moving").stream().anyMatch(t -> t.isAfter(left.plusSeconds(3))));
    survivor.schedules().pause("moving").toCompletableFuture().get(20, TimeUnit.SECONDS);
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      List<Instant> times = fired(survivor, "moving");
      assertThat(times).doesNotHaveDuplicates();
      for (int i = 1; i < times.size(); i++) {
        assertThat(Duration.between(times.get(i - 1), times.get(i)))
            .as("no fire time missing before %s", times.get(i)).isEqualTo(Duration.ofSeconds(1));
      }
    });
  }
}
