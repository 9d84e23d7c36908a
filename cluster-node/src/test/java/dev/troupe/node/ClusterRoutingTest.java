package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.http.HttpServer;
import dev.troupe.node.http.HttpSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.TimeUnit;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.testkit.typed.javadsl.LogCapturingExtension;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.stream.javadsl.Sink;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.ExtendWith;

/**
 * Three nodes in one JVM (each its own actor system on a loopback port) sharing one journal:
 * calls, streams and cancels reach runs wherever their entity lives; partitions spread over the
 * nodes; a definition with a role runs only on the nodes with that role.
 */
@ExtendWith(LogCapturingExtension.class)
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ClusterRoutingTest {
  private static final JsonNodeFactory JSON = JsonNodeFactory.instance;
  private static final String GPU = "gpu";

  private final List<TroupeNode> nodes = new ArrayList<>();
  /** The node with role gpu. */
  private TroupeNode gpu;
  /** The HTTP API of the first node. */
  private String api;
  private final HttpClient http = HttpClient.newHttpClient();
  private final ObjectMapper json = new ObjectMapper();

  @BeforeAll
  void startCluster() {
    String db = TestNodes.newH2Url();
    TroupeNode first = start(db, "");
    start(db, "troupe.node.self-join = off");
    gpu = start(db, "troupe.node.self-join = off\ntroupe.node.roles = \"" + GPU + "\"");
    for (TroupeNode n : nodes.subList(1, nodes.size())) {
      Cluster.get(n.system()).manager().tell(
          Join.create(Cluster.get(first.system()).selfMember().address()));
    }
    await().atMost(Duration.ofSeconds(30)).until(() -> nodes.stream().allMatch(n ->
        upMembers(n) == nodes.size()));
    nodes.forEach(ClusterRoutingTest::registerAll);
    int port = Await.result(HttpServer.start(first, HttpSettings.fromConfig(
        TestNodes.config(db, "troupe.http.port = 0"))), 20).localAddress().getPort();
    api = "http://127.0.0.1:" + port + "/api/v1";
  }

  private TroupeNode start(String db, String extra) {
    ActorSystem<Void> system = TestNodes.system(TestNodes.config(db, extra));
    TroupeNode node = TroupeNode.start(system);
    nodes.add(node);
    return node;
  }

  private static long upMembers(TroupeNode n) {
    List<org.apache.pekko.cluster.Member> members = new ArrayList<>();
    Cluster.get(n.system()).state().getMembers().forEach(members::add);
    return members.stream().filter(m -> m.status() == MemberStatus.up()).count();
  }

  /** The same definitions on every node, as in a real cluster; each answers with its node. */
  private static void registerAll(TroupeNode node) {
    String self = Cluster.get(node.system()).selfMember().address().toString();
    node.register("where", WorkerConfig.DEFAULT.withPartitions(6),
        ctx -> CompletableFuture.completedFuture(ctx.newObject().put("node", self)));
    node.register("render", WorkerConfig.DEFAULT.withRole(GPU),
        ctx -> CompletableFuture.completedFuture(ctx.newObject().put("node", self)));
    node.register("nowhere", WorkerConfig.DEFAULT.withRole("missing"),
        ctx -> CompletableFuture.completedFuture(ctx.newObject()));
    node.registerBlocking("chatty", WorkerConfig.DEFAULT.withRole(GPU), ctx -> {
      for (int i = 1; i <= 5; i++) {
        ctx.emit(ctx.newObject().put("n", i));
      }
      return ctx.newObject().put("node", self);
    });
    node.registerBlocking("sleeper", WorkerConfig.DEFAULT.withRole(GPU), ctx -> {
      ctx.emit(ctx.newObject().put("sleeping", true));
      ctx.sleep(Duration.ofMinutes(5));
      return ctx.newObject().put("cancelled", ctx.isCancelled());
    });
  }

  @AfterAll
  void stopCluster() {
    nodes.forEach(n -> n.system().terminate());
    nodes.forEach(n -> Await.result(n.system().getWhenTerminated(), 60));
  }

  private static ObjectNode obj() {
    return JSON.objectNode();
  }

  private static String nodeOf(RunResult r) {
    return r.result().path("node").asText();
  }

  private static String address(TroupeNode n) {
    return Cluster.get(n.system()).selfMember().address().toString();
  }

  @Test
  void aPartitionedDefinitionSpreadsItsRunsOverTheNodes() {
    // given a definition with 6 partitions on 3 nodes
    TroupeNode caller = nodes.get(0);
    Set<String> ranOn = new HashSet<>();

    // when a caller on one node runs it many times (partitions are taken in turn)
    await().atMost(Duration.ofSeconds(60)).until(() -> {
      for (int i = 0; i < 12; i++) {
        ranOn.add(nodeOf(Await.result(caller.run("where", obj()), 30)));
      }
      return ranOn.size() >= 2;
    });

    // then the runs executed on more than one node
    assertThat(ranOn).hasSizeGreaterThanOrEqualTo(2)
        .allSatisfy(a -> assertThat(nodes.stream().map(ClusterRoutingTest::address)).contains(a));
  }

  @Test
  void aDefinitionWithARoleRunsOnlyOnNodesWithThatRole() {
    // given "render" needs role gpu, which only one node has
    // when every node calls it
    Set<String> ranOn = new HashSet<>();
    for (TroupeNode caller : nodes) {
      for (int i = 0; i < 3; i++) {
        RunResult r = Await.result(caller.run("render", obj()), 30);
        assertThat(r.status()).isEqualTo(RunStatus.SUCCEEDED);
        ranOn.add(nodeOf(r));
      }
    }

    // then every run executed on the gpu node
    assertThat(ranOn).containsExactly(address(gpu));
  }

  @Test
  void theClusterViewShowsEntitiesOfARoleOnTheMemberWithThatRole() throws Exception {
    // given "render" (role gpu) has run
    Await.result(nodes.get(0).run("render", obj()), 30);

    // when the cluster is listed over HTTP
    JsonNode cluster = json.readTree(http.send(HttpRequest.newBuilder(URI.create(api + "/cluster"))
        .build(), HttpResponse.BodyHandlers.ofString()).body());

    // then the gpu member hosts it, with its role, and no other member does
    for (JsonNode m : cluster.get("members")) {
      boolean isGpu = m.get("address").asText().equals(address(gpu));
      assertThat(m.get("status").asText()).isEqualTo("Up");
      assertThat(StreamSupport.stream(m.get("entities").spliterator(), false)
          .map(JsonNode::asText).toList().contains("render")).isEqualTo(isGpu);
      assertThat(StreamSupport.stream(m.get("roles").spliterator(), false)
          .map(JsonNode::asText).toList().contains(GPU)).isEqualTo(isGpu);
    }
  }

  @Test
  void aCallForARoleThatNoMemberHasIsRejectedAtOnce() {
    // given "nowhere" needs role "missing", which no member has
    TroupeNode caller = nodes.get(0);

    // when it is called, then the call is refused at once, naming the role
    long started = System.nanoTime();
    assertThatThrownBy(() -> caller.call("nowhere", obj()))
        .isInstanceOf(RunRejectedException.class)
        .hasMessageContaining("role 'missing'")
        .satisfies(e -> assertThat(((RunRejectedException) e).reason())
            .isEqualTo(RunRejectedException.Reason.NO_NODE_FOR_ROLE));
    // and its statistics answer the same failure rather than waiting for the ask timeout
    assertThatThrownBy(() -> caller.stats("nowhere").toCompletableFuture().get(5, TimeUnit.SECONDS))
        .isInstanceOf(ExecutionException.class)
        .hasCauseInstanceOf(RunRejectedException.class);
    assertThat(Duration.ofNanos(System.nanoTime() - started)).isLessThan(Duration.ofSeconds(5));
  }

  @Test
  void overHttpARoleWithoutMembersIsA503AndItsDefinitionIsListedWithoutStats() throws Exception {
    // given "nowhere" needs role "missing", which no member has
    // when it is called and the definitions are listed over HTTP
    HttpResponse<String> call = http.send(HttpRequest.newBuilder(URI.create(api
            + "/workers/nowhere/runs")).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString("{\"payload\":{}}")).build(),
        HttpResponse.BodyHandlers.ofString());
    HttpResponse<String> list = http.send(HttpRequest.newBuilder(URI.create(api + "/workers"))
        .build(), HttpResponse.BodyHandlers.ofString());

    // then the call is refused with 503 naming the role, and the listing still answers
    assertThat(call.statusCode()).isEqualTo(503);
    assertThat(json.readTree(call.body()).at("/error/code").asText()).isEqualTo("NO_NODE_FOR_ROLE");
    assertThat(json.readTree(call.body()).at("/error/message").asText()).contains("'missing'");
    assertThat(list.statusCode()).isEqualTo(200);
    JsonNode byName = StreamSupport.stream(json.readTree(list.body()).spliterator(), false)
        .filter(w -> w.path("name").asText().equals("nowhere")).findFirst().orElseThrow();
    assertThat(byName.get("stats").isNull()).isTrue();
    assertThat(byName.path("statsError").asText()).contains("'missing'");
    assertThat(StreamSupport.stream(json.readTree(list.body()).spliterator(), false)
        .filter(w -> w.path("name").asText().equals("render")).findFirst().orElseThrow()
        .path("stats").path("runs").isNumber()).isTrue();
  }

  @Test
  void aRunStreamsToCallersAndSubscribersOnOtherNodes() {
    // given a run that executes on the gpu node, called from another node
    TroupeNode caller = nodes.get(0);
    RunHandle handle = Await.result(caller.call("chatty", obj()), 30);

    // when the caller reads its stream, and a third node attaches after event 3
    List<RunEvent> seen = Await.result(
        handle.messages().runWith(Sink.seq(), caller.system()), 30);
    List<RunEvent> resumed = Await.result(nodes.get(1).attach(handle.runId()).messages(3)
        .runWith(Sink.seq(), nodes.get(1).system()), 30);

    // then both got the events in order, without gaps, ending with the result from the gpu node
    assertThat(seen).extracting(RunEvent::seq)
        .containsExactlyElementsOf(seqs(1, seen.size()));
    assertThat(seen.stream().filter(e -> e.type().equals(RunEvent.MESSAGE))
        .map(e -> e.data().path("n").asInt())).containsExactly(1, 2, 3, 4, 5);
    RunEvent last = seen.get(seen.size() - 1);
    assertThat(last.type()).isEqualTo(RunEvent.RESULT);
    assertThat(last.data().path("result").path("node").asText()).isEqualTo(address(gpu));
    assertThat(resumed).extracting(RunEvent::seq).containsExactlyElementsOf(seqs(4, seen.size()));
    RunEvent resumedLast = resumed.get(resumed.size() - 1);
    assertThat(resumedLast.type()).isEqualTo(last.type());
    assertThat(resumedLast.data().toString()).isEqualTo(last.data().toString());
  }

  @Test
  void aCancelFromAnotherNodeReachesTheRun() {
    // given a long run on the gpu node, started from the first node and running
    RunHandle handle = Await.result(nodes.get(0).call("sleeper", obj()), 30);
    Await.result(handle.messages().filter(e -> e.type().equals(RunEvent.MESSAGE)).take(1)
        .runWith(Sink.head(), nodes.get(0).system()), 30);

    // when the second node cancels it
    Await.result(nodes.get(1).cancel(handle.runId()), 30);

    // then the run ends CANCELLED for its caller
    RunResult r = Await.result(handle.result(), 30);
    assertThat(r.status()).isEqualTo(RunStatus.CANCELLED);
  }

  private static List<Long> seqs(long from, long to) {
    List<Long> out = new ArrayList<>();
    for (long s = from; s <= to; s++) {
      out.add(s);
    }
    return out;
  }
}
