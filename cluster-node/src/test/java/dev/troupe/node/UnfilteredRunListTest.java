package dev.troupe.node;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.api.CallOptions;
import dev.troupe.api.RunPage;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.http.HttpServer;
import dev.troupe.node.http.HttpSettings;
import dev.troupe.persistence.history.PageCursor;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.PreparedStatement;
import java.sql.ResultSet;
import java.time.Duration;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * A list of runs without a status is read-your-writes: it merges the run history with the
 * entities' active runs. A first node runs some runs and lets the history project them (finished
 * ones, and two scheduled for later); a second node on the same database holds its projection
 * back (the journal polled once an hour), calls runs that only its entities know, and cancels
 * one of the scheduled runs, which the history still shows SCHEDULED.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class UnfilteredRunListTest {
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private final CountDownLatch gate = new CountDownLatch(1);
  private final String db = TestNodes.newH2Url();
  private final List<String> finished = new ArrayList<>();
  private String scheduled;
  private String cancelled;
  private final List<String> live = new ArrayList<>();
  private ActorSystem<Void> system;
  private TroupeNode troupe;
  private String base;

  @BeforeAll
  void start() throws Exception {
    ActorSystem<Void> first = TestNodes.system(TestNodes.config(db, ""));
    TroupeNode projected = TroupeNode.start(first);
    projected.register("quick", WorkerConfig.DEFAULT,
        ctx -> CompletableFuture.completedFuture(ctx.payload()));
    for (int i = 0; i < 3; i++) {
      finished.add(Await.result(Await.result(projected.call("quick", json.createObjectNode()))
          .result()).runId());
    }
    CallOptions later = CallOptions.NONE.delay(Duration.ofHours(1));
    scheduled = Await.result(projected.call("quick", json.createObjectNode(), later)).runId();
    cancelled = Await.result(projected.call("quick", json.createObjectNode(), later)).runId();
    await().atMost(Duration.ofSeconds(20)).until(() -> historyStatuses().equals(Map.of(
        finished.get(0), "SUCCEEDED", finished.get(1), "SUCCEEDED", finished.get(2), "SUCCEEDED",
        scheduled, "SCHEDULED", cancelled, "SCHEDULED")));
    first.terminate();
    first.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);

    system = TestNodes.system(TestNodes.config(db, "jdbc-read-journal.refresh-interval = 1h\n"
        + "troupe.history.tail-check-interval = 1h\n"
        + "troupe.http { enabled = on, host = 127.0.0.1, port = 0 }"));
    troupe = TroupeNode.start(system);
    troupe.register("quick", WorkerConfig.DEFAULT,
        ctx -> CompletableFuture.completedFuture(ctx.payload()));
    troupe.registerBlocking("wait", WorkerConfig.DEFAULT.withMaxConcurrent(1), ctx -> {
      gate.await(60, TimeUnit.SECONDS);
      return ctx.newObject();
    });
    var binding = HttpServer.start(troupe, HttpSettings.fromConfig(system.settings().config()))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
    for (int i = 0; i < 3; i++) {
      live.add(Await.result(troupe.call("wait", json.createObjectNode())).runId());
    }
    Await.result(troupe.cancel(cancelled));
    await().atMost(Duration.ofSeconds(10)).until(() -> status(live.get(0)) == RunStatus.RUNNING
        && status(cancelled) == RunStatus.CANCELLED);
  }

  @AfterAll
  void stop() throws Exception {
    gate.countDown();
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  /** The statuses the run history holds, by run id. */
  private Map<String, String> historyStatuses() throws Exception {
    Map<String, String> out = new HashMap<>();
    try (Connection c = DriverManager.getConnection(db, "sa", "");
        PreparedStatement ps = c.prepareStatement(
            "SELECT \"run_id\", \"status\" FROM \"troupe_runs\"");
        ResultSet rs = ps.executeQuery()) {
      while (rs.next()) {
        out.put(rs.getString(1), rs.getString(2));
      }
    }
    return out;
  }

  private RunStatus status(String runId) {
    return Await.result(troupe.lookup(runId)).orElseThrow().status();
  }

  /** Every run, each as a lookup shows it, in the order of pages. */
  private List<RunResult> everyRun() {
    List<String> all = new ArrayList<>(finished);
    all.addAll(List.of(scheduled, cancelled));
    all.addAll(live);
    return all.stream().map(id -> Await.result(troupe.lookup(id)).orElseThrow())
        .sorted(PageCursor.NEWEST_FIRST).toList();
  }

  private static List<String> idsAndStatuses(List<RunResult> runs) {
    return runs.stream().map(r -> r.runId() + " " + r.status()).toList();
  }

  @Test
  void anUnfilteredListShowsRunsTheHistoryDoesNotHaveYetAsTheirEntitiesHaveThem() {
    // given the runs as their entities and the history have them
    List<RunResult> expected = everyRun();

    // when
    RunPage all = Await.result(troupe.runs(RunQuery.first(50)));
    RunPage waits = Await.result(troupe.runs(new RunQuery("wait", null, 50, null)));

    // then the runs of this node are listed at once, the cancelled one as cancelled
    assertThat(idsAndStatuses(all.runs())).containsExactlyElementsOf(idsAndStatuses(expected));
    assertThat(all.nextCursor()).isNull();
    assertThat(idsAndStatuses(waits.runs())).containsExactly(live.get(2) + " QUEUED",
        live.get(1) + " QUEUED", live.get(0) + " RUNNING");
  }

  @Test
  void pagesOfTwoRunsOverBothSourcesShowEveryRunExactlyOnce() {
    // given
    List<RunResult> expected = everyRun();

    // when every page of two runs is read in turn
    List<RunResult> seen = new ArrayList<>();
    RunQuery query = RunQuery.first(2);
    int pages = 0;
    while (query != null && pages++ < 10) {
      RunPage page = Await.result(troupe.runs(query));
      assertThat(page.runs()).hasSizeLessThanOrEqualTo(2);
      seen.addAll(page.runs());
      query = page.nextCursor() == null ? null : query.withCursor(page.nextCursor());
    }

    // then
    assertThat(query).as("a last page").isNull();
    assertThat(idsAndStatuses(seen)).containsExactlyElementsOf(idsAndStatuses(expected));
  }

  @Test
  void theHttpListWithoutStatusShowsARunningRunAtOnce() throws Exception {
    // given / when
    JsonNode all = get("/api/v1/runs");
    JsonNode waits = get("/api/v1/runs?worker=wait&limit=1");

    // then
    assertThat(statusOf(all, live.get(0))).isEqualTo("RUNNING");
    assertThat(statusOf(all, cancelled)).isEqualTo("CANCELLED");
    assertThat(waits.get("runs")).hasSize(1);
    assertThat(waits.get("runs").get(0).get("runId").asText()).isEqualTo(live.get(2));
    JsonNode next = get("/api/v1/runs?worker=wait&limit=5&cursor="
        + waits.get("nextCursor").asText());
    assertThat(next.get("runs")).extracting(r -> r.get("runId").asText())
        .containsExactly(live.get(1), live.get(0));
  }

  private JsonNode get(String path) throws Exception {
    HttpResponse<String> r = http.send(HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30)).header("Accept", "application/json").GET().build(),
        HttpResponse.BodyHandlers.ofString());
    assertThat(r.statusCode()).as(path + ": " + r.body()).isEqualTo(200);
    return json.readTree(r.body());
  }

  private static String statusOf(JsonNode page, String runId) {
    for (JsonNode r : page.get("runs")) {
      if (r.get("runId").asText().equals(runId)) {
        return r.get("status").asText();
      }
    }
    return "not listed";
  }
}
