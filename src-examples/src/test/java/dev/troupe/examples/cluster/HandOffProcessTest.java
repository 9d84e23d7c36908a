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
import java.util.Collection;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.TreeMap;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.zip.GZIPInputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A shard hand-off under load, with node processes ({@code dev.troupe.node.Main}) on a fresh
 * PostgreSQL database, with no other worker: node A alone hosts every entity of a partitioned
 * sleeper of one attempt and executes its runs (short ones, shorter than the hand-off's grace,
 * and long ones, longer), each emitting as it goes, while calls keep coming through every
 * serving node; node B joins,
 * and sharding's rebalance moves entities to it one by one. Every run ends SUCCEEDED on attempt
 * 1 (a lost attempt would fail it), the long runs caught by a move are handed over and run again
 * as the same attempt, and every call made meanwhile is accepted (202): none waits past the ask
 * timeout for the moving entity. Skipped, saying why, without {@code TROUPE_TEST_PG_URL} or when
 * PostgreSQL does not answer.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HandOffProcessTest {
  private static final String WORKER = HandOffTestWorkers.SLEEPER;
  /** Runs shorter than the grace (troupe.worker.handoff-grace, 2 s) finish where they started. */
  private static final int SHORT_MS = 1000;
  /** Runs longer than the grace are handed over when their entity moves. */
  private static final int LONG_MS = 7000;

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
      .connectTimeout(Duration.ofSeconds(3)).build();
  private final List<Node> nodes = new ArrayList<>();
  private String adminUrl;
  private String dbName;
  private String dbUrl;
  private Path logs;

  /** One node process, joining node A (the first node joins itself). */
  private final class Node {
    final int httpPort = freePort();
    final int managementPort = freePort();
    final int remotePort = freePort();
    final Path log;
    Process process;

    Node(String name) {
      this.log = logs.resolve(name + ".log");
    }

    String base() {
      return "http://127.0.0.1:" + httpPort;
    }

    String address() {
      return "pekko://troupe@127.0.0.1:" + remotePort;
    }

    /**
     * Starts the node with the test's worker only: without this module's own classes, whose demo
     * workers would add entities of their own to the rebalance (their log configuration is read
     * from its file).
     */
    void start() throws IOException {
      Path target = logs.getParent().getParent();
      List<String> classpath = new ArrayList<>(List.of(target.resolve("test-classes/handoff-nodes")
          .toString()));
      for (String entry : System.getProperty("surefire.test.class.path",
          System.getProperty("java.class.path")).split(java.io.File.pathSeparator)) {
        if (!Path.of(entry).toAbsolutePath().equals(target.resolve("classes"))) {
          classpath.add(entry);
        }
      }
      ProcessBuilder pb = new ProcessBuilder(
          Path.of(System.getProperty("java.home"), "bin", "java").toString(), "-Xmx256m",
          "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
          "-Dlogback.configurationFile=" + target.resolve("classes/logback.xml"),
          "-cp", String.join(java.io.File.pathSeparator, classpath), "dev.troupe.node.Main");
      Map<String, String> env = pb.environment();
      env.keySet().removeIf(k -> k.startsWith("TROUPE_"));
      env.put("TROUPE_DB_URL", dbUrl);
      env.put("TROUPE_DB_USER", pgUser());
      env.put("TROUPE_DB_PASSWORD", pgPassword());
      env.put("TROUPE_HISTORY_PURGE_JOURNAL", "off"); // the test reads the journal whole
      env.put("TROUPE_HTTP_HOST", "127.0.0.1");
      env.put("TROUPE_HTTP_PORT", Integer.toString(httpPort));
      env.put("TROUPE_MANAGEMENT_PORT", Integer.toString(managementPort));
      env.put("TROUPE_REMOTE_PORT", Integer.toString(remotePort));
      env.put("TROUPE_SEED_NODES", nodes.get(0).address());
      pb.redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.appendTo(log.toFile()));
      process = pb.start();
    }

    boolean ready() {
      try {
        return http.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/ready"))
            .timeout(Duration.ofSeconds(3)).build(), HttpResponse.BodyHandlers.discarding())
            .statusCode() == 200;
      } catch (IOException e) {
        return false;
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return false;
      }
    }

    @Override
    public String toString() {
      return address();
    }
  }

  @BeforeAll
  void createDatabase() throws Exception {
    String base = System.getenv("TROUPE_TEST_PG_URL");
    Assumptions.assumeTrue(base != null && !base.isBlank(),
        "HandOffProcessTest skipped: TROUPE_TEST_PG_URL is not set (it needs PostgreSQL, e.g."
            + " jdbc:postgresql://127.0.0.1:5432/test)");
    adminUrl = base;
    dbName = "troupe_handoff_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(adminUrl, pgUser(), pgPassword())) {
      c.createStatement().execute("CREATE DATABASE " + dbName);
    } catch (SQLException e) {
      Assumptions.abort("HandOffProcessTest skipped: PostgreSQL at " + base + " does not answer"
          + " or cannot create a database: " + e.getMessage());
    }
    URI pg = URI.create(base.substring("jdbc:".length()));
    dbUrl = "jdbc:postgresql://" + pg.getHost() + ":" + (pg.getPort() < 0 ? 5432 : pg.getPort())
        + "/" + dbName + "?reWriteBatchedInserts=true";
    logs = Path.of("target", "cluster-test", dbName).toAbsolutePath();
    Files.createDirectories(logs);
  }

  @AfterAll
  void stopNodes() throws Exception {
    for (Node n : nodes) {
      if (n.process != null && n.process.isAlive()) {
        n.process.destroy();
      }
    }
    for (Node n : nodes) {
      if (n.process != null && !n.process.waitFor(60, TimeUnit.SECONDS)) {
        n.process.destroyForcibly().waitFor(10, TimeUnit.SECONDS);
      }
    }
    if (dbName != null) {
      try (Connection c = DriverManager.getConnection(adminUrl, pgUser(), pgPassword())) {
        c.createStatement().execute("DROP DATABASE IF EXISTS " + dbName + " WITH (FORCE)");
      }
    }
  }

  @Test
  void runsMovedByARebalanceFinishOrGoOnAsTheSameAttemptAndNoCallFails() throws Exception {
    // given node A alone, hosting every entity of the sleeper
    Node a = new Node("node-a");
    nodes.add(a);
    a.start();
    awaitServing(a, 1);
    await().atMost(Duration.ofSeconds(60)).pollInterval(Duration.ofMillis(500))
        .ignoreExceptions().until(() -> hosted(a).getOrDefault(a.address(), 0)
            == HandOffTestWorkers.PARTITIONS);
    // and calls every 100 ms through the serving nodes, short and long runs in turn
    List<Node> serving = new CopyOnWriteArrayList<>(List.of(a));
    Flow flow = new Flow(serving);
    try {
      await().atMost(Duration.ofSeconds(30)).until(() -> flow.accepted.size() >= 20);

      // when node B joins, and sharding moves the sleeper's entities to it, one per round
      Node b = new Node("node-b");
      nodes.add(b);
      b.start();
      awaitServing(b, 2);
      serving.add(b);
      await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofSeconds(1))
          .ignoreExceptions().until(() -> hosted(a).getOrDefault(b.address(), 0)
              >= HandOffTestWorkers.PARTITIONS / 2);
    } finally {
      flow.stop();
    }

    // then every call made meanwhile was accepted, and every run succeeded on its one attempt
    Map<String, JsonNode> finished = awaitSucceeded(List.copyOf(flow.accepted));
    Journal journal = journal();
    System.out.printf("[hand-off] %d runs called while %s joined and got %s of %d entities; %d"
            + " attempts handed over, %d lost; calls not answered 202: %s%n", finished.size(),
        nodes.get(1), hosted(a).get(nodes.get(1).address()), HandOffTestWorkers.PARTITIONS,
        journal.handedOver.values().stream().mapToInt(Integer::intValue).sum(),
        journal.interrupted.size(), flow.unanswered);
    assertThat(finished.values()).allSatisfy(r -> {
      assertThat(r.get("status").asText()).as(r.toString()).isEqualTo("SUCCEEDED");
      assertThat(r.get("attempts").asInt()).as(r.toString()).isEqualTo(1);
      assertThat(r.get("result").get("attempt").asInt()).as(r.toString()).isEqualTo(1);
    });
    assertThat(flow.unanswered).as("calls not answered 202").isEmpty();
    // and the journal shows each run finished once, none lost, the moved ones handed over and
    // started again once each time
    assertThat(journal.interrupted).as("runs whose attempt was lost").isEmpty();
    assertThat(journal.handedOver).as("runs handed over while running").isNotEmpty();
    for (String id : finished.keySet()) {
      assertThat(journal.finished.get(id)).as("finished events of " + id).isEqualTo(1);
      assertThat(journal.started.get(id)).as("attempts started of " + id)
          .isEqualTo(1 + journal.handedOver.getOrDefault(id, 0));
    }
  }

  /** Waits until {@code n} is ready and sees {@code members} members Up. */
  private void awaitServing(Node n, int members) {
    await().atMost(Duration.ofSeconds(120)).pollInterval(Duration.ofMillis(500))
        .ignoreExceptions().untilAsserted(() -> {
          assertThat(n.process.isAlive()).as(n + " runs").isTrue();
          assertThat(n.ready()).as(n + " ready").isTrue();
          List<String> up = new ArrayList<>();
          get(n, "/api/v1/cluster").get("members").forEach(m -> {
            if (m.get("status").asText().equals("Up")) {
              up.add(m.get("address").asText());
            }
          });
          assertThat(up).hasSize(members);
        });
  }

  /** How many of the sleeper's entities each member hosts, as {@code viewer} sees it. */
  private Map<String, Integer> hosted(Node viewer) throws Exception {
    Map<String, Integer> out = new TreeMap<>();
    for (JsonNode m : get(viewer, "/api/v1/cluster").get("members")) {
      assertThat(m.get("entitiesKnown").asBoolean()).as("entities of " + m).isTrue();
      int count = 0;
      for (JsonNode e : m.get("entities")) {
        count += e.asText().equals(WORKER) || e.asText().startsWith(WORKER + "#") ? 1 : 0;
      }
      out.put(m.get("address").asText(), count);
    }
    return out;
  }

  /** Asks the runs until all are terminal; their last answers, all SUCCEEDED or failing. */
  private Map<String, JsonNode> awaitSucceeded(List<String> runIds) {
    Map<String, JsonNode> done = new ConcurrentHashMap<>();
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(500)).until(() -> {
      for (String id : runIds) {
        if (!done.containsKey(id)) {
          Node n = nodes.get(ThreadLocalRandom.current().nextInt(nodes.size()));
          HttpResponse<String> r = http.send(request(n, "/api/v1/runs/" + id).build(),
              HttpResponse.BodyHandlers.ofString());
          JsonNode run = r.statusCode() == 200 ? json.readTree(r.body()) : null;
          if (run != null && List.of("SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED")
              .contains(run.get("status").asText())) {
            done.put(id, run);
          }
        }
      }
      return done.size() == runIds.size();
    });
    return new TreeMap<>(done);
  }

  /**
   * Runs called every 100 ms on a random serving node until stopped, short and long in turn,
   * each with its own idempotency key: the run ids accepted (202), and the calls not answered
   * 202 with why.
   */
  private final class Flow {
    final Collection<String> accepted = ConcurrentHashMap.newKeySet();
    final Map<String, String> unanswered = new ConcurrentHashMap<>();
    private final AtomicBoolean running = new AtomicBoolean(true);
    private final Thread thread;

    Flow(List<Node> serving) {
      String prefix = "handoff-" + UUID.randomUUID() + "-";
      thread = new Thread(() -> {
        List<CompletableFuture<Void>> calls = new ArrayList<>();
        for (int i = 0; running.get(); i++) {
          String key = prefix + i;
          Node n = serving.get(ThreadLocalRandom.current().nextInt(serving.size()));
          String body = "{\"payload\":{\"ms\":" + (i % 2 == 0 ? SHORT_MS : LONG_MS)
              + "},\"idempotencyKey\":\"" + key + "\"}";
          calls.add(http.sendAsync(request(n, "/api/v1/workers/" + WORKER + "/runs")
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body)).build(),
              HttpResponse.BodyHandlers.ofString()).handle((r, t) -> {
                if (t == null && r.statusCode() == 202) {
                  accepted.add(readTree(r.body()).get("runId").asText());
                } else {
                  unanswered.put(key, t != null ? t.toString() : r.statusCode() + " " + r.body());
                }
                return null;
              }));
          try {
            Thread.sleep(100); // the pace of the calls, not a wait for a condition
          } catch (InterruptedException e) {
            return;
          }
        }
        CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).join();
      }, "hand-off-flow");
      thread.start();
    }

    /** Stops calling and waits for the answers of the calls made. */
    void stop() throws InterruptedException {
      running.set(false);
      thread.join(60_000);
    }
  }

  /** Per run: finished, attempt-started, attempt-handed-over and interrupted events. */
  private record Journal(Map<String, Integer> finished, Map<String, Integer> started,
      Map<String, Integer> handedOver, Map<String, Integer> interrupted) {}

  private Journal journal() throws Exception {
    Map<String, Map<String, Integer>> byType = new HashMap<>();
    for (String type : List.of("finished", "attempt-started", "attempt-handed-over",
        "interrupted")) {
      byType.put(type, new HashMap<>());
    }
    try (Connection c = DriverManager.getConnection(dbUrl, pgUser(), pgPassword());
         PreparedStatement s = c.prepareStatement("SELECT event_payload FROM event_journal"
             + " WHERE persistence_id = ? OR persistence_id LIKE ?")) {
      s.setString(1, "worker|" + WORKER);
      s.setString(2, "worker|" + WORKER + "#%");
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
            Optional.ofNullable(byType.get(e.path("type").asText()))
                .ifPresent(m -> m.merge(e.get("runId").asText(), 1, Integer::sum));
          }
        }
      }
    }
    return new Journal(byType.get("finished"), byType.get("attempt-started"),
        byType.get("attempt-handed-over"), byType.get("interrupted"));
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

  private HttpRequest.Builder request(Node n, String path) {
    return HttpRequest.newBuilder(URI.create(n.base() + path)).timeout(Duration.ofSeconds(30));
  }

  private JsonNode get(Node n, String path) throws Exception {
    HttpResponse<String> r = http.send(request(n, path).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as("GET " + path + ": " + r.body()).isEqualTo(200);
    return readTree(r.body());
  }

  private JsonNode readTree(String text) {
    try {
      return json.readTree(text);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static int freePort() {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static String pgUser() {
    return Optional.ofNullable(System.getenv("TROUPE_TEST_PG_USER")).orElse("postgres");
  }

  private static String pgPassword() {
    return Optional.ofNullable(System.getenv("TROUPE_TEST_PG_PASSWORD")).orElse("");
  }
}
