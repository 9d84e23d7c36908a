package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.typesafe.config.Config;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.config.RetentionSettings;
import dev.troupe.node.history.RetentionPurge;
import dev.troupe.node.http.HttpServer;
import dev.troupe.node.http.HttpSettings;
import dev.troupe.node.metrics.TroupeMetrics;
import dev.troupe.persistence.DatabaseSettings;
import dev.troupe.persistence.RunHistory;
import dev.troupe.persistence.RunHistoryStore;
import dev.troupe.persistence.history.JdbcRunHistoryStore;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.ZoneOffset;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Test;

/**
 * Retention on a real node and its real journal: after many runs (several snapshots) the purge
 * leaves each worker entity about one snapshot interval of journal entries, once the history has
 * applied them; every run still reads back whole over HTTP, from the entity and from the history,
 * also after the node restarts and recovers from its snapshot; and runs older than the retention
 * (by a clock the test sets) leave the history with their streams, younger ones stay.
 */
abstract class RetentionContract {
  private static final int RUNS = 30;
  private static final int SNAPSHOT_EVERY = 5;
  private static final String PIDS = "worker|echo%";

  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private String url;
  private Config config;
  private ActorSystem<Void> system;
  private String base;

  /** A fresh database for this test. */
  abstract String newDatabaseUrl();

  @AfterEach
  void stop() throws Exception {
    if (system != null) {
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    }
  }

  private void startNode() throws Exception {
    system = TestNodes.system(config);
    TroupeNode node = TroupeNode.start(system);
    node.register("echo", WorkerConfig.DEFAULT,
        ctx -> CompletableFuture.completedFuture(ctx.payload()));
    var binding = HttpServer.start(node, HttpSettings.fromConfig(config))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  private void restartNode() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    startNode();
  }

