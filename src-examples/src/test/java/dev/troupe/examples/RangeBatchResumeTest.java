package dev.troupe.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.ConfigValueFactory;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.node.TroupeNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * {@code range-batch} on a node that crashes: the run resumes after its last checkpoint on the
 * next node; a cancel stops it between batches.
 */
class RangeBatchResumeTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private final List<ActorSystem<Void>> systems = new ArrayList<>();

  private TroupeNode start(String db, boolean crashLike) {
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "troupe",
        DemoWorkersTest.nodeConfig(db).withValue(
            "pekko.coordinated-shutdown.run-by-actor-system-terminate",
            ConfigValueFactory.fromAnyRef(!crashLike)));
    systems.add(system);
    return TroupeNode.start(system);
  }

  @AfterEach
  void stopAll() {
    systems.forEach(ActorSystem::terminate);
    systems.forEach(s -> Await.result(s.getWhenTerminated(), 60));
  }

  private static JsonNode json(String text) throws Exception {
    return JSON.readTree(text);
  }

  @Test
  void aCrashedRunResumesAfterItsLastCheckpointOnTheNextNode() throws Exception {
    // given a run of 20 batches of 100 ms, followed until it has done three
    String db = DemoWorkersTest.newH2Url();
    TroupeNode first = start(db, true);
    RunHandle h = Await.result(first.call("range-batch",
        json("{\"total\":200,\"batchSize\":10,\"batchMs\":100}")));
    List<JsonNode> seen = new CopyOnWriteArrayList<>();
    h.messages().filter(e -> e.type().equals(RunEvent.MESSAGE))
        .runForeach(e -> seen.add(e.data()), first.system());
    await().atMost(Duration.ofSeconds(30)).until(() -> seen.size() >= 3);

    // when its node crashes and another one starts on the same database
    first.system().terminate();
    Await.result(first.system().getWhenTerminated(), 60);
    TroupeNode second = start(db, false);

    // then the run goes on from the last batch written, not from the start
    RunResult r = Await.result(second.attach(h.runId()).result(), 60);
    assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
    assertThat(r.attempts()).isEqualTo(2);
    int k = r.result().get("resumedFrom").asInt();
    assertThat(k).isBetween(3, 19);
    assertThat(r.result().get("totalItems").asInt()).isEqualTo(200);
    assertThat(r.result().get("batches").asInt()).isEqualTo(20);
    List<RunEvent> all = Await.result(second.attach(h.runId()).messages()
        .runWith(Sink.seq(), second.system()), 60);
    List<Integer> batches = all.stream().filter(e -> e.type().equals(RunEvent.MESSAGE))
        .map(e -> e.data().get("batch").asInt()).toList();
    // every batch reported once, in order: none after the checkpoint ran again
    assertThat(batches).startsWith(1, 2, 3).endsWith(20).doesNotHaveDuplicates().isSorted();
  }

  @Test
  void aCancelStopsTheRunBetweenBatches() throws Exception {
    // given a run of 50 batches of 100 ms that has done one
    TroupeNode node = start(DemoWorkersTest.newH2Url(), false);
    RunHandle h = Await.result(node.call("range-batch",
        json("{\"total\":50,\"batchSize\":1,\"batchMs\":100}")));
    List<JsonNode> seen = new CopyOnWriteArrayList<>();
    h.messages().filter(e -> e.type().equals(RunEvent.MESSAGE))
        .runForeach(e -> seen.add(e.data()), node.system());
    await().atMost(Duration.ofSeconds(30)).until(() -> !seen.isEmpty());

    // when
    Await.result(h.cancel());

    // then it ends cancelled, well before its last batch
    RunResult r = Await.result(h.result());
    assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
    assertThat(seen.size()).isLessThan(50);
  }
}
