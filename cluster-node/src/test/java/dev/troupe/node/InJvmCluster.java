package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import dev.troupe.node.cluster.ClusterView;
import dev.troupe.persistence.RunIds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;

/**
 * Nodes of one cluster in this JVM for tests, each an actor system of its own on one journal:
 * started, joined, asked where entities live, and stopped together.
 */
final class InJvmCluster implements AutoCloseable {
  private final String db;
  private final List<TroupeNode> nodes = new ArrayList<>();

  InJvmCluster(String db) {
    this.db = db;
  }

  /** A node on the cluster's journal with {@code extra} HOCON on top of the test config. */
  TroupeNode start(String extra) {
    TroupeNode node = TroupeNode.start(TestNodes.system(TestNodes.config(db, extra)));
    nodes.add(node);
    return node;
  }

  /** {@code node} joins {@code seed}, and every node of this cluster sees all of them Up. */
  void join(TroupeNode node, TroupeNode seed) {
    Cluster.get(node.system()).manager().tell(
        Join.create(Cluster.get(seed.system()).selfMember().address()));
    await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream().allMatch(n ->
        upMembers(n) == nodes.size()));
  }

  /** The nodes started and not forgotten. */
  List<TroupeNode> nodes() {
    return List.copyOf(nodes);
  }

  /** {@code node} is gone (its system terminated): no longer counted, nor stopped at the end. */
  void forget(TroupeNode node) {
    nodes.remove(node);
  }

  /** Terminates every node and waits for it. */
  @Override
  public void close() {
    nodes.forEach(n -> n.system().terminate());
    nodes.forEach(n -> Await.result(n.system().getWhenTerminated(), 60));
  }

  static String address(TroupeNode n) {
    return Cluster.get(n.system()).selfMember().address().toString();
  }

  /** The members hosting entities of {@code worker}, with those entities, as {@code viewer} sees. */
  static Map<String, List<String>> hosts(TroupeNode viewer, String worker) {
    Map<String, List<String>> out = new HashMap<>();
    for (ClusterView.MemberView m : Await.result(viewer.clusterView().snapshot()).members()) {
      assertThat(m.entitiesKnown()).as("entities of %s known", m.address()).isTrue();
      List<String> mine = m.entities().stream()
          .filter(e -> RunIds.workerOf(e).equals(worker)).toList();
      if (!mine.isEmpty()) {
        out.put(m.address(), mine);
      }
    }
    return out;
  }

  /** The member hosting the entity {@code entityId}, as {@code viewer} sees it, or "". */
  static String host(TroupeNode viewer, String entityId) {
    for (ClusterView.MemberView m : Await.result(viewer.clusterView().snapshot()).members()) {
      if (m.entities().contains(entityId)) {
        return m.address();
      }
    }
    return "";
  }

  private static long upMembers(TroupeNode n) {
    long up = 0;
    for (Member m : Cluster.get(n.system()).state().getMembers()) {
      up += m.status() == MemberStatus.up() ? 1 : 0;
    }
    return up;
  }
}
