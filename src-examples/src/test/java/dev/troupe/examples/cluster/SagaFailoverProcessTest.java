package dev.troupe.examples.cluster;

import static dev.troupe.examples.cluster.SagaTestWorkers.CHILD;
import static dev.troupe.examples.cluster.SagaTestWorkers.CHILDREN;
import static dev.troupe.examples.cluster.SagaTestWorkers.PARENT;
import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.examples.cluster.JournalAudit.Journal;
import dev.troupe.persistence.RunIds;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeMap;
import java.util.TreeSet;
import java.util.stream.Collectors;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.extension.RegisterExtension;

/**
 * A saga parent whose node is killed with SIGKILL, on three node processes on PostgreSQL
 * ({@link ProcessCluster}): the parent has completed 3 compensated durable steps and its 10
 * children are running. It resumes on a surviving node on attempt 2: no completed step runs
 * again, no child starts twice (a child executing on the killed node gets exactly one more
 * attempt, as any run lost with its node), and when the saga then fails for good its
 * compensations run exactly once each, last step first; every run ends once in the journal. What
 * the runs did is counted from their side effects ({@link SagaTestWorkers}: lines appended to a
 * file, which outlive the killed node). Skipped, saying why, without {@code TROUPE_TEST_PG_URL}
 * or when PostgreSQL does not answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class SagaFailoverProcessTest {
  /** From the kill to the parent's second attempt: the failover bound of ClusterProcessTest. */
  private static final Duration FAILOVER_BOUND = ClusterProcessTest.FAILOVER_BOUND;

  private ProcessCluster cluster;

  @RegisterExtension
  final LogsOnFailure logsOnFailure = new LogsOnFailure(() -> cluster);

  @BeforeAll
  void startCluster() throws Exception {
    cluster = ProcessCluster.start("SagaFailoverProcessTest", 3, Duration.ofSeconds(150),
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
  void aSagaParentKilledWithItsNodeResumesWithoutRepeatingAStepOrAChildAndCompensatesOnce()
      throws Exception {
    // given the child's partitions spread over the nodes, no shard due to move (a moved entity's
    // runs would start again), and a directory for the side effects
    Map<NodeProcess, List<String>> childEntities = cluster.awaitHosted(CHILD, SagaTestWorkers.CHILD_PARTITIONS,
        cluster.nodes);
    long t0 = System.nanoTime();
    cluster.awaitBalanced(cluster.nodes, Duration.ofSeconds(90));
    System.out.printf("[saga] shards balanced after %d ms more%n", ProcessCluster.ms(t0));
    Path dir = Files.createDirectories(cluster.directory().resolve("saga"));
    // and a saga parent whose 3 steps are done and whose 10 children are running
    NodeProcess caller = cluster.nodes.get(0);
    String parent = cluster.body(cluster.post(caller, "/api/v1/workers/" + PARENT + "/runs",
        "{\"payload\":{\"dir\":\"" + dir + "\"}}"), 202).get("runId").asText();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .untilAsserted(() -> {
          assertThat(cluster.get(caller, "/api/v1/runs/" + parent).get("steps"))
              .extracting(s -> s.get("status").asText()).containsExactly("SUCCEEDED", "SUCCEEDED", "SUCCEEDED");
          assertThat(SideEffects.read(dir, "child-start")).hasSize(CHILDREN);
        });
    NodeProcess victim = cluster.hostOf(RunIds.entityOf(parent));
    String victimPort = Integer.toString(victim.httpPort);
    assertThat(SideEffects.read(dir, "parent")).singleElement()
        .satisfies(e -> assertThat(e.get("node")).as("the parent executes where its entity is").isEqualTo(victimPort));
    Map<String, String> firstStartOn = new TreeMap<>();
    SideEffects.read(dir, "child-start").forEach(e -> firstStartOn.put(e.get("run"), e.get("node")));
    long onVictim = firstStartOn.values().stream().filter(victimPort::equals).count();
    System.out.printf("[saga] parent %s executes on %s; %d of its %d children execute there too;"
        + " child entities: %s%n", parent, victim, onVictim, CHILDREN, childEntities);

    // when the node executing the parent is killed with SIGKILL
    Instant killedAt = Instant.now();
    victim.kill();
    List<NodeProcess> survivors = cluster.alive();
    NodeProcess reader = survivors.get(0);
    // and, once the parent's second attempt has found its children again, they are released
    await().atMost(FAILOVER_BOUND.plusSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .untilAsserted(() -> assertThat(SideEffects.read(dir, "call")).filteredOn(e -> e.get("attempt").equals("2"))
            .hasSize(CHILDREN));
    long resumedAfter = Duration.between(killedAt, Instant.now()).toMillis();
    Files.createFile(dir.resolve("release"));

    // then the parent ends FAILED with the error of its failing step, on attempt 2
    JsonNode run = cluster.awaitTerminal(parent, survivors, Duration.ofSeconds(60));
    System.out.printf("[saga] parent resumed with its children %d ms after the kill; ended %s after"
        + " %d attempts: %s%n", resumedAfter, run.get("status").asText(), run.get("attempts").asInt(),
        run.get("error"));
    assertThat(run.get("status").asText()).isEqualTo("FAILED");
    assertThat(run.get("attempts").asInt()).isEqualTo(2);
    assertThat(run.get("error").get("code").asText()).isEqualTo("PERMANENT_ERROR");
    assertThat(run.get("error").get("message").asText()).contains(SagaTestWorkers.FAILURE);
    // and its handler ran twice, the second time on a survivor, where the entity is now
    NodeProcess host = cluster.hostOf(RunIds.entityOf(parent));
    assertThat(host).isNotEqualTo(victim);
    assertThat(SideEffects.read(dir, "parent")).extracting(e -> e.get("attempt") + "@" + e.get("node"))
        .containsExactly("1@" + victimPort, "2@" + host.httpPort);
    // and each of its steps ran exactly once: the 3 done before the kill on attempt 1 only
    List<String> stepNames = SagaTestWorkers.STEPS.stream().map(s -> s.get(0)).toList();
    List<String> expectedSteps = new ArrayList<>();
    stepNames.forEach(s -> expectedSteps.add(s + "@1"));
    expectedSteps.add(SagaTestWorkers.FAILING_STEP + "@2");
    assertThat(SideEffects.read(dir, "step")).extracting(e -> e.get("name") + "@" + e.get("attempt"))
        .containsExactlyElementsOf(expectedSteps);
    // and each compensation ran exactly once, last step first, on the second attempt
    List<String> compensations = new ArrayList<>(SagaTestWorkers.STEPS.stream().map(s -> s.get(1)).toList());
    Collections.reverse(compensations);
    assertThat(SideEffects.read(dir, "compensation")).extracting(e -> e.get("name") + "@" + e.get("attempt"))
        .containsExactlyElementsOf(compensations.stream().map(c -> c + "@2").toList());
    assertThat(run.get("steps")).extracting(s -> s.get("name").asText() + ":" + s.get("status").asText()
        + ":" + s.path("compensation").path("status").asText("-")).containsExactly(
            stepNames.get(0) + ":COMPENSATED:SUCCEEDED", stepNames.get(1) + ":COMPENSATED:SUCCEEDED",
            stepNames.get(2) + ":COMPENSATED:SUCCEEDED", SagaTestWorkers.FAILING_STEP + ":FAILED:-");

    // and both attempts called the same 10 children, the second one finding them all existing
    Map<String, String> byOrdinal1 = calls(dir, "1");
    Map<String, String> byOrdinal2 = calls(dir, "2");
    assertThat(byOrdinal1).hasSize(CHILDREN).isEqualTo(byOrdinal2);
    assertThat(SideEffects.read(dir, "call")).extracting(e -> e.get("attempt") + ":" + e.get("existing"))
        .filteredOn(a -> a.startsWith("1:")).containsOnly("1:false");
    assertThat(SideEffects.read(dir, "call")).extracting(e -> e.get("attempt") + ":" + e.get("existing"))
        .filteredOn(a -> a.startsWith("2:")).containsOnly("2:true");
    Set<String> children = new TreeSet<>(byOrdinal1.values());
    assertThat(children).hasSize(CHILDREN);
    // and exactly these 10 child runs exist, each naming the parent
    Journal childJournal = cluster.journal(CHILD);
    assertThat(childJournal.keys().keySet()).as("child runs in the journal").isEqualTo(children);
    assertThat(new TreeSet<>(childJournal.parents().values())).containsExactly(parent);
    assertThat(childJournal.parents().keySet()).isEqualTo(children);
    await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .untilAsserted(() -> assertThat(cluster.get(reader, "/api/v1/runs/" + parent).get("children"))
            .extracting(JsonNode::asText).containsExactlyInAnyOrderElementsOf(children));
    // and each child succeeded, started once per attempt: once if it executed on a survivor, a
    // second time (on a survivor) if its first attempt was lost with the killed node
    Map<String, List<String>> startsOn = new TreeMap<>();
    SideEffects.read(dir, "child-start").forEach(e -> startsOn.computeIfAbsent(e.get("run"), k -> new ArrayList<>())
        .add(e.get("attempt") + "@" + e.get("node")));
    assertThat(startsOn.keySet()).isEqualTo(children);
    Map<String, Integer> attempts = new LinkedHashMap<>();
    for (String child : children) {
      JsonNode c = cluster.awaitTerminal(child, survivors, Duration.ofSeconds(30));
      assertThat(c.get("status").asText()).as("child " + child).isEqualTo("SUCCEEDED");
      assertThat(c.get("parentRunId").asText()).isEqualTo(parent);
      attempts.put(child, c.get("attempts").asInt());
      List<String> starts = startsOn.get(child);
      assertThat(starts).as("starts of child " + child + ", one per attempt").hasSize(c.get("attempts").asInt());
      if (firstStartOn.get(child).equals(victimPort)) {
        assertThat(starts).as("child " + child + " of the killed node").hasSize(2)
            .first().isEqualTo("1@" + victimPort);
        assertThat(starts.get(1)).startsWith("2@").isNotEqualTo("2@" + victimPort);
      } else {
        assertThat(starts).as("child " + child + " of a survivor").containsExactly("1@" + firstStartOn.get(child));
      }
    }
    System.out.printf("[saga] children's attempts: %s; compensations: %s%n", attempts, compensations);

    // and every run ends exactly once in the journal, with as many attempts as it reports
    Journal parentJournal = cluster.journal(PARENT);
    assertThat(parentJournal.finished()).isEqualTo(Map.of(parent, 1));
    assertThat(parentJournal.attempts()).isEqualTo(Map.of(parent, 2));
    Journal finalChildJournal = cluster.journal(CHILD);
    for (String child : children) {
      assertThat(finalChildJournal.finished().get(child)).as("finished events of " + child).isEqualTo(1);
      assertThat(finalChildJournal.attempts().get(child)).as("attempts of " + child).isEqualTo(attempts.get(child));
    }
  }

  // side effects

  /** The children the parent's attempt {@code attempt} called, by ordinal. */
  private static Map<String, String> calls(Path dir, String attempt) throws IOException {
    return SideEffects.read(dir, "call").stream().filter(e -> e.get("attempt").equals(attempt))
        .collect(Collectors.toMap(e -> e.get("i"), e -> e.get("child"), (a, b) -> {
          throw new AssertionError("attempt " + attempt + " called a child twice: " + a + ", " + b);
        }, TreeMap::new));
  }
}
