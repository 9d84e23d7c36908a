package dev.troupe.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.examples.cluster.JournalAudit.Journal;
import dev.troupe.persistence.RunIds;
import java.io.IOException;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collection;
import java.util.Iterator;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.stream.Collectors;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.TestMethodOrder;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * Three node processes ({@code dev.troupe.node.Main}, as {@code bin/cluster.sh} starts them) on a
 * fresh PostgreSQL database, forming one cluster through Cluster Bootstrap with config discovery,
 * driven over HTTP only: calls, streams and cancels through any node; a node killed with SIGKILL
 * in the middle of 120 runs; a rolling restart with SIGTERM while runs flow; a node frozen with
 * SIGSTOP past the failure detector, then resumed. After each, every accepted run has exactly one
 * terminal status (its entity's journal holds one {@code finished} event for it, the run history
 * lists it once), and the worker's statistics equal the runs' statuses. Skipped, saying why, without {@code
 * TROUPE_TEST_PG_URL} or when PostgreSQL does not answer.
 *
 * <p>The failover bound: every run in flight on the killed node is terminal within {@link
 * #FAILOVER_BOUND} of the kill (failure detection about 4 s, SBR stable-after 5 s, removal margin
 * 5 s, shard hand-over and recovery, the run again: see docs/decisions.md, "Cluster").
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ClusterProcessTest {
  static final Duration FAILOVER_BOUND = Duration.ofSeconds(30);
  /**
   * A rolling restart's pace, as the Deployment's {@code minReadySeconds} (k8s/base) sets it: the
   * next node stops only this long after the previous one is back Up, past the singletons' removal
   * margin (SBR stable-after, 5 s). Stopping the oldest node inside that margin of the previous
   * node's removal let a younger node start the sharding coordinator before the leaving one had
   * handed it over (seen once: two coordinators, one entity on two nodes).
   */
  static final Duration MIN_READY = Duration.ofSeconds(10);
  private static final int NODES = 3;
  private static final int FAILOVER_RUNS = 120;

  private ProcessCluster cluster;
  private List<NodeProcess> nodes = List.of();

  @RegisterExtension
  final LogsOnFailure logsOnFailure = new LogsOnFailure(() -> cluster);

  @BeforeAll
  void startCluster() throws Exception {
    cluster = ProcessCluster.start("ClusterProcessTest", NODES, Duration.ofSeconds(150));
    nodes = cluster.nodes;
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (cluster != null) {
      cluster.close();
    }
  }

  // calls through any node

  @Test
  @Order(1)
  void aCallToAnyNodeWorksTheSame() throws Exception {
    NodeProcess n1 = nodes.get(0);
    NodeProcess n2 = nodes.get(1);
    NodeProcess n3 = nodes.get(2);
    // given the cluster view of every node lists the same members
    JsonNode view = cluster.get(n3, "/api/v1/cluster");
    assertThat(view.get("self").asText()).isEqualTo(n3.address());
    assertThat(view.get("leader").asText()).startsWith("pekko://troupe@127.0.0.1:");

    // when a run is called and waited for on node 2
    JsonNode echoed = cluster.body(cluster.post(n2, "/api/v1/workers/echo/runs?wait=true", "{\"payload\":{\"hello\":\"cluster\"}}"), 200);
    // then it has its result, wherever its entity runs
    assertThat(echoed.get("status").asText()).isEqualTo("SUCCEEDED");

    // when a streaming run is called on node 1 and followed from a node that does not host it
    String runId = cluster.body(cluster.post(n1, "/api/v1/workers/progress-reporter/runs",
        "{\"payload\":{\"steps\":8,\"intervalMs\":300}}"), 202).get("runId").asText();
    NodeProcess host = cluster.hostOf("progress-reporter");
    NodeProcess follower = nodes.stream().filter(n -> n != host).reduce((a, b) -> b).orElseThrow();
    List<Frame> first = frames(follower, runId, null, 3);
    // and the follower drops the stream and resumes with Last-Event-ID on that node
    List<Frame> rest = frames(follower, runId, first.get(first.size() - 1).id, Integer.MAX_VALUE);
    // then the events go on right after the last one seen, up to the result
    assertThat(first).hasSize(3);
    assertThat(Long.parseLong(rest.get(0).id)).isEqualTo(Long.parseLong(first.get(2).id) + 1);
    assertThat(rest.get(rest.size() - 1).event).isEqualTo("result");
    assertThat(rest).filteredOn(f -> f.event.equals("message")).hasSizeGreaterThanOrEqualTo(6);
    System.out.printf("[cluster] progress-reporter hosted on %s, streamed and resumed on %s%n", host, follower);

    // when a long run is started on node 1 and cancelled from node 2
    String slow = cluster.body(cluster.post(n1, "/api/v1/workers/slow-worker/runs", "{\"payload\":{\"ms\":60000}}"), 202)
        .get("runId").asText();
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
        cluster.get(n3, "/api/v1/runs/" + slow).get("status").asText().equals("RUNNING"));
    cluster.body(cluster.post(n2, "/api/v1/runs/" + slow + "/cancel", ""), 202);
    // then node 3 sees it cancelled
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
        cluster.get(n3, "/api/v1/runs/" + slow).get("status").asText().equals("CANCELLED"));
  }

  // kill -9

  @Test
  @Order(2)
  void runsSurviveANodeKilledWithSigkill() throws Exception {
    String worker = ClusterTestWorkers.FAILOVER;
    // given the sleeper's partitions spread over the nodes, and the node hosting most of them
    Map<NodeProcess, List<String>> hosted = awaitHosted(worker, cluster.alive());
    NodeProcess victim = hosted.entrySet().stream().max(Map.Entry.comparingByValue(
        (a, b) -> Integer.compare(a.size(), b.size()))).orElseThrow().getKey();
    System.out.printf("[failover] %s entities per node: %s; killing %s%n", worker, hosted, victim);

    // when 120 runs of 3 s are called through every node at once
    List<String> runIds = callConcurrently(worker, FAILOVER_RUNS, 3000, cluster.alive());
    assertThat(runIds).hasSize(FAILOVER_RUNS);
    await().atMost(Duration.ofSeconds(20)).ignoreExceptions().until(() ->
        cluster.get(cluster.someNodeBut(victim), "/api/v1/workers/" + worker + "/stats").get("running").asInt() > 0);
    // and a client on another node follows a run of the victim up to its first message
    List<String> onVictim = hosted.get(victim);
    String followed = runIds.stream().filter(id -> onVictim.contains(RunIds.entityOf(id)))
        .findFirst().orElseThrow();
    NodeProcess watcher = cluster.someNodeBut(victim);
    List<Frame> before = frames(watcher, followed, null, 3);
    assertThat(before).extracting(Frame::event).containsExactly("status", "status", "message");
    // and the node hosting most partitions is killed with SIGKILL while they run
    Instant killedAt = Instant.now();
    victim.kill();

    // then every run reaches a terminal status within the bound, asked on the survivors
    Map<String, JsonNode> finished = awaitTerminal(runIds, cluster.alive(), Duration.between(Instant.now(),
        killedAt.plus(FAILOVER_BOUND)));
    long killToTerminal = Duration.between(killedAt, Instant.now()).toMillis();
    long redispatched = finished.values().stream().filter(r -> r.get("attempts").asInt() > 1).count();
    System.out.printf("[failover] kill -9 of %s to all %d runs terminal: %d ms (bound %d s); %d runs"
        + " were re-dispatched (attempt > 1)%n", victim, runIds.size(), killToTerminal,
        FAILOVER_BOUND.toSeconds(), redispatched);
    assertThat(finished.values()).extracting(r -> r.get("status").asText()).containsOnly("SUCCEEDED");
    assertThat(redispatched).as("runs that were executing on the killed node ran again").isPositive();
    assertExactlyOnce(worker, finished, cluster.alive(), Map.of());
    // and the client resumes the followed run on another survivor with its Last-Event-ID: the
    // stream goes on right after it, without a gap, through the new attempt to the result
    NodeProcess resumer = cluster.alive().stream().filter(n -> n != watcher).findFirst().orElse(watcher);
    List<Frame> resumed = frames(resumer, followed, before.get(2).id, Integer.MAX_VALUE);
    assertContiguous(resumed, Long.parseLong(before.get(2).id) + 1);
    assertThat(resumed.get(resumed.size() - 1).event).isEqualTo("result");
    // and the streams of runs that were re-dispatched replay whole on a survivor, from the start
    // and from the middle: both attempts' messages, numbered on across the failover
    List<String> redone = finished.entrySet().stream()
        .filter(e -> e.getValue().get("attempts").asInt() > 1).map(Map.Entry::getKey).limit(5).toList();
    for (String id : redone) {
      List<Frame> whole = frames(resumer, id, null, Integer.MAX_VALUE);
      assertContiguous(whole, 1);
      assertThat(whole).filteredOn(f -> f.event.equals("message")).extracting(Frame::data)
          .anySatisfy(d -> assertThat(d).contains("\"attempt\":1"))
          .anySatisfy(d -> assertThat(d).contains("\"attempt\":2"));
      assertThat(frames(watcher, id, "3", Integer.MAX_VALUE)).isEqualTo(whole.subList(3, whole.size()));
    }
    System.out.printf("[failover] run %s of the killed node, followed on %s up to event 3, resumed"
        + " on %s with %d more events up to its result; %d re-dispatched runs replayed whole across"
        + " their two attempts%n", followed, watcher, resumer, resumed.size(), redone.size());

    // when the killed node is started again
    long t0 = System.nanoTime();
    victim.start(cluster.endpoints());
    cluster.awaitCluster(nodes, Duration.ofSeconds(120));
    long joined = ProcessCluster.ms(t0);
    // then sharding moves entities back to it
    long t1 = System.nanoTime();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .until(() -> !cluster.hostedBy(nodes.get(0)).getOrDefault(victim, List.of()).isEmpty());
    System.out.printf("[rebalance] %s restarted: Up and ready after %d ms; it hosted its first entity"
        + " %d ms after joining; entities now: %s%n", victim, joined, ProcessCluster.ms(t1), cluster.hostedBy(nodes.get(0)));
  }

  // rolling restart

  @Test
  @Order(3)
  void aRollingRestartLosesAndDoublesNoRun() throws Exception {
    String worker = ClusterTestWorkers.ROLLING;
    cluster.awaitCluster(nodes, Duration.ofSeconds(120));
    awaitHosted(worker, nodes);
    // given runs flowing through every live node
    Flow flow = new Flow(worker, 1000);
    long t0 = System.nanoTime();
    try {
      // when each node in turn is stopped with SIGTERM (CoordinatedShutdown) and started again
      for (NodeProcess n : nodes) {
        long s = System.nanoTime();
        n.process.destroy();
        assertThat(n.process.waitFor(90, TimeUnit.SECONDS)).as(n + " stopped").isTrue();
        long stopped = ProcessCluster.ms(s);
        n.start(cluster.endpoints());
        cluster.awaitCluster(nodes, Duration.ofSeconds(120));
        System.out.printf("[rolling] %s: stopped gracefully in %d ms, back Up %d ms later; %d runs"
            + " accepted so far%n", n, stopped, ProcessCluster.ms(s) - stopped, flow.accepted.size());
        if (n != nodes.get(nodes.size() - 1)) {
          Thread.sleep(MIN_READY.toMillis()); // the rollout's pace, not a wait for a result
        }
      }
    } finally {
      flow.stop();
    }
    // then every accepted run ends once, successfully, and the statistics agree
    List<String> runIds = List.copyOf(flow.accepted);
    Map<String, JsonNode> finished = awaitTerminal(runIds, nodes, Duration.ofSeconds(60));
    System.out.printf("[rolling] 3 nodes restarted one by one in %d ms; %d runs accepted meanwhile, all"
        + " terminal; %d were re-dispatched; calls not answered 202 while nodes stopped: %s%n", ProcessCluster.ms(t0),
        runIds.size(), finished.values().stream().filter(r -> r.get("attempts").asInt() > 1).count(),
        flow.unanswered.values().stream().collect(Collectors.groupingBy(
            why -> why, TreeMap::new, Collectors.counting())));
    assertThat(runIds).hasSizeGreaterThan(20);
    assertThat(finished.values()).extracting(r -> r.get("status").asText()).containsOnly("SUCCEEDED");
    assertExactlyOnce(worker, finished, nodes, flow.unanswered);
  }

  // kill -STOP

  @Test
  @Order(4)
  void aFrozenNodeIsDownedAndTheOthersCarryOn() throws Exception {
    String worker = ClusterTestWorkers.PAUSE;
    cluster.awaitCluster(nodes, Duration.ofSeconds(120));
    Map<NodeProcess, List<String>> hosted = awaitHosted(worker, nodes);
    NodeProcess frozen = hosted.entrySet().stream().filter(e -> !e.getValue().isEmpty())
        .map(Map.Entry::getKey).reduce((a, b) -> b).orElseThrow();
    List<NodeProcess> others = nodes.stream().filter(n -> n != frozen).toList();
    // given runs accepted before the pause
    List<String> runIds = new ArrayList<>(callConcurrently(worker, 60, 3000, nodes));

    // when the node is frozen with SIGSTOP past the failure detector
    Instant stoppedAt = Instant.now();
    frozen.signal("STOP");
    // and more runs are called on the others meanwhile (those accepted count)
    Flow flow = new Flow(worker, 2000, others);
    try {
      await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
          .untilAsserted(() -> {
            for (NodeProcess n : others) {
              assertThat(memberStatuses(n)).as("members seen by " + n).doesNotContainKey(frozen.address());
            }
          });
      long removed = Duration.between(stoppedAt, Instant.now()).toMillis();
      // and resumed with SIGCONT
      frozen.signal("CONT");
      System.out.printf("[pause] %s frozen; the others downed and removed it after %d ms; resumed%n",
          frozen, removed);
    } finally {
      flow.stop();
    }
    runIds.addAll(flow.accepted);

    // then the resumed node learns it was downed and exits; the two others stay Up
    assertThat(frozen.process.waitFor(90, TimeUnit.SECONDS)).as(frozen + " exits once downed").isTrue();
    cluster.awaitCluster(others, Duration.ofSeconds(30));
    // and every run reaches exactly one terminal status, every partition being hosted by them
    Map<String, JsonNode> finished = awaitTerminal(runIds, others, Duration.ofSeconds(60));
    Map<NodeProcess, List<String>> after = awaitHosted(worker, others);
    System.out.printf("[pause] %s exited (code %d) %d ms after the SIGSTOP; %d runs (%d accepted"
        + " during the pause) all terminal; entities now: %s%n", frozen, frozen.process.exitValue(),
        Duration.between(stoppedAt, Instant.now()).toMillis(), runIds.size(), flow.accepted.size(), after);
    assertThat(finished.values()).extracting(r -> r.get("status").asText()).containsOnly("SUCCEEDED");
    assertExactlyOnce(worker, finished, others, flow.unanswered);
  }

  // checks

  /**
   * One terminal status per run: every run in the worker's journal is one the test called, and has
   * exactly one {@code finished} event and as many {@code attempt-started} events as its attempts;
   * the run history lists each once, as it ended; the worker's statistics count each once, by
   * status, with nothing running or queued. Besides the {@code accepted} runs, the journal may
   * hold runs of calls that got no 202 ({@code unanswered}, by idempotency key): a call whose
   * answer timed out while its entity moved is delivered once the entity is back, and recorded.
   */
  private void assertExactlyOnce(String worker, Map<String, JsonNode> accepted, List<NodeProcess> via,
      Map<String, String> unanswered) throws Exception {
    Journal recorded = cluster.journal(worker);
    Map<String, JsonNode> runs = new TreeMap<>(accepted);
    List<String> late = recorded.keys().keySet().stream().filter(id -> !accepted.containsKey(id)).toList();
    for (String id : late) {
      assertThat(unanswered).as("run " + id + " recorded, not answered 202: its call")
          .containsKey(recorded.keys().get(id));
    }
    runs.putAll(awaitTerminal(late, via, Duration.ofSeconds(30)));
    if (!late.isEmpty()) {
      System.out.printf("[%s] %d of %d calls got no 202 (%s, ...); %d of them were recorded all the"
          + " same (answer lost, not the call) and ended once like the others%n", worker,
          unanswered.size(), unanswered.size() + accepted.size(),
          unanswered.values().stream().findFirst().orElse(""), late.size());
    }
    Journal journal = cluster.journal(worker);
    for (Map.Entry<String, JsonNode> r : runs.entrySet()) {
      assertThat(journal.finished().getOrDefault(r.getKey(), 0)).as("finished events of " + r.getKey())
          .isEqualTo(1);
      assertThat(journal.attempts().getOrDefault(r.getKey(), 0)).as("attempts of " + r.getKey())
          .isEqualTo(r.getValue().get("attempts").asInt());
    }
    assertThat(journal.finished().keySet()).as("runs finished in the journal").isEqualTo(runs.keySet());
    assertThat(journal.keys().keySet()).as("runs accepted in the journal").isEqualTo(runs.keySet());
    // the run history (troupe_runs, projected from the journal) shows each run once, as it ended
    Map<String, String> expected = new TreeMap<>();
    runs.forEach((id, r) -> expected.put(id, r.get("status").asText()));
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofSeconds(1)).ignoreExceptions()
        .untilAsserted(() -> assertThat(history(worker, via.get(0))).isEqualTo(expected));
    Map<String, Long> byStatus = runs.values().stream().collect(Collectors.groupingBy(
        r -> r.get("status").asText(), Collectors.counting()));
    for (NodeProcess n : via) {
      JsonNode stats = cluster.get(n, "/api/v1/workers/" + worker + "/stats");
      assertThat(stats.get("runs").asLong()).as("runs in the stats on " + n).isEqualTo(runs.size());
      assertThat(stats.get("succeeded").asLong()).isEqualTo(byStatus.getOrDefault("SUCCEEDED", 0L));
      assertThat(stats.get("failed").asLong()).isEqualTo(byStatus.getOrDefault("FAILED", 0L));
      assertThat(stats.get("timedOut").asLong()).isEqualTo(byStatus.getOrDefault("TIMED_OUT", 0L));
      assertThat(stats.get("cancelled").asLong()).isEqualTo(byStatus.getOrDefault("CANCELLED", 0L));
      assertThat(stats.get("running").asLong()).isZero();
      assertThat(stats.get("queued").asLong()).isZero();
    }
  }

  /** Every run of the worker in the run history, paged through {@code GET /api/v1/runs}. */
  private Map<String, String> history(String worker, NodeProcess n) throws Exception {
    Map<String, String> out = new TreeMap<>();
    String cursor = null;
    do {
      JsonNode page = cluster.get(n, "/api/v1/runs?worker=" + worker + "&limit=500"
          + (cursor == null ? "" : "&cursor=" + java.net.URLEncoder.encode(cursor, java.nio.charset.StandardCharsets.UTF_8)));
      for (JsonNode r : page.get("runs")) {
        assertThat(out.put(r.get("runId").asText(), r.get("status").asText())).as("listed once: " + r).isNull();
      }
      cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
    } while (cursor != null);
    return out;
  }

  /** Asks the runs on {@code via} until all are terminal; their last answers. */
  private Map<String, JsonNode> awaitTerminal(List<String> runIds, List<NodeProcess> via, Duration atMost) {
    Map<String, JsonNode> done = new ConcurrentHashMap<>();
    try {
      await().atMost(atMost.isNegative() ? Duration.ofMillis(1) : atMost)
          .pollInterval(Duration.ofMillis(500)).until(() -> {
            List<CompletableFuture<Void>> asks = new ArrayList<>();
            int i = 0;
            for (String id : runIds) {
              if (done.containsKey(id)) {
                continue;
              }
              NodeProcess n = via.get(i++ % via.size());
              asks.add(cluster.http.sendAsync(cluster.request(n, "/api/v1/runs/" + id).timeout(Duration.ofSeconds(5)).build(),
                  HttpResponse.BodyHandlers.ofString()).thenAccept(r -> {
                    if (r.statusCode() == 200) {
                      JsonNode run = cluster.readTree(r.body());
                      if (Set.of("SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED").contains(run.get("status").asText())) {
                        done.put(id, run);
                      }
                    }
                  }).exceptionally(t -> null));
            }
            CompletableFuture.allOf(asks.toArray(CompletableFuture[]::new)).get(10, TimeUnit.SECONDS);
            return done.size() == runIds.size();
          });
    } catch (org.awaitility.core.ConditionTimeoutException e) {
      List<String> open = runIds.stream().filter(id -> !done.containsKey(id)).toList();
      throw new AssertionError(open.size() + " of " + runIds.size() + " runs not terminal within "
          + atMost + ", e.g. " + open.stream().limit(5).toList(), e);
    }
    return new TreeMap<>(done);
  }

  // the cluster view

  /** Which node hosts each of the worker's entities, once all its partitions are hosted. */
  private Map<NodeProcess, List<String>> awaitHosted(String worker, List<NodeProcess> members) {
    return cluster.awaitHosted(worker, ClusterTestWorkers.PARTITIONS, members);
  }

  private Map<String, String> memberStatuses(NodeProcess viewer) throws Exception {
    Map<String, String> out = new TreeMap<>();
    cluster.get(viewer, "/api/v1/cluster").get("members").forEach(m ->
        out.put(m.get("address").asText(), m.get("status").asText()));
    return out;
  }

  // calling

  /** Calls {@code worker} {@code count} times at once, round robin over {@code via}; the run ids. */
  private List<String> callConcurrently(String worker, int count, int ms, List<NodeProcess> via) throws Exception {
    List<CompletableFuture<HttpResponse<String>>> calls = new ArrayList<>();
    for (int i = 0; i < count; i++) {
      NodeProcess n = via.get(i % via.size());
      calls.add(cluster.http.sendAsync(cluster.request(n, "/api/v1/workers/" + worker + "/runs")
          .header("Content-Type", "application/json").timeout(Duration.ofSeconds(20))
          .POST(HttpRequest.BodyPublishers.ofString("{\"payload\":{\"ms\":" + ms + "}}")).build(),
          HttpResponse.BodyHandlers.ofString()));
    }
    List<String> ids = new ArrayList<>();
    for (CompletableFuture<HttpResponse<String>> c : calls) {
      HttpResponse<String> r = c.get(30, TimeUnit.SECONDS);
      assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
      ids.add(cluster.readTree(r.body()).get("runId").asText());
    }
    return ids;
  }

  /**
   * Runs called every 100 ms on a random node of the given ones until stopped, each with its own
   * idempotency key: the run ids accepted (202), and the keys of the calls not answered 202 with
   * why (refused, or no answer in time: such a call may still have been recorded).
   */
  private final class Flow {
    final Collection<String> accepted = ConcurrentHashMap.newKeySet();
    final Map<String, String> unanswered = new ConcurrentHashMap<>();
    private final String keyPrefix = "flow-" + UUID.randomUUID() + "-";
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    Flow(String worker, int ms) {
      this(worker, ms, null);
    }

    Flow(String worker, int ms, List<NodeProcess> only) {
      thread = new Thread(() -> {
        List<CompletableFuture<Void>> pending = new ArrayList<>();
        int calls = 0;
        while (running.get()) {
          String key = keyPrefix + calls++;
          List<NodeProcess> live = only != null ? only : cluster.alive();
          if (!live.isEmpty()) {
            NodeProcess n = live.get(ThreadLocalRandom.current().nextInt(live.size()));
            pending.add(cluster.http.sendAsync(cluster.request(n, "/api/v1/workers/" + worker + "/runs")
                .header("Content-Type", "application/json").timeout(Duration.ofSeconds(15))
                .POST(HttpRequest.BodyPublishers.ofString("{\"payload\":{\"ms\":" + ms
                    + "},\"idempotencyKey\":\"" + key + "\"}")).build(),
                HttpResponse.BodyHandlers.ofString()).handle((r, t) -> {
                  if (t == null && r.statusCode() == 202) {
                    accepted.add(cluster.readTree(r.body()).get("runId").asText());
                  } else {
                    unanswered.put(key, t != null ? t.getClass().getSimpleName()
                        : r.statusCode() + " " + cluster.errorCode(r.body()));
                  }
                  return null;
                }));
          }
          try {
            Thread.sleep(100); // the pace of the calls, not a wait for a condition
          } catch (InterruptedException e) {
            return;
          }
        }
        CompletableFuture.allOf(pending.toArray(CompletableFuture[]::new)).join();
      }, "run-flow");
      thread.start();
    }

    /** Stops calling and waits for the answers of the calls made. */
    void stop() throws InterruptedException {
      running.set(false);
      thread.join(30_000);
    }
  }

  // schedules

  @Test
  @Order(5)
  void aScheduleStartsOneRunPerFireTimeWhileItsNodeIsKilled() throws Exception {
    // the node frozen by the test before exited: all three again
    for (NodeProcess n : nodes) {
      if (!n.alive()) {
        n.start(cluster.endpoints());
      }
    }
    cluster.awaitCluster(nodes, Duration.ofSeconds(120));
    String name = "proc-tick";
    // given a schedule every second, through one node, that has fired a few times
    HttpResponse<String> put = cluster.http.send(cluster.request(nodes.get(0), "/api/v1/schedules/" + name)
        .header("Content-Type", "application/json").PUT(HttpRequest.BodyPublishers.ofString(
            "{\"worker\":\"" + ClusterTestWorkers.SCHEDULED + "\",\"cron\":\"*/1 * * * * *\"}"))
        .build(), HttpResponse.BodyHandlers.ofString());
    cluster.body(put, 200);
    await().atMost(Duration.ofSeconds(60)).ignoreExceptions()
        .until(() -> fired(nodes.get(0), name).size() >= 3);
    // and the node it runs on (it says so in its log)
    NodeProcess host = await().atMost(Duration.ofSeconds(10)).until(() -> nodes.stream()
        .filter(n -> logHas(n, "schedule " + name + " runs on this node")).findFirst(),
        java.util.Optional::isPresent).orElseThrow();
    NodeProcess survivor = cluster.someNodeBut(host);

    // when that node is killed with SIGKILL
    Instant killedAt = Instant.now();
    host.kill();

    // then the schedule fires on a survivor, every fire time once, none lost (late, within the
    // misfire threshold of 60 s, they each fire)
    await().atMost(FAILOVER_BOUND.plusSeconds(30)).pollInterval(Duration.ofSeconds(1))
        .ignoreExceptions().until(() -> fired(survivor, name).stream()
            .anyMatch(t -> t.isAfter(killedAt.plus(FAILOVER_BOUND))));
    cluster.body(cluster.post(survivor, "/api/v1/schedules/" + name + "/pause", ""), 200);
    await().atMost(Duration.ofSeconds(30)).ignoreExceptions().untilAsserted(() -> {
      List<Instant> times = fired(survivor, name);
      assertThat(times).doesNotHaveDuplicates();
      for (int i = 1; i < times.size(); i++) {
        assertThat(Duration.between(times.get(i - 1), times.get(i)))
            .as("no fire time missing before %s", times.get(i)).isEqualTo(Duration.ofSeconds(1));
      }
    });
    System.out.printf("[schedule] %s killed at %s; %d fire times, each one run, none missing%n",
        host, killedAt, fired(survivor, name).size());

    // and the killed node comes back
    host.start(cluster.endpoints());
    cluster.awaitCluster(nodes, Duration.ofSeconds(120));
  }

  /** The fire times of the runs schedule {@code name} started, from the run history. */
  private List<Instant> fired(NodeProcess n, String name) throws Exception {
    List<Instant> out = new ArrayList<>();
    cluster.get(n, "/api/v1/runs?worker=" + ClusterTestWorkers.SCHEDULED + "&limit=500").get("runs")
        .forEach(r -> {
          if (r.path("schedule").path("name").asText().equals(name)) {
            out.add(Instant.parse(r.get("schedule").get("fireTime").asText()));
          }
        });
    out.sort(null);
    return out;
  }

  private static boolean logHas(NodeProcess n, String text) {
    try {
      return Files.readString(n.log).contains(text);
    } catch (IOException e) {
      return false;
    }
  }

  private record Frame(String id, String event, String data) {}

  /** Ids go on by one from {@code first}, and no event is a gap notice. */
  private static void assertContiguous(List<Frame> frames, long first) {
    assertThat(frames).as("events").isNotEmpty();
    long expected = first;
    for (Frame f : frames) {
      assertThat(Long.parseLong(f.id)).as("ids go on without a gap: %s", frames).isEqualTo(expected++);
      assertThat(f.data).as("no gap notice").doesNotContain("\"gap\"");
    }
  }

  /** Up to {@code max} events of the run's SSE stream on {@code n}, then the stream is dropped. */
  private List<Frame> frames(NodeProcess n, String runId, String lastEventId, int max) throws Exception {
    HttpRequest.Builder b = cluster.request(n, "/api/v1/runs/" + runId + "/events").timeout(Duration.ofSeconds(30));
    if (lastEventId != null) {
      b.header("Last-Event-ID", lastEventId);
    }
    HttpResponse<Stream<String>> r = cluster.http.send(b.build(), HttpResponse.BodyHandlers.ofLines());
    assertThat(r.statusCode()).isEqualTo(200);
    List<Frame> out = new ArrayList<>();
    try (Stream<String> lines = r.body()) {
      String id = null;
      String event = null;
      String data = null;
      for (Iterator<String> it = lines.iterator(); it.hasNext() && out.size() < max; ) {
        String line = it.next();
        if (line.isEmpty()) {
          if (data != null) {
            out.add(new Frame(id, event == null ? "message" : event, data));
          }
          id = null;
          event = null;
          data = null;
        } else if (line.startsWith("id:")) {
          id = line.substring(3).trim();
        } else if (line.startsWith("event:")) {
          event = line.substring(6).trim();
        } else if (line.startsWith("data:")) {
          data = line.substring(5).trim();
        }
      }
    }
    return out;
  }

}
