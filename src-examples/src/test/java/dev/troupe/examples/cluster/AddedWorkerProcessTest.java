package dev.troupe.examples.cluster;

import static dev.troupe.examples.cluster.AddedWorkerTestWorkers.PARTITIONS;
import static dev.troupe.examples.cluster.AddedWorkerTestWorkers.WORKER;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.examples.cluster.JournalAudit.Journal;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A rolling upgrade that adds a worker, with node processes on PostgreSQL ({@link
 * ProcessCluster}): two nodes run the version without the worker, a third joins with it ({@link
 * AddedWorkerTestWorkers}). Every entity of the added worker lives on the third node, and the
 * calls made there run and succeed there. Killed with SIGKILL while runs of the added worker
 * execute, the third node leaves them to the others, which have no such worker: the runs wait
 * (none fails, none starts on a node without the worker) and finish once the node is back, after
 * the one more attempt a failover costs, each exactly once in the journal. Skipped, saying why,
 * without {@code TROUPE_TEST_PG_URL} or when PostgreSQL does not answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class AddedWorkerProcessTest {
  private static final int RUNS = 8;
  /** How long a first attempt sleeps: past the time the runs take to start and the node to die. */
  private static final int FIRST_ATTEMPT_MS = 60_000;
  /** A rebalance each 2 s (Pekko's default is 10 s): the entities go back within seconds. */
  private static final List<String> OPTIONS = List.of(
      "-Dpekko.cluster.sharding.rebalance-interval=2s");

  private ProcessCluster cluster;

  @RegisterExtension
  final LogsOnFailure logsOnFailure = new LogsOnFailure(() -> cluster);

  @BeforeAll
  void startCluster() throws Exception {
    cluster = ProcessCluster.start("AddedWorkerProcessTest", 2, Duration.ofSeconds(150), OPTIONS);
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
  void anAddedWorkerRunsOnlyOnTheNodesThatHaveItAndItsRunsWaitForOne() throws Exception {
    // given two nodes without the added worker, and a third that joins with it
    long t0 = System.nanoTime();
    NodeProcess upgraded = cluster.addNode(List.of("-D" + AddedWorkerTestWorkers.SWITCH + "=true"),
        Duration.ofSeconds(120));
    List<NodeProcess> old = cluster.nodes.stream().filter(n -> n != upgraded).toList();
    String port = Integer.toString(upgraded.httpPort);
    System.out.printf("[added] %s joined with the added worker in %d ms%n", upgraded,
        ProcessCluster.ms(t0));
    // then every entity of the added worker is on it
    assertThat(cluster.awaitHosted(WORKER, PARTITIONS, cluster.nodes).get(upgraded))
        .as("entities of the added worker on " + upgraded).hasSize(PARTITIONS);
    // and the calls made on it run and succeed there, one per partition and more
    Path quick = Files.createDirectories(cluster.directory().resolve("quick"));
    for (int i = 0; i < 2 * PARTITIONS; i++) {
      JsonNode run = cluster.body(cluster.post(upgraded, "/api/v1/workers/" + WORKER
          + "/runs?wait=true", payload(quick, 0)), 200);
      assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
      assertThat(run.get("result").get("node").asText()).isEqualTo(port);
    }
    // and the old nodes do not know the worker
    for (NodeProcess n : old) {
      assertThat(cluster.post(n, "/api/v1/workers/" + WORKER + "/runs", payload(quick, 0))
          .statusCode()).as("a call of the added worker on " + n).isEqualTo(404);
    }

    // given runs of the added worker executing their first attempt on it
    Path dir = Files.createDirectories(cluster.directory().resolve("failover"));
    List<String> runIds = new ArrayList<>();
    for (int i = 0; i < RUNS; i++) {
      runIds.add(cluster.body(cluster.post(upgraded, "/api/v1/workers/" + WORKER + "/runs",
          payload(dir, FIRST_ATTEMPT_MS)), 202).get("runId").asText());
    }
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
        .untilAsserted(() -> assertThat(SideEffects.read(dir, "start")).hasSize(RUNS));

    // when it is killed with SIGKILL
    long killedAt = System.nanoTime();
    upgraded.kill();
    // then the others take its entities over (remember-entities) once they have removed it
    cluster.awaitCluster(old, Duration.ofSeconds(60));
    cluster.awaitHosted(WORKER, PARTITIONS, old);
    System.out.printf("[added] %s killed; the others host the added worker's entities after %d ms%n",
        upgraded, ProcessCluster.ms(killedAt));
    // and none of its runs starts there, fails or ends: they wait for a node with the worker
    assertThat(SideEffects.read(dir, "start")).hasSize(RUNS);
    assertThat(cluster.journal(WORKER).finished()).doesNotContainKeys(runIds.toArray(String[]::new));

    // when it is started again
    long t1 = System.nanoTime();
    upgraded.start(cluster.endpoints());
    cluster.awaitCluster(cluster.nodes, Duration.ofSeconds(120));
    // then the added worker's entities move back to it
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .untilAsserted(() -> assertThat(cluster.hostedBy(upgraded).get(upgraded).stream()
            .filter(e -> e.equals(WORKER) || e.startsWith(WORKER + "#"))).hasSize(PARTITIONS));
    // and every run succeeds there, after the one more attempt a failover costs
    for (String runId : runIds) {
      JsonNode run = cluster.awaitTerminal(runId, List.of(upgraded), Duration.ofSeconds(60));
      assertThat(run.get("status").asText()).as("run " + runId).isEqualTo("SUCCEEDED");
      assertThat(run.get("attempts").asInt()).as("attempts of " + runId).isEqualTo(2);
    }
    System.out.printf("[added] %s restarted; all %d runs it had executing succeeded %d ms later%n",
        upgraded, RUNS, ProcessCluster.ms(t1));
    // and every attempt ran on it, none on a node without the worker
    assertThat(SideEffects.read(dir, "start")).hasSize(2 * RUNS)
        .extracting(e -> e.get("node")).containsOnly(port);
    // and each run ends exactly once in the journal, with its two attempts
    Journal journal = cluster.journal(WORKER);
    for (String runId : runIds) {
      assertThat(journal.finished().get(runId)).as("finished events of " + runId).isEqualTo(1);
      assertThat(journal.attempts().get(runId)).as("attempts of " + runId).isEqualTo(2);
    }
  }

  private static String payload(Path dir, int firstMs) {
    return "{\"payload\":{\"dir\":\"" + dir + "\",\"firstMs\":" + firstMs + "}}";
  }
}
