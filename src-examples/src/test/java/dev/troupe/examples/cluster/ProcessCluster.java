package dev.troupe.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Assumptions;

/**
 * Node processes ({@code dev.troupe.node.Main}, as {@code bin/cluster.sh} starts them) on a fresh
 * PostgreSQL database of their own, forming one cluster through Cluster Bootstrap with config
 * discovery, for the process tests; with what they ask of it: HTTP, the cluster view (which node
 * hosts an entity, hence executes its runs), the journal's events per run. The nodes load the
 * test workers listed in {@code cluster-nodes/META-INF/services}. Their journal is kept whole
 * (no retention purge), since the tests audit it row by row. Closing stops the nodes and drops
 * the database. One node's process is a {@link NodeProcess}; the journal is read by
 * {@link JournalAudit}.
 */
final class ProcessCluster implements AutoCloseable {
  private static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED");
  final ObjectMapper json = new ObjectMapper();
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(3)).build();
  final List<NodeProcess> nodes = new ArrayList<>();
  private final String adminUrl;
  private final String dbName;
  private final String dbUrl;
  private final NodeProcess.Launch launch;

  private ProcessCluster(String adminUrl, String dbName, String dbUrl, Path logs, List<String> jvmOptions) {
    this.adminUrl = adminUrl;
    this.dbName = dbName;
    this.dbUrl = dbUrl;
    // the tests audit the journal row by row: retention must not delete the entries a
    // snapshot and the history already cover while they read it (retention has its own tests)
    this.launch = new NodeProcess.Launch(logs, jvmOptions, Map.of("TROUPE_DB_URL", dbUrl,
        "TROUPE_DB_USER", pgUser(), "TROUPE_DB_PASSWORD", pgPassword(),
        "TROUPE_HISTORY_PURGE_JOURNAL", "off"));
  }

  /**
   * A larger shard rebalance, up to 30 % of the shards per round rather than one (Troupe's
   * allocation takes its limits from Pekko's least-shard allocation's settings): the
   * shards of the nodes that joined first spread to the last one in a round or two rather than in
   * dozens (the test nodes host many definitions, so many shards), so that a test waiting for a
   * balanced cluster before it starts runs (which a moved shard would start again) does not wait
   * minutes.
   */
  static final List<String> FAST_REBALANCE = List.of(
      "-Dpekko.cluster.sharding.least-shard-allocation-strategy.rebalance-absolute-limit=1000",
      "-Dpekko.cluster.sharding.least-shard-allocation-strategy.rebalance-relative-limit=0.3");

  /**
   * Starts {@code count} nodes on a new database and waits until they formed one cluster (all Up,
   * ready); aborts the calling test (skipped, saying why) without {@code TROUPE_TEST_PG_URL} or
   * when PostgreSQL does not answer.
   */
  static ProcessCluster start(String test, int count, Duration atMost) throws Exception {
    return start(test, count, atMost, List.of());
  }

  /**
   * {@link #start(String, int, Duration)}, with {@code jvmOptions} (such as {@code -Dpekko.…}
   * system properties, which override the nodes' configuration) on every node's command line.
   */
  static ProcessCluster start(String test, int count, Duration atMost, List<String> jvmOptions)
      throws Exception {
    String base = System.getenv("TROUPE_TEST_PG_URL");
    Assumptions.assumeTrue(base != null && !base.isBlank(), test + " skipped: TROUPE_TEST_PG_URL"
        + " is not set (it needs PostgreSQL, e.g. jdbc:postgresql://127.0.0.1:5432/test)");
    String dbName = "troupe_proc_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(base, pgUser(), pgPassword())) {
      c.createStatement().execute("CREATE DATABASE " + dbName);
    } catch (SQLException e) {
      Assumptions.abort(test + " skipped: PostgreSQL at " + base + " does not answer or cannot"
          + " create a database: " + e.getMessage());
    }
    URI pg = URI.create(base.substring("jdbc:".length()));
    String dbUrl = "jdbc:postgresql://" + pg.getHost() + ":" + (pg.getPort() < 0 ? 5432 : pg.getPort())
        + "/" + dbName + "?reWriteBatchedInserts=true";
    Path logs = Path.of("target", "cluster-test", dbName).toAbsolutePath();
    ProcessCluster cluster = new ProcessCluster(base, dbName, dbUrl, logs, List.copyOf(jvmOptions));
    long t0 = System.nanoTime();
    try {
      Files.createDirectories(logs);
      for (int i = 1; i <= count; i++) {
        cluster.nodes.add(new NodeProcess(i, cluster.launch, List.of()));
      }
      for (NodeProcess n : cluster.nodes) {
        n.start(cluster.endpoints());
      }
      cluster.awaitCluster(cluster.nodes, atMost);
    } catch (Throwable t) {
      cluster.dumpLogs("cluster start");
      cluster.close();
      throw t;
    }
    System.out.printf("[cluster] %d node processes started and formed one cluster (all Up, ready)"
        + " in %d ms; logs in %s%n", count, ms(t0), logs);
    return cluster;
  }

  /** Stops the nodes still running (SIGTERM, then SIGKILL after a minute) and drops the database. */
  @Override
  public void close() throws Exception {
    for (NodeProcess n : nodes) {
      if (n.alive()) {
        n.process.destroy();
      }
    }
    for (NodeProcess n : nodes) {
      if (n.process != null && !n.process.waitFor(60, TimeUnit.SECONDS)) {
        n.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    try (Connection c = DriverManager.getConnection(adminUrl, pgUser(), pgPassword())) {
      c.createStatement().execute("DROP DATABASE IF EXISTS " + dbName + " WITH (FORCE)");
    }
  }

  /** The nodes' own directory: their logs, and whatever a test shares with their workers. */
  Path directory() {
    return launch.directory();
  }

  /**
   * Starts one more node, with {@code options} on its command line after the cluster's, and waits
   * until it has joined the live nodes (all Up, ready).
   */
  NodeProcess addNode(List<String> options, Duration atMost) throws IOException {
    NodeProcess n = new NodeProcess(nodes.size() + 1, launch, options);
    nodes.add(n);
    n.start(endpoints());
    awaitCluster(alive(), atMost);
    return n;
  }

  /** The bootstrap endpoints of all the nodes. */
  String endpoints() {
    return nodes.stream().map(n -> "127.0.0.1:" + n.managementPort).collect(Collectors.joining(","));
  }

  /** Waits until every node of {@code members} is ready and each sees exactly them Up. */
  void awaitCluster(List<NodeProcess> members, Duration atMost) {
    Set<String> addresses = members.stream().map(NodeProcess::address).collect(Collectors.toCollection(TreeSet::new));
    await().atMost(atMost).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
      for (NodeProcess n : members) {
        assertThat(n.alive()).as(n + " runs").isTrue();
        assertThat(n.ready(http)).as(n + " ready").isTrue();
        JsonNode view = get(n, "/api/v1/cluster");
        Set<String> up = new TreeSet<>();
        view.get("members").forEach(m -> {
          if (m.get("status").asText().equals("Up") && m.get("reachable").asBoolean()) {
            up.add(m.get("address").asText());
          }
        });
        assertThat(up).as("Up members seen by " + n).isEqualTo(addresses);
        assertThat(view.get("members")).as("members seen by " + n).hasSize(members.size());
      }
    });
  }

  List<NodeProcess> alive() {
    return nodes.stream().filter(NodeProcess::alive).toList();
  }

  NodeProcess someNodeBut(NodeProcess n) {
    return nodes.stream().filter(x -> x != n && x.alive()).findFirst().orElseThrow();
  }

  // the cluster view

  /**
   * Which node hosts each of the worker's entities, once all its {@code partitions} are hosted by
   * {@code members}.
   */
  Map<NodeProcess, List<String>> awaitHosted(String worker, int partitions, List<NodeProcess> members) {
    Map<NodeProcess, List<String>> out = new LinkedHashMap<>();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .untilAsserted(() -> {
          Map<NodeProcess, List<String>> all = hostedBy(members.get(0));
          out.clear();
          int count = 0;
          for (NodeProcess n : members) {
            List<String> mine = all.getOrDefault(n, List.of()).stream()
                .filter(e -> e.equals(worker) || e.startsWith(worker + "#")).toList();
            out.put(n, mine);
            count += mine.size();
          }
          assertThat(count).as(worker + " entities hosted: " + all).isEqualTo(partitions);
        });
    return out;
  }

  /** The entities each member hosts, as {@code viewer} sees them (all must be known). */
  Map<NodeProcess, List<String>> hostedBy(NodeProcess viewer) throws Exception {
    Map<NodeProcess, List<String>> out = new LinkedHashMap<>();
    for (JsonNode m : get(viewer, "/api/v1/cluster").get("members")) {
      assertThat(m.get("entitiesKnown").asBoolean()).as("entities of " + m).isTrue();
      NodeProcess n = nodes.stream().filter(x -> x.address().equals(m.get("address").asText())).findFirst().orElseThrow();
      List<String> ids = new ArrayList<>();
      m.get("entities").forEach(e -> ids.add(e.asText()));
      out.put(n, ids);
    }
    return out;
  }

  /**
   * Waits until no shard rebalance is due among {@code members} (all of which have the same
   * workers): the numbers of worker shards they host differ by at most one, the threshold of
   * Troupe's allocation (it moves shards each {@code rebalance-interval} until then, and a moved
   * entity's executing runs start again). A test that counts attempts waits for this first. A
   * worker entity is a shard of its own.
   */
  void awaitBalanced(List<NodeProcess> members, Duration atMost) {
    await().atMost(atMost).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
      Map<NodeProcess, List<String>> hosted = hostedBy(members.get(0));
      Map<NodeProcess, Long> shards = new LinkedHashMap<>();
      for (NodeProcess n : members) {
        shards.put(n, (long) hosted.getOrDefault(n, List.of()).size());
      }
      assertThat(shards.values().stream().mapToLong(Long::longValue).max().orElse(0)
          - shards.values().stream().mapToLong(Long::longValue).min().orElse(0))
          .as("worker shards per node: " + shards).isLessThanOrEqualTo(1);
    });
  }

  /** The node hosting the entity {@code entityId}, hence executing its runs, as a live node sees it. */
  NodeProcess hostOf(String entityId) {
    return await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
        hostedBy(alive().get(0)).entrySet().stream().filter(e -> e.getValue().contains(entityId))
            .map(Map.Entry::getKey).findFirst(), Optional::isPresent).orElseThrow();
  }

  /** Asks the run on the nodes {@code via} in turn until it is terminal; its last answer. */
  JsonNode awaitTerminal(String runId, List<NodeProcess> via, Duration atMost) {
    int[] turn = {0};
    return await().atMost(atMost).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .until(() -> get(via.get(turn[0]++ % via.size()), "/api/v1/runs/" + runId),
            r -> TERMINAL.contains(r.get("status").asText()));
  }

  // the journal

  /** Reads the events of every entity of {@code worker} from the journal table. */
  JournalAudit.Journal journal(String worker) throws Exception {
    try (Connection c = DriverManager.getConnection(dbUrl, pgUser(), pgPassword())) {
      return JournalAudit.read(c, worker);
    }
  }

  // HTTP

  HttpRequest.Builder request(NodeProcess n, String path) {
    return HttpRequest.newBuilder(URI.create(n.base() + path)).timeout(Duration.ofSeconds(15));
  }

  JsonNode get(NodeProcess n, String path) throws Exception {
    return body(http.send(request(n, path).build(), HttpResponse.BodyHandlers.ofString()), 200);
  }

  HttpResponse<String> post(NodeProcess n, String path, String body) throws Exception {
    return http.send(request(n, path).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body)).build(), HttpResponse.BodyHandlers.ofString());
  }

  JsonNode body(HttpResponse<String> r, int status) {
    assertThat(r.statusCode()).as(r.request().method() + " " + r.uri() + ": " + r.body()).isEqualTo(status);
    return readTree(r.body());
  }

  JsonNode readTree(String text) {
    try {
      return json.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The code of an API error body, or the body itself when it is not one. */
  String errorCode(String body) {
    try {
      return json.readTree(body).path("error").path("code").asText(body);
    } catch (IOException e) {
      return body;
    }
  }

  // the rest

  static long ms(long sinceNanos) {
    return (System.nanoTime() - sinceNanos) / 1_000_000;
  }

  private static String pgUser() {
    return Optional.ofNullable(System.getenv("TROUPE_TEST_PG_USER")).orElse("postgres");
  }

  private static String pgPassword() {
    return Optional.ofNullable(System.getenv("TROUPE_TEST_PG_PASSWORD")).orElse("");
  }

  /** The last lines of every node's log, into the test output. */
  void dumpLogs(String when) {
    for (NodeProcess n : nodes) {
      try {
        List<String> lines = Files.exists(n.log) ? Files.readAllLines(n.log) : List.of();
        System.out.printf("---- %s failed: last lines of %s (%s, %s) ----%n", when, n, n.log,
            n.alive() ? "running" : "not running");
        lines.subList(Math.max(0, lines.size() - 80), lines.size()).forEach(System.out::println);
      } catch (IOException e) {
        System.out.println("cannot read " + n.log + ": " + e);
      }
    }
  }
}
