package dev.troupe.examples.cluster;

import static dev.troupe.examples.cluster.ZombieTestWorkers.PARTITIONS;
import static dev.troupe.examples.cluster.ZombieTestWorkers.WORKER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.examples.cluster.JournalAudit.Journal;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.TreeMap;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A stale owner resumed: on three node processes on PostgreSQL ({@link ProcessCluster}), the node
 * executing runs is frozen with SIGSTOP until the two others have downed it (Split Brain
 * Resolver), taken its entities over and started its runs again (attempt 2); then it is resumed
 * with SIGCONT. Its runs' first attempts end at once then, and its first journal writes collide
 * with those of the entities' new owners, unless the others' quarantine notice made it leave
 * first (which of the two happened is printed). The resumed node must not start any run again (no
 * start recorded by it after the resume), and must exit; every run ends SUCCEEDED once, the
 * frozen node's runs after exactly the one more attempt a failover costs, the others after one.
 * What the runs did is counted from their side effects ({@link ZombieTestWorkers}). The journal's
 * case alone, made certain (no quarantine notice can reach the stale owner), is the cluster
 * node's {@code StaleOwnerTest}. Skipped, saying why, without {@code TROUPE_TEST_PG_URL} or when
 * PostgreSQL does not answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class ZombieOwnerProcessTest {
  private static final int RUNS = 16;
  /** How long a first attempt sleeps: past the time the runs take to start and the node to freeze. */
  private static final int FIRST_ATTEMPT_MS = 10_000;

  private ProcessCluster cluster;

  @RegisterExtension
  final LogsOnFailure logsOnFailure = new LogsOnFailure(() -> cluster);

  @BeforeAll
  void startCluster() throws Exception {
    cluster = ProcessCluster.start("ZombieOwnerProcessTest", 3, Duration.ofSeconds(150),
        ProcessCluster.FAST_REBALANCE);
  }

  @AfterAll
  void stopCluster() throws Exception {
    if (cluster != null) {
      for (NodeProcess n : cluster.alive()) {
        n.kill(); // nothing to keep: a graceful stop would only take longer
      }
      cluster.close();
    }
  }

  @Test
  void aResumedOwnerThatWasDownedStartsNoRunAgainAndExits() throws Exception {
    // given the worker's partitions spread over the nodes, no shard due to move, a directory for
    // the side effects, and 16 runs executing their first attempt
    cluster.awaitHosted(WORKER, PARTITIONS, cluster.nodes);
    long t0 = System.nanoTime();
    cluster.awaitBalanced(cluster.nodes, Duration.ofSeconds(90));
    System.out.printf("[zombie] shards balanced after %d ms%n", ProcessCluster.ms(t0));
    Path dir = Files.createDirectories(cluster.directory().resolve("zombie"));
    NodeProcess caller = cluster.nodes.get(0);
    List<String> runIds = new ArrayList<>();
    for (int i = 0; i < RUNS; i++) {
      runIds.add(cluster.body(cluster.post(caller, "/api/v1/workers/" + WORKER + "/runs",
          "{\"payload\":{\"dir\":\"" + dir + "\",\"firstMs\":" + FIRST_ATTEMPT_MS + "}}"), 202)
          .get("runId").asText());
    }
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertThat(SideEffects.read(dir, "start")).hasSize(RUNS));
    Map<String, String> firstOn = new TreeMap<>();
    SideEffects.read(dir, "start").forEach(e -> firstOn.put(e.get("run"), e.get("node")));
    // and the node executing the most of them
    String zombiePort = firstOn.values().stream()
        .collect(Collectors.groupingBy(p -> p, Collectors.counting())).entrySet().stream()
        .max(Map.Entry.comparingByValue()).orElseThrow().getKey();
    NodeProcess zombie = cluster.nodes.stream().filter(n -> Integer.toString(n.httpPort).equals(zombiePort))
        .findFirst().orElseThrow();
    List<NodeProcess> survivors = cluster.nodes.stream().filter(n -> n != zombie).toList();
    List<String> zombieRuns = firstOn.entrySet().stream().filter(e -> e.getValue().equals(zombiePort))
        .map(Map.Entry::getKey).toList();

    // when that node is frozen with SIGSTOP until the others have downed and removed it and run
    // its runs again (attempt 2)
    Instant stoppedAt = Instant.now();
    zombie.signal("STOP");
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .untilAsserted(() -> {
          for (NodeProcess n : survivors) {
            assertThat(cluster.get(n, "/api/v1/cluster").get("members"))
                .extracting(m -> m.get("address").asText()).as("members seen by " + n)
                .doesNotContain(zombie.address());
          }
          assertThat(SideEffects.read(dir, "start")).filteredOn(e -> e.get("attempt").equals("2"))
              .extracting(e -> e.get("run")).containsExactlyInAnyOrderElementsOf(zombieRuns);
        });
    long takenOver = Duration.between(stoppedAt, Instant.now()).toMillis();
    // and then resumed with SIGCONT: its first attempts end, and it reports them
    int startsBeforeResume = SideEffects.read(dir, "start").size();
    zombie.signal("CONT");
    Instant resumedAt = Instant.now();

    // then it exits, having learnt that it was downed
    assertThat(zombie.process.waitFor(60, TimeUnit.SECONDS)).as(zombie + " exits once resumed").isTrue();
    System.out.printf("[zombie] %s executed %d of the %d runs; frozen, the others ran them again %d ms"
        + " after the SIGSTOP; resumed, it exited (code %d) %d ms after the SIGCONT; %s%n", zombie,
        zombieRuns.size(), RUNS, takenOver, zombie.process.exitValue(),
        Duration.between(resumedAt, Instant.now()).toMillis(), howItLearnt(zombie));
    // and it started nothing after the resume, nor did anyone else until the runs are released
    assertThat(SideEffects.read(dir, "start")).as("starts after the resume")
        .hasSize(startsBeforeResume)
        .filteredOn(e -> e.get("node").equals(zombiePort))
        .extracting(e -> e.get("run") + "@" + e.get("attempt"))
        .containsExactlyInAnyOrderElementsOf(zombieRuns.stream().map(r -> r + "@1").toList());
    cluster.awaitCluster(survivors, Duration.ofSeconds(30));

    // when the second attempts are released
    Files.createFile(dir.resolve("release"));
    // then every run succeeds: the frozen node's after exactly one more attempt, on a survivor,
    // the others after one
    Map<String, List<String>> starts = new TreeMap<>();
    for (String runId : runIds) {
      JsonNode run = cluster.awaitTerminal(runId, survivors, Duration.ofSeconds(60));
      assertThat(run.get("status").asText()).as("run " + runId).isEqualTo("SUCCEEDED");
      assertThat(run.get("attempts").asInt()).as("attempts of " + runId)
          .isEqualTo(zombieRuns.contains(runId) ? 2 : 1);
    }
    SideEffects.read(dir, "start").forEach(e -> starts.computeIfAbsent(e.get("run"), k -> new ArrayList<>())
        .add(e.get("attempt") + "@" + e.get("node")));
    assertThat(starts.keySet()).containsExactlyInAnyOrderElementsOf(runIds);
    for (String runId : runIds) {
      if (zombieRuns.contains(runId)) {
        assertThat(starts.get(runId)).as("starts of " + runId).hasSize(2).first().isEqualTo("1@" + zombiePort);
        assertThat(starts.get(runId).get(1)).startsWith("2@").isNotEqualTo("2@" + zombiePort);
      } else {
        assertThat(starts.get(runId)).as("starts of " + runId).containsExactly("1@" + firstOn.get(runId));
      }
    }
    // and each ends exactly once in the journal, with as many attempts as it reports
    Journal journal = cluster.journal(WORKER);
    for (String runId : runIds) {
      assertThat(journal.finished().get(runId)).as("finished events of " + runId).isEqualTo(1);
      assertThat(journal.attempts().get(runId)).as("attempt-started events of " + runId)
          .isEqualTo(zombieRuns.contains(runId) ? 2 : 1);
    }
  }

  /**
   * How the resumed node learnt that it was downed, from its log: from the journal (a write of
   * its refused, another node having written that sequence number: it fenced itself), or from the
   * others (their quarantine notice, or its own Split Brain Resolver) before it wrote anything.
   */
  private static String howItLearnt(NodeProcess zombie) throws IOException {
    String log = Files.readString(zombie.log);
    if (log.contains("the journal refused a write")) {
      return "the journal refused one of its writes: it fenced itself";
    }
    return log.contains("Failed to persist event")
        ? "the journal refused one of its writes, and it did not fence itself"
        : "it left on the others' word before any write of its was refused";
  }
}
