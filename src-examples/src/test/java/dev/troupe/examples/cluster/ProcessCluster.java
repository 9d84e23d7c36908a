package dev.troupe.examples.cluster;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.UUID;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.Assumptions;

/**
 * Node processes ({@code dev.troupe.node.Main}, as {@code bin/cluster.sh} starts them) on a fresh
 * PostgreSQL database of their own, forming one cluster through Cluster Bootstrap with config
 * discovery, for the process tests; with what they ask of it: HTTP, the cluster view (which node
 * hosts an entity, hence executes its runs), the journal's events per run. The nodes load the
 * test workers listed in {@code cluster-nodes/META-INF/services}. Their journal is kept whole
 * (no retention purge), since the tests audit it row by row. Closing stops the nodes and drops
 * the database.
 */
final class ProcessCluster implements AutoCloseable {
  private static final Set<String> TERMINAL = Set.of("SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED");
  final ObjectMapper json = new ObjectMapper();
  final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(3)).build();
  final List<Node> nodes = new ArrayList<>();
  private final String adminUrl;
  private final String dbName;
  private final String dbUrl;
  private final Path logs;
  private final List<String> jvmOptions;

  private ProcessCluster(String adminUrl, String dbName, String dbUrl, Path logs, List<String> jvmOptions) {
    this.adminUrl = adminUrl;
    this.dbName = dbName;
    this.dbUrl = dbUrl;
    this.logs = logs;
    this.jvmOptions = jvmOptions;
  }

  /**
   * Starts {@code count} nodes on a new database and waits until they formed one cluster (all Up,
   * ready); aborts the calling test (skipped, saying why) without {@code TROUPE_TEST_PG_URL} or
   * when PostgreSQL does not answer.
   */
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
        cluster.nodes.add(cluster.new Node(i));
      }
      for (Node n : cluster.nodes) {
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
    for (Node n : nodes) {
      if (n.alive()) {
        n.process.destroy();
      }
    }
    for (Node n : nodes) {
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
    return logs;
  }

  // the nodes

  /** One node process: its ports, its own JVM options, its process while it runs, its log. */
  final class Node {
    final int number;
    final int httpPort = freePort();
    final int managementPort = freePort();
    final int remotePort = freePort();
    final Path log;
    /** On this node's command line after the cluster's (a version with other workers, say). */
    final List<String> options;
    Process process;

    Node(int number) {
      this(number, List.of());
    }

    Node(int number, List<String> options) {
      this.number = number;
      this.options = List.copyOf(options);
      this.log = logs.resolve("node-" + number + ".log");
    }

    String base() {
      return "http://127.0.0.1:" + httpPort;
    }

    String address() {
      return "pekko://troupe@127.0.0.1:" + remotePort;
    }

    boolean alive() {
      return process != null && process.isAlive();
    }

    void start(String endpoints) throws IOException {
      String classpath = logs.getParent().getParent().resolve("test-classes/cluster-nodes") + java.io.File.pathSeparator
          + System.getProperty("surefire.test.class.path", System.getProperty("java.class.path"));
      List<String> command = new ArrayList<>(List.of(Path.of(System.getProperty("java.home"), "bin", "java").toString(),
          "-Xmx256m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1", "-Dlogback.configurationFile=logback.xml"));
      command.addAll(jvmOptions);
      command.addAll(options);
      command.addAll(List.of("-cp", classpath, "dev.troupe.node.Main"));
      ProcessBuilder pb = new ProcessBuilder(command);
      Map<String, String> env = pb.environment();
      env.keySet().removeIf(k -> k.startsWith("TROUPE_"));
      env.put("TROUPE_DB_URL", dbUrl);
      // the tests audit the journal row by row: retention must not delete the entries a
      // snapshot and the history already cover while they read it (retention has its own tests)
      env.put("TROUPE_HISTORY_PURGE_JOURNAL", "off");
      env.put("TROUPE_DB_USER", pgUser());
      env.put("TROUPE_DB_PASSWORD", pgPassword());
      env.put("TROUPE_HTTP_HOST", "127.0.0.1");
      env.put("TROUPE_HTTP_PORT", Integer.toString(httpPort));
      env.put("TROUPE_MANAGEMENT_PORT", Integer.toString(managementPort));
      env.put("TROUPE_REMOTE_PORT", Integer.toString(remotePort));
      env.put("TROUPE_CLUSTER_BOOTSTRAP", "on");
      env.put("TROUPE_DISCOVERY_METHOD", "config");
      env.put("TROUPE_BOOTSTRAP_ENDPOINTS", endpoints);
      pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      process = pb.start();
    }

    boolean ready() {
      try {
        return http.send(HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + managementPort + "/ready"))
            .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    /** Sends a POSIX signal (STOP, CONT, TERM) to the process. */
    void signal(String name) throws Exception {
      Process kill = new ProcessBuilder("kill", "-" + name, Long.toString(process.pid())).inheritIO().start();
      assertThat(kill.waitFor(10, TimeUnit.SECONDS) && kill.exitValue() == 0).as("kill -" + name).isTrue();
    }

    /** kill -9: the process dies at once, nothing of it runs after this returns. */
    void kill() throws InterruptedException {
      process.destroyForcibly();
      assertThat(process.waitFor(10, TimeUnit.SECONDS)).as(this + " killed").isTrue();
    }

    @Override
    public String toString() {
      return "node " + number + " (" + address() + ", HTTP " + httpPort + ")";
    }
  }

  /**
   * Starts one more node, with {@code options} on its command line after the cluster's, and waits
   * until it has joined the live nodes (all Up, ready).
   */
  Node addNode(List<String> options, Duration atMost) throws IOException {
    Node n = new Node(nodes.size() + 1, options);
    nodes.add(n);
    n.start(endpoints());
    awaitCluster(alive(), atMost);
    return n;
  }

  /** The bootstrap endpoints of all the nodes. */
  String endpoints() {
    return nodes.stream().map(n -> "127.0.0.1:" + n.managementPort).collect(Collectors.joining(","));
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until every node of {@code members} is ready and each sees exactly them Up. */
  void awaitCluster(List<Node> members, Duration atMost) {
    Set<String> addresses = members.stream().map(Node::address).collect(Collectors.toCollection(TreeSet::new));
    await().atMost(atMost).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
      for (Node n : members) {
        assertThat(n.alive()).as(n + " runs").isTrue();
        assertThat(n.ready()).as(n + " ready").isTrue();
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

  List<Node> alive() {
    return nodes.stream().filter(Node::alive).toList();
  }

  Node someNodeBut(Node n) {
    return nodes.stream().filter(x -> x != n && x.alive()).findFirst().orElseThrow();
  }

  // the cluster view

  /**
   * Which node hosts each of the worker's entities, once all its {@code partitions} are hosted by
   * {@code members}.
   */
  Map<Node, List<String>> awaitHosted(String worker, int partitions, List<Node> members) {
    Map<Node, List<String>> out = new LinkedHashMap<>();
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .untilAsserted(() -> {
          Map<Node, List<String>> all = hostedBy(members.get(0));
          out.clear();
          int count = 0;
          for (Node n : members) {
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
  Map<Node, List<String>> hostedBy(Node viewer) throws Exception {
    Map<Node, List<String>> out = new LinkedHashMap<>();
    for (JsonNode m : get(viewer, "/api/v1/cluster").get("members")) {
      assertThat(m.get("entitiesKnown").asBoolean()).as("entities of " + m).isTrue();
      Node n = nodes.stream().filter(x -> x.address().equals(m.get("address").asText())).findFirst().orElseThrow();
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
  void awaitBalanced(List<Node> members, Duration atMost) {
    await().atMost(atMost).pollInterval(Duration.ofMillis(500)).ignoreExceptions().untilAsserted(() -> {
      Map<Node, List<String>> hosted = hostedBy(members.get(0));
      Map<Node, Long> shards = new LinkedHashMap<>();
      for (Node n : members) {
        shards.put(n, (long) hosted.getOrDefault(n, List.of()).size());
      }
      assertThat(shards.values().stream().mapToLong(Long::longValue).max().orElse(0)
          - shards.values().stream().mapToLong(Long::longValue).min().orElse(0))
          .as("worker shards per node: " + shards).isLessThanOrEqualTo(1);
    });
  }

  /** The node hosting the entity {@code entityId}, hence executing its runs, as a live node sees it. */
  Node hostOf(String entityId) {
    return await().atMost(Duration.ofSeconds(30)).ignoreExceptions().until(() ->
        hostedBy(alive().get(0)).entrySet().stream().filter(e -> e.getValue().contains(entityId))
            .map(Map.Entry::getKey).findFirst(), Optional::isPresent).orElseThrow();
  }

  /** Asks the run on the nodes {@code via} in turn until it is terminal; its last answer. */
  JsonNode awaitTerminal(String runId, List<Node> via, Duration atMost) {
    int[] turn = {0};
    return await().atMost(atMost).pollInterval(Duration.ofMillis(500)).ignoreExceptions()
        .until(() -> get(via.get(turn[0]++ % via.size()), "/api/v1/runs/" + runId),
            r -> TERMINAL.contains(r.get("status").asText()));
  }

  // the journal

  /**
   * Per run of a worker, from its entities' journal: its {@code finished} events, its attempts
   * ({@code attempt-started} events less those {@code attempt-handed-over} by an entity that
   * moved: they start again as the same attempt), its idempotency key ("" for none) and its
   * parent run (absent for none).
   */
  record Journal(Map<String, Integer> finished, Map<String, Integer> attempts,
      Map<String, String> keys, Map<String, String> parents) {}

  /** Reads the events of every entity of {@code worker} from the journal table. */
  Journal journal(String worker) throws Exception {
    Map<String, Integer> finished = new HashMap<>();
    Map<String, Integer> attempts = new HashMap<>();
    Map<String, String> keys = new HashMap<>();
    Map<String, String> parents = new HashMap<>();
    try (Connection c = DriverManager.getConnection(dbUrl, pgUser(), pgPassword());
         PreparedStatement s = c.prepareStatement("SELECT event_payload FROM event_journal"
             + " WHERE persistence_id = ? OR persistence_id LIKE ?")) {
      s.setString(1, "worker|" + worker);
      s.setString(2, "worker|" + worker + "#%");
      try (ResultSet rs = s.executeQuery()) {
        while (rs.next()) {
          JsonNode entry = json.readTree(payload(rs.getBytes(1)));
          List<JsonNode> events = new ArrayList<>();
          if (entry.path("type").asText().equals("recorded")) {
            entry.get("events").forEach(events::add);
          } else {
            events.add(entry);
          }
          for (JsonNode e : events) {
            String type = e.path("type").asText();
            String runId = e.path("runId").asText();
            if (type.equals("finished")) {
              finished.merge(runId, 1, Integer::sum);
            } else if (type.equals("attempt-started")) {
              attempts.merge(runId, 1, Integer::sum);
            } else if (type.equals("attempt-handed-over")) { // it starts again as itself
              attempts.merge(runId, -1, Integer::sum);
            } else if (type.equals("accepted")) {
              keys.put(runId, e.path("idempotencyKey").asText(""));
              if (e.path("spec").hasNonNull("parentRunId")) {
                parents.put(runId, e.path("spec").get("parentRunId").asText());
              }
            }
          }
        }
      }
    }
    return new Journal(finished, attempts, keys, parents);
  }

  /** Pekko's jackson-json payload: JSON, gzipped above 32 KiB. */
  private static byte[] payload(byte[] bytes) throws IOException {
    if (bytes.length > 2 && (bytes[0] & 0xff) == 0x1f && (bytes[1] & 0xff) == 0x8b) {
      try (InputStream in = new GZIPInputStream(new ByteArrayInputStream(bytes))) {
        return in.readAllBytes();
      }
    }
    return bytes;
  }

  // HTTP

  HttpRequest.Builder request(Node n, String path) {
    return HttpRequest.newBuilder(URI.create(n.base() + path)).timeout(Duration.ofSeconds(15));
  }

  JsonNode get(Node n, String path) throws Exception {
    return body(http.send(request(n, path).build(), HttpResponse.BodyHandlers.ofString()), 200);
  }

  HttpResponse<String> post(Node n, String path, String body) throws Exception {
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
    for (Node n : nodes) {
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
