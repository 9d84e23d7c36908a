package dev.troupe.node.http;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.TestNodes;
import dev.troupe.node.TroupeNode;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.apache.pekko.actor.typed.ActorSystem;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;

/**
 * {@code /api/v1/schedules} against a real node (H2 journal, real HTTP, tokens configured): every
 * route, its refusals, and a schedule firing every second that starts runs.
 */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class HttpSchedulesTest {
  private static final String CLIENT = "client-token";
  private static final String ADMIN = "admin-token";
  private final ObjectMapper json = new ObjectMapper();
  private final HttpClient http = HttpClient.newHttpClient();
  private ActorSystem<Void> system;
  private String base;

  @BeforeAll
  void start() throws Exception {
    system = TestNodes.system(TestNodes.config(TestNodes.newH2Url(),
        "troupe.http { enabled = on, host = 127.0.0.1, port = 0,"
            + " client-tokens = \"" + CLIENT + "\", admin-tokens = \"" + ADMIN + "\" }"));
    TroupeNode troupe = TroupeNode.start(system);
    troupe.register("echo", WorkerConfig.DEFAULT,
        ctx -> CompletableFuture.completedFuture(ctx.payload()));
    var binding = HttpServer.start(troupe, HttpSettings.fromConfig(system.settings().config()))
        .toCompletableFuture().get(20, TimeUnit.SECONDS);
    base = "http://127.0.0.1:" + binding.localAddress().getPort();
  }

  @AfterAll
  void stop() throws Exception {
    system.terminate();
    system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
  }

  private HttpResponse<String> send(String method, String path, String body, String token)
      throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30)).header("Content-Type", "application/json")
        .method(method, body == null ? HttpRequest.BodyPublishers.noBody()
            : HttpRequest.BodyPublishers.ofString(body));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString());
  }

  private HttpResponse<String> admin(String method, String path, String body) throws Exception {
    return send(method, path, body, ADMIN);
  }

  private HttpResponse<String> read(String path) throws Exception {
    return send("GET", path, null, CLIENT);
  }

  private JsonNode body(HttpResponse<String> r) throws Exception {
    return json.readTree(r.body());
  }

  private static String yearly(String worker) {
    return "{\"worker\":\"" + worker + "\",\"cron\":\"0 0 3 1 1 *\"}";
  }

  @Test
  void aScheduleIsPutReadListedAndDeleted() throws Exception {
    // when
    HttpResponse<String> put = admin("PUT", "/api/v1/schedules/nightly",
        "{\"worker\":\"echo\",\"cron\":\"0 30 2 * * *\",\"timezone\":\"Europe/Berlin\","
            + "\"payload\":{\"a\":1},\"misfire\":\"run-once\",\"priority\":7}");

    // then
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);
    JsonNode s = body(put);
    assertThat(s.get("name").asText()).isEqualTo("nightly");
    assertThat(s.get("worker").asText()).isEqualTo("echo");
    assertThat(s.get("cron").asText()).isEqualTo("0 30 2 * * *");
    assertThat(s.get("timezone").asText()).isEqualTo("Europe/Berlin");
    assertThat(s.get("payload")).isEqualTo(json.readTree("{\"a\":1}"));
    assertThat(s.get("misfire").asText()).isEqualTo("run-once");
    assertThat(s.get("priority").asInt()).isEqualTo(7);
    assertThat(s.get("paused").asBoolean()).isFalse();
    assertThat(s.get("recentRuns").size()).isZero();
    assertThat(s.get("nextFireTimes")).hasSize(5);
    Instant first = Instant.parse(s.get("nextFireTimes").get(0).asText());
    assertThat(first).isAfter(Instant.now());
    assertThat(first.atZone(java.time.ZoneId.of("Europe/Berlin")).toLocalTime())
        .isEqualTo(java.time.LocalTime.of(2, 30));

    // and
    HttpResponse<String> got = read("/api/v1/schedules/nightly");
    assertThat(got.statusCode()).isEqualTo(200);
    assertThat(body(got)).isEqualTo(s);
    HttpResponse<String> list = read("/api/v1/schedules");
    assertThat(list.statusCode()).isEqualTo(200);
    List<String> names = new ArrayList<>();
    body(list).get("schedules").forEach(x -> names.add(x.get("name").asText()));
    assertThat(names).contains("nightly");

    // when
    HttpResponse<String> deleted = admin("DELETE", "/api/v1/schedules/nightly", null);

    // then
    assertThat(deleted.statusCode()).isEqualTo(204);
    assertThat(read("/api/v1/schedules/nightly").statusCode()).isEqualTo(404);
    assertThat(admin("DELETE", "/api/v1/schedules/nightly", null).statusCode()).isEqualTo(404);
    List<String> after = new ArrayList<>();
    body(read("/api/v1/schedules")).get("schedules").forEach(x -> after.add(x.get("name").asText()));
    assertThat(after).doesNotContain("nightly");
  }

  @Test
  void schedulesArePagedByNameAndTheCursorsCoverEachOnce() throws Exception {
    // given five schedules
    List<String> mine = List.of("page-a", "page-b", "page-c", "page-d", "page-e");
    for (String name : mine) {
      assertThat(admin("PUT", "/api/v1/schedules/" + name,
          "{\"worker\":\"echo\",\"cron\":\"0 0 3 1 1 *\"}").statusCode()).isEqualTo(200);
    }

    // when every page of at most two is read, cursor after cursor
    List<String> listed = new ArrayList<>();
    List<Integer> sizes = new ArrayList<>();
    String cursor = null;
    do {
      HttpResponse<String> r = read("/api/v1/schedules?limit=2"
          + (cursor == null ? "" : "&cursor=" + cursor));
      assertThat(r.statusCode()).as(r.body()).isEqualTo(200);
      JsonNode page = body(r);
      page.get("schedules").forEach(x -> listed.add(x.get("name").asText()));
      sizes.add(page.get("schedules").size());
      cursor = page.get("nextCursor").isNull() ? null : page.get("nextCursor").asText();
    } while (cursor != null);

    // then each schedule is listed once, by name, in pages of two at most
    assertThat(listed).containsAll(mine).doesNotHaveDuplicates().isSorted();
    assertThat(sizes).allMatch(n -> n <= 2);
    assertThat(sizes.subList(0, sizes.size() - 1)).allMatch(n -> n == 2);
    assertThat(listed).hasSize(body(read("/api/v1/schedules?limit=500")).get("schedules").size());
    // and a bad limit or cursor is refused
    assertThat(read("/api/v1/schedules?limit=0").statusCode()).isEqualTo(400);
    assertThat(read("/api/v1/schedules?limit=x").statusCode()).isEqualTo(400);
    assertThat(read("/api/v1/schedules?cursor=%25%25").statusCode()).isEqualTo(400);
    for (String name : mine) {
      admin("DELETE", "/api/v1/schedules/" + name, null);
    }
  }

  @Test
  void aScheduleEverySecondStartsOneRunPerFireTimeEachLinkedToItsFire() throws Exception {
    // given
    HttpResponse<String> put = admin("PUT", "/api/v1/schedules/every-second",
        "{\"worker\":\"echo\",\"cron\":\"*/1 * * * * *\",\"payload\":{\"tick\":true}}");
    assertThat(put.statusCode()).as(put.body()).isEqualTo(200);

    // when a few seconds pass, then (their runs listed) the schedule is deleted
    List<JsonNode> runs = new ArrayList<>();
    await().atMost(Duration.ofSeconds(30)).until(() -> {
      runs.clear();
      body(read("/api/v1/runs?worker=echo&limit=500")).get("runs").forEach(r -> {
        if (r.path("schedule").path("name").asText().equals("every-second")) {
          runs.add(r);
        }
      });
      return runs.size() >= 3;
    });
    JsonNode schedule = body(read("/api/v1/schedules/every-second"));
    assertThat(admin("DELETE", "/api/v1/schedules/every-second", null).statusCode())
        .isEqualTo(204);

    // then each run has its fire, a whole second, each fire time once
    Set<String> fireTimes = new HashSet<>();
    for (JsonNode r : runs) {
      Instant fire = Instant.parse(r.get("schedule").get("fireTime").asText());
      assertThat(fire.getNano()).isZero();
      assertThat(fireTimes.add(fire.toString())).as("fire time %s once", fire).isTrue();
      assertThat(r.get("payload")).isEqualTo(json.readTree("{\"tick\":true}"));
      assertThat(r.get("rerunOf").isNull()).isTrue();
    }
    // and the schedule shows its recent runs with their status
    assertThat(schedule.get("recentRuns").size()).isGreaterThanOrEqualTo(1);
    JsonNode recent = schedule.get("recentRuns").get(0);
    assertThat(recent.get("runId").asText()).isNotEmpty();
    assertThat(Instant.parse(recent.get("fireTime").asText())).isNotNull();
    assertThat(recent.get("status").asText()).isIn("QUEUED", "RUNNING", "SUCCEEDED");
  }

  @Test
  void aScheduleIsPausedResumedAndTriggered() throws Exception {
    // given
    assertThat(admin("PUT", "/api/v1/schedules/yearly", yearly("echo")).statusCode()).isEqualTo(200);

    // when
    HttpResponse<String> paused = admin("POST", "/api/v1/schedules/yearly/pause", "");

    // then
    assertThat(paused.statusCode()).isEqualTo(200);
    assertThat(body(paused).get("paused").asBoolean()).isTrue();
    assertThat(body(paused).get("nextFireTimes")).isEmpty();

    // when
    HttpResponse<String> resumed = admin("POST", "/api/v1/schedules/yearly/resume", "");

    // then
    assertThat(resumed.statusCode()).isEqualTo(200);
    assertThat(body(resumed).get("paused").asBoolean()).isFalse();
    assertThat(body(resumed).get("nextFireTimes")).hasSize(5);

    // when a client triggers it
    HttpResponse<String> triggered = send("POST", "/api/v1/schedules/yearly/trigger", "", CLIENT);

    // then a run starts now, linked to the schedule
    assertThat(triggered.statusCode()).as(triggered.body()).isEqualTo(202);
    String runId = body(triggered).get("runId").asText();
    JsonNode run = body(read("/api/v1/runs/" + runId));
    assertThat(run.get("schedule").get("name").asText()).isEqualTo("yearly");
    await().untilAsserted(() -> assertThat(body(read("/api/v1/schedules/yearly"))
        .get("recentRuns").get(0).get("runId").asText()).isEqualTo(runId));
    admin("DELETE", "/api/v1/schedules/yearly", null);
  }

  @Test
  void badDefinitionsAreRefusedNamingWhatIsWrongAndNothingIsWritten() throws Exception {
    assertRefused("{\"worker\":\"echo\",\"cron\":\"61 * * * * *\"}", 400, "'61 * * * * *'");
    assertRefused("{\"worker\":\"echo\",\"cron\":\"* * *\"}", 400, "'* * *'");
    assertRefused("{\"worker\":\"echo\",\"cron\":\"* * * * *\",\"timezone\":\"Mars/Olympus\"}",
        400, "timezone 'Mars/Olympus'");
    assertRefused("{\"worker\":\"echo\",\"cron\":\"* * * * *\",\"misfire\":\"sometimes\"}", 400,
        "misfire");
    assertRefused("{\"worker\":\"echo\",\"cron\":\"* * * * *\",\"priority\":12}", 400, "priority");
    assertRefused("{\"cron\":\"* * * * *\"}", 400, "worker is required");
    assertRefused("{\"worker\":\"nobody\",\"cron\":\"* * * * *\"}", 404, "'nobody'");
    assertThat(read("/api/v1/schedules/refused").statusCode()).isEqualTo(404);
    // a name that is not kebab-case
    HttpResponse<String> badName = admin("PUT", "/api/v1/schedules/Bad_Name", yearly("echo"));
    assertThat(badName.statusCode()).isEqualTo(400);
    assertThat(badName.body()).contains("invalid schedule name 'Bad_Name'");
    // a body that is not declared JSON
    HttpResponse<String> text = http.send(HttpRequest.newBuilder(
            URI.create(base + "/api/v1/schedules/refused")).header("Authorization", "Bearer " + ADMIN)
        .header("Content-Type", "text/plain").PUT(HttpRequest.BodyPublishers.ofString(yearly("echo")))
        .build(), HttpResponse.BodyHandlers.ofString());
    assertThat(text.statusCode()).isEqualTo(415);
    // unknown schedules
    assertThat(admin("POST", "/api/v1/schedules/nothing-here/pause", "").statusCode())
        .isEqualTo(404);
    assertThat(send("POST", "/api/v1/schedules/nothing-here/trigger", "", CLIENT).statusCode())
        .isEqualTo(404);
  }

  private void assertRefused(String body, int status, String naming) throws Exception {
    HttpResponse<String> r = admin("PUT", "/api/v1/schedules/refused", body);
    assertThat(r.statusCode()).as(r.body()).isEqualTo(status);
    assertThat(body(r).get("error").get("message").asText()).contains(naming);
  }

  @Test
  void changingSchedulesNeedsTheAdminToken() throws Exception {
    // given
    assertThat(admin("PUT", "/api/v1/schedules/guarded", yearly("echo")).statusCode())
        .isEqualTo(200);

    // then a client reads but cannot change it
    assertThat(send("PUT", "/api/v1/schedules/guarded", yearly("echo"), CLIENT).statusCode())
        .isEqualTo(403);
    assertThat(send("POST", "/api/v1/schedules/guarded/pause", "", CLIENT).statusCode())
        .isEqualTo(403);
    assertThat(send("POST", "/api/v1/schedules/guarded/resume", "", CLIENT).statusCode())
        .isEqualTo(403);
    assertThat(send("DELETE", "/api/v1/schedules/guarded", null, CLIENT).statusCode())
        .isEqualTo(403);
    assertThat(send("GET", "/api/v1/schedules/guarded", null, null).statusCode()).isEqualTo(401);
    assertThat(read("/api/v1/schedules/guarded").statusCode()).isEqualTo(200);
    admin("DELETE", "/api/v1/schedules/guarded", null);
  }
}