  private JsonNode send(String method, String path, String body) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body)).build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(method + " " + path + ": " + r.body()).isBetween(200, 299);
    return json.readTree(r.body());
  }

  private Connection connect() throws SQLException {
    DatabaseSettings db = DatabaseSettings.fromConfig(config);
    return DriverManager.getConnection(db.url(), db.user(), db.password());
  }

  /** One number of the echo entities' journal: {@code select} over their rows. */
  private long journal(String select) throws SQLException {
    try (Connection c = connect();
        PreparedStatement ps = c.prepareStatement("SELECT " + select
            + " FROM \"event_journal\" WHERE \"persistence_id\" LIKE ?")) {
      ps.setString(1, PIDS);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** The last entry of the echo entities that the history applied. */
  private long applied() throws SQLException {
    try (Connection c = connect();
        PreparedStatement ps = c.prepareStatement("SELECT COALESCE(MAX(\"seq_nr\"), 0) FROM"
            + " \"troupe_projection_entities\" WHERE \"projection_name\" = ?"
            + " AND \"persistence_id\" LIKE ?")) {
      ps.setString(1, RunHistory.PROJECTION);
      ps.setString(2, PIDS);
      try (ResultSet rs = ps.executeQuery()) {
        rs.next();
        return rs.getLong(1);
      }
    }
  }

  /** Each run reads back whole by id, and the history lists every one of them. */
  private void everyRunReadsBackWhole(List<String> ids) throws Exception {
    for (int n = 0; n < ids.size(); n++) {
      JsonNode run = send("GET", "/api/v1/runs/" + ids.get(n), null);
      assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
      assertThat(run.get("result").get("n").asInt()).isEqualTo(n);
      assertThat(run.get("payload").get("n").asInt()).isEqualTo(n);
    }
    List<String> listed = new ArrayList<>();
    send("GET", "/api/v1/runs?worker=echo&limit=500", null).get("runs")
        .forEach(r -> listed.add(r.get("runId").asText()));
    assertThat(listed).containsExactlyInAnyOrderElementsOf(ids);
  }

  @Test
  void theJournalIsBoundedOnceTheHistoryHasItAndEveryRunReadsBackWhole() throws Exception {
    // given a node that snapshots its entities every 5 entries and purges every 100 ms
    url = newDatabaseUrl();
    config = TestNodes.config(url, "troupe.worker.snapshot-every = " + SNAPSHOT_EVERY + "\n"
        + "troupe.history.batch-window = 20ms\n"
        + "troupe.history.purge { interval = 100ms, batch-size = 7 }\n"
        + "troupe.http { enabled = on, host = 127.0.0.1, port = 0 }\n");
    startNode();

    // when many runs finish, one after the other
    List<String> ids = new ArrayList<>();
    for (int n = 0; n < RUNS; n++) {
      JsonNode run = send("POST", "/api/v1/workers/echo/runs?wait=true",
          "{\"payload\":{\"n\":" + n + "}}");
      assertThat(run.get("status").asText()).isEqualTo("SUCCEEDED");
      ids.add(run.get("runId").asText());
    }

    // then once the history has applied every entry, the journal keeps at most a snapshot's worth
    long highest = journal("MAX(\"sequence_number\")");
    assertThat(highest).as("several snapshots").isGreaterThanOrEqualTo(4L * SNAPSHOT_EVERY);
    await().atMost(Duration.ofSeconds(60)).untilAsserted(() -> {
      assertThat(applied()).isEqualTo(highest);
      assertThat(journal("COUNT(*)")).isBetween(1L, (long) SNAPSHOT_EVERY);
    });
    assertThat(journal("MAX(\"sequence_number\")")).isEqualTo(highest);
    everyRunReadsBackWhole(ids);

    // and after a restart the entity recovers from its snapshot: old runs read back, new ones run
    restartNode();
    everyRunReadsBackWhole(ids);
    JsonNode next = send("POST", "/api/v1/workers/echo/runs?wait=true",
        "{\"payload\":{\"n\":" + RUNS + "}}");
    assertThat(next.get("status").asText()).isEqualTo("SUCCEEDED");
  }

  @Test
  void runsOlderThanTheRetentionLeaveTheHistoryAndYoungerOnesStay() throws Exception {
    // given finished runs in the history of a node that purges nothing by itself
    url = newDatabaseUrl();
    config = TestNodes.config(url, "troupe.history.batch-window = 20ms\n"
        + "troupe.history.retention = off\n"
        + "troupe.history.purge.journal = off\n"
        + "troupe.http { enabled = on, host = 127.0.0.1, port = 0 }\n");
    startNode();
    List<String> ids = new ArrayList<>();
    for (int n = 0; n < 12; n++) {
      ids.add(send("POST", "/api/v1/workers/echo/runs?wait=true",
          "{\"payload\":{\"n\":" + n + "}}").get("runId").asText());
    }
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> assertThat(
        send("GET", "/api/v1/runs?worker=echo&status=SUCCEEDED&limit=500", null).get("runs"))
        .hasSize(ids.size()));
    DatabaseSettings db = DatabaseSettings.fromConfig(config);
    try (RunHistoryStore store = JdbcRunHistoryStore.open(db, 1)) {
      RetentionSettings thirtyDays = new RetentionSettings(Optional.of(Duration.ofDays(30)),
          false, Duration.ofSeconds(1), 5);
      Instant now = Instant.now();

      // when the purge runs 29 days on
      TroupeMetrics metrics = new TroupeMetrics();
      RetentionPurge.Round early = new RetentionPurge(store, thirtyDays,
          Clock.fixed(now.plus(Duration.ofDays(29)), ZoneOffset.UTC), metrics).round();

      // then every run stays
      assertThat(early.runs()).isZero();
      everyRunReadsBackWhole(ids);

      // and when it runs 31 days on, batch after batch, every run leaves the history
      RetentionPurge late = new RetentionPurge(store, thirtyDays,
          Clock.fixed(now.plus(Duration.ofDays(31)), ZoneOffset.UTC), metrics);
      List<Integer> batches = new ArrayList<>();
      RetentionPurge.Round round;
      do {
        round = late.round();
        batches.add(round.runs());
      } while (round.more());
      assertThat(batches).containsExactly(5, 5, 2);
      for (String id : ids) {
        assertThat(store.find(id)).isEmpty();
      }
      assertThat(send("GET", "/api/v1/runs?worker=echo", null).get("runs")).isEmpty();
      assertThat(metrics.scrape()).contains("troupe_retention_runs_purged_total 12.0");
    }
  }
}
