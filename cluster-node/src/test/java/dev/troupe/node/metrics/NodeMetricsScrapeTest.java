package dev.troupe.node.metrics;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.node.JsonNodeFactory;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.TestNodes;
import dev.troupe.node.TroupeNode;
import dev.troupe.node.http.HttpServer;
import dev.troupe.node.http.HttpSettings;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * The request, journal, connection pool and history projection meters of a real node, read as
 * Prometheus scrapes them ({@code GET /metrics}) after real HTTP requests and a workload: their
 * names, tags and bounded tag values.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class NodeMetricsScrapeTest {
  private static final Duration WAIT = Duration.ofSeconds(30);
  private final HttpClient http = HttpClient.newHttpClient();
  private ActorSystem<Void> system;
  private TroupeNode node;
  private String base;

  @BeforeAll
  void start() throws Exception {
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(),
        "troupe.http { enabled = on, host = 127.0.0.1, port = 0 }\n"
            + "troupe.db.pool-size = 6"));
    node = TroupeNode.start(system);
    node.register("echo", WorkerConfig.DEFAULT.withPartitions(4),
        ctx -> CompletableFuture.completedFuture(ctx.payload()));
    base = "http://127.0.0.1:" + HttpServer.start(node, HttpSettings.fromConfig(
        system.settings().config())).toCompletableFuture().get(20, TimeUnit.SECONDS)
        .localAddress().getPort();
  }

  @AfterAll
  void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private int send(String method, String path, String contentType, String body) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path)).timeout(WAIT)
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.discarding()).statusCode();
  }

  private String scrape() throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + "/metrics"))
        .timeout(WAIT).build(), HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).isEqualTo(200);
    return r.body();
  }

  private static List<String> lines(String scrape, String prefix) {
    return scrape.lines().filter(l -> l.startsWith(prefix)).toList();
  }

  @Test
  void everyAnswerIsTimedByMethodRouteTemplateAndStatusRejectionsAndErrorsIncluded()
      throws Exception {
    // given a run, so that its id is a real path segment
    RunResult run = node.run("echo", JsonNodeFactory.instance.objectNode())
        .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS);
    String runId = run.runId();

    // when
    assertThat(send("GET", "/api/v1/workers", null, null)).isEqualTo(200);
    assertThat(send("GET", "/api/v1/runs/" + runId, null, null)).isEqualTo(200);
    assertThat(send("GET", "/api/v1/runs/01JD3Q7R8V3K5M9W2X4Y6Z8A0B-echo", null, null))
        .isEqualTo(404);
    assertThat(send("POST", "/api/v1/workers/echo/runs", "application/json", "{}"))
        .isEqualTo(202);
    assertThat(send("POST", "/api/v1/workers/echo/runs", "text/plain", "{}")).isEqualTo(415);
    assertThat(send("DELETE", "/api/v1/runs", null, null)).isEqualTo(405);
    assertThat(send("GET", "/api/v1/no/such/path/" + runId, null, null)).isEqualTo(404);
    assertThat(send("GET", "/nothing-here-" + runId, null, null)).isEqualTo(404);
    assertThat(send("GET", "/", null, null)).isEqualTo(200);
    assertThat(send("GET", "/api/v1/runs/" + runId + "/events", null, null)).isEqualTo(200);

    // then
    String count = "troupe_http_server_requests_seconds_count";
    await().atMost(WAIT).untilAsserted(() -> assertThat(scrape().lines()).contains(
        count + "{method=\"GET\",route=\"/api/v1/workers\",status=\"200\"} 1",
        count + "{method=\"GET\",route=\"/api/v1/runs/{runId}\",status=\"200\"} 1",
        count + "{method=\"GET\",route=\"/api/v1/runs/{runId}\",status=\"404\"} 1",
        count + "{method=\"POST\",route=\"/api/v1/workers/{name}/runs\",status=\"202\"} 1",
        count + "{method=\"POST\",route=\"/api/v1/workers/{name}/runs\",status=\"415\"} 1",
        count + "{method=\"DELETE\",route=\"/api/v1/runs\",status=\"405\"} 1",
        count + "{method=\"GET\",route=\"unmatched\",status=\"404\"} 2",
        count + "{method=\"GET\",route=\"/\",status=\"200\"} 1",
        count + "{method=\"GET\",route=\"/api/v1/runs/{runId}/events\",status=\"200\"} 1",
        "troupe_http_server_requests_seconds_bucket{method=\"GET\",route=\"/api/v1/workers\","
            + "status=\"200\",le=\"+Inf\"} 1"));
    String scrape = scrape();
    assertThat(scrape).contains(count + "{method=\"GET\",route=\"/metrics\",status=\"200\"} ",
        "troupe_http_server_requests_seconds_sum{method=\"GET\",route=\"/api/v1/workers\","
            + "status=\"200\"} ",
        "troupe_http_server_requests_seconds_bucket{method=\"GET\",route=\"/api/v1/workers\","
            + "status=\"200\",le=\"0.005\"} ");
    assertThat(lines(scrape, "troupe_http_server_requests"))
        .as("raw paths never become tag values").noneMatch(l -> l.contains(runId))
        .noneMatch(l -> l.contains("nothing-here"));
  }

  @Test
  void eachJournalWriteIsTimedAndItsCommandsCountedByWorkerNotByPartition() throws Exception {
    // given
    int runs = 40;
    List<CompletableFuture<RunResult>> all = new ArrayList<>();
    // when
    for (int i = 0; i < runs; i++) {
      all.add(node.run("echo", JsonNodeFactory.instance.objectNode().put("i", i))
          .toCompletableFuture());
    }
    CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .get(WAIT.toSeconds(), TimeUnit.SECONDS);
    assertThat(all).allSatisfy(f -> assertThat(f.join().status()).isEqualTo(RunStatus.SUCCEEDED));
    // then
    String scrape = scrape();
    List<String> writes = lines(scrape, "troupe_journal_write_seconds_count");
    List<String> commands = lines(scrape, "troupe_journal_batch_size_sum");
    assertThat(writes).singleElement().asString().startsWith(
        "troupe_journal_write_seconds_count{worker=\"echo\"} ");
    assertThat(commands).singleElement().asString().startsWith(
        "troupe_journal_batch_size_sum{worker=\"echo\"} ");
    double writeCount = value(writes.get(0));
    double commandSum = value(commands.get(0));
    // each run is at least its call and its outcome, each written with some batch
    assertThat(commandSum).isGreaterThanOrEqualTo(2.0 * runs);
    assertThat(writeCount).isPositive().isLessThanOrEqualTo(commandSum);
    assertThat(value(lines(scrape, "troupe_journal_batch_size_count").get(0)))
        .isEqualTo(writeCount);
    assertThat(scrape).contains("troupe_journal_write_seconds_bucket{worker=\"echo\",le=\"0.001\"} ",
        "troupe_journal_write_seconds_sum{worker=\"echo\"} ",
        "troupe_journal_batch_size_bucket{worker=\"echo\",le=\"1.0\"} ");
  }

  @Test
  void theHistoryProjectionReportsWhatItWroteAndHowFarItTrailedTheJournal() throws Exception {
    // given what the projection has written so far
    String entries = "troupe_history_projection_entries_total";
    String lag = "troupe_history_projection_lag_seconds";
    double before = value(lines(scrape(), entries + " ").get(0));
    long start = System.nanoTime();

    // when runs are made, whose journal entries the projection then writes to the history
    for (int i = 0; i < 5; i++) {
      assertThat(node.run("echo", JsonNodeFactory.instance.objectNode().put("lagged", i))
          .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS).status())
          .isEqualTo(RunStatus.SUCCEEDED);
    }

    // then it counts the entries it wrote, and its lag is that of a batch: positive (the history
    // is written after the journal); once the batch ending with these runs' entries is written
    // (an earlier batch may still hold older entries), no older than the workload
    await().atMost(WAIT).untilAsserted(() -> assertThat(
        value(lines(scrape(), entries + " ").get(0))).isGreaterThan(before));
    await().atMost(WAIT).untilAsserted(() -> {
      double lagSeconds = value(lines(scrape(), lag + " ").get(0));
      double elapsedSeconds = (System.nanoTime() - start) / 1e9;
      assertThat(lagSeconds).isPositive().isLessThanOrEqualTo(elapsedSeconds);
    });
    assertThat(lines(scrape(), "troupe_history_projection_failures_total ")).singleElement()
        .satisfies(l -> assertThat(value(l)).isZero());
  }

  @Test
  void theJournalsConnectionPoolIsMeteredBesideTheHistorysAsTroupeJournal() throws Exception {
    // given a workload: its calls and outcomes are written through the journal's pool
    for (int i = 0; i < 5; i++) {
      assertThat(node.run("echo", JsonNodeFactory.instance.objectNode().put("pooled", i))
          .toCompletableFuture().get(WAIT.toSeconds(), TimeUnit.SECONDS).status())
          .isEqualTo(RunStatus.SUCCEEDED);
    }

    // when
    String scrape = scrape();

    // then each pool has its gauges, counters and timers under its own name, the journal's
    // sized by troupe.db.pool-size, and its connections were taken for the workload's writes
    for (String pool : List.of("troupe-journal", "troupe-run-history")) {
      String tag = "{pool=\"" + pool + "\"} ";
      assertThat(scrape).as(pool).contains("hikaricp_connections_active" + tag,
          "hikaricp_connections_idle" + tag, "hikaricp_connections_pending" + tag,
          "hikaricp_connections_timeout_total" + tag,
          "hikaricp_connections_acquire_seconds_count" + tag,
          "hikaricp_connections_usage_seconds_count" + tag);
    }
    assertThat(value(lines(scrape, "hikaricp_connections_max{pool=\"troupe-journal\"}").get(0)))
        .isEqualTo(6.0);
    assertThat(value(lines(scrape,
        "hikaricp_connections_usage_seconds_count{pool=\"troupe-journal\"}").get(0)))
        .isGreaterThanOrEqualTo(5.0);
  }

  private static double value(String line) {
    return Double.parseDouble(line.substring(line.lastIndexOf(' ') + 1));
  }
}
