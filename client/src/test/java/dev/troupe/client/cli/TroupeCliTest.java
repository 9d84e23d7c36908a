package dev.troupe.client.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.client.TestNode;
import java.io.PrintWriter;
import java.io.StringWriter;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestInstance;
import org.junit.jupiter.api.io.TempDir;

/** {@code troupe} run through {@code CommandLine.execute} against a real node. */
@TestInstance(TestInstance.Lifecycle.PER_CLASS)
class TroupeCliTest {
  private static final ObjectMapper JSON = new ObjectMapper();

  private TestNode node;
  private String url;

  /** What a command printed and how it exited. */
  record Result(int code, String out, String err) {
    JsonNode json() {
      try {
        return JSON.readTree(out);
      } catch (Exception e) {
        throw new AssertionError("not JSON: " + out + err, e);
      }
    }
  }

  @BeforeAll
  void start() {
    node = TestNode.start();
    url = node.url();
  }

  @AfterAll
  void stop() {
    if (node != null) {
      node.close();
    }
  }

  private static Result troupe(String... args) {
    StringWriter out = new StringWriter();
    StringWriter err = new StringWriter();
    var cl = TroupeCli.commandLine(false);
    cl.setOut(new PrintWriter(out, true));
    cl.setErr(new PrintWriter(err, true));
    int code = cl.execute(args);
    return new Result(code, out.toString(), err.toString());
  }

  /** {@code args} with the node's URL after them (an inherited option may follow the command). */
  private Result atNode(String... args) {
    List<String> all = new ArrayList<>(List.of(args));
    all.add("--url=" + url);
    return troupe(all.toArray(String[]::new));
  }

  @Test
  void callWaitsForTheRunAndPrintsItAsJson() {
    Result r = troupe("--url", url, "call", "echo", "{\"hello\":\"cli\"}");
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.json().get("status").asText()).isEqualTo("SUCCEEDED");
    assertThat(r.json().get("result")).isEqualTo(JSON.createObjectNode().put("hello", "cli"));
  }

  @Test
  void aPayloadIsReadFromAFileNamedWithAnAt(@TempDir Path dir) throws Exception {
    Path file = Files.writeString(dir.resolve("payload.json"), "{\"from\":\"file\"}");
    Result r = atNode("call", "echo", "@" + file);
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.json().get("result").get("from").asText()).isEqualTo("file");
  }

  @Test
  void followPrintsTheProgressAsABarThenTheOutcome() {
    Result r = atNode("call", "progress", "{\"steps\":4,\"intervalMs\":20}", "--follow");
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
    assertThat(r.out()).contains(
        "[########----------------------]  25% step 1/4",
        "[###############---------------]  50% step 2/4",
        "[##############################] 100% step 4/4");
    assertThat(r.out().lines().filter(l -> l.startsWith("SUCCEEDED in ")).count()).isEqualTo(1);
    assertThat(r.out().lines().toList()).last().isEqualTo("{\"steps\":4}");
    assertThat(r.out().lines().toList()).first().asString().startsWith("run ");
  }

  @Test
  void aRunStartedWithoutWaitingCanBeReadAndTailedToItsEnd() {
    Result started = atNode("call", "progress", "{\"steps\":2,\"intervalMs\":20}", "--no-wait");
    assertThat(started.code()).isEqualTo(ExitCodes.OK);
    String runId = started.out().trim();
    Result tail = atNode("tail", runId);
    assertThat(tail.code()).as(tail.err()).isEqualTo(ExitCodes.OK);
    assertThat(tail.out()).contains("status RUNNING", "100% step 2/2", "SUCCEEDED in ");
    Result get = atNode("get", runId);
    assertThat(get.code()).isEqualTo(ExitCodes.OK);
    assertThat(get.json().get("runId").asText()).isEqualTo(runId);
    assertThat(get.json().get("status").asText()).isEqualTo("SUCCEEDED");
  }

  @Test
  void eachEndOfARunHasItsOwnExitCode() {
    assertThat(atNode("call", "fail").code()).isEqualTo(ExitCodes.FAILED);
    Result timedOut = atNode("call", "slow", "{\"ms\":60000}", "--run-timeout", "200ms");
    assertThat(timedOut.code()).as(timedOut.out() + timedOut.err()).isEqualTo(ExitCodes.TIMED_OUT);
    assertThat(timedOut.json().get("status").asText()).isEqualTo("TIMED_OUT");
    String runId = atNode("call", "slow", "{\"ms\":60000}", "--no-wait").out().trim();
    Result cancelled = atNode("cancel", runId);
    assertThat(cancelled.code()).as(cancelled.err()).isEqualTo(ExitCodes.OK);
    assertThat(cancelled.out()).contains("cancelled " + runId);
    assertThat(atNode("tail", runId).code()).isEqualTo(ExitCodes.CANCELLED);
    Result again = atNode("cancel", runId);
    assertThat(again.code()).isEqualTo(ExitCodes.REFUSED);
    assertThat(again.err()).contains("409 RUN_FINISHED");
  }

  @Test
  void aWaitThatRunsOutExitsWithItsCodeAndNamesTheRunThatGoesOn() {
    Result r = atNode("call", "slow", "{\"ms\":60000}", "--timeout", "300ms");
    assertThat(r.code()).isEqualTo(ExitCodes.WAIT_TIMEOUT);
    assertThat(r.err()).contains("did not finish within", "troupe tail ");
    String runId = r.err().substring(r.err().indexOf("troupe tail ") + 12).replace(")", "").trim();
    assertThat(atNode("get", runId).json().get("status").asText()).isEqualTo("RUNNING");
    assertThat(atNode("cancel", runId).code()).isEqualTo(ExitCodes.OK);
  }

  @Test
  void runsAndWorkersAreListedAsTablesOrJson() {
    String runId = atNode("call", "echo", "{\"listed\":1}").json().get("runId").asText();
    await().atMost(Duration.ofSeconds(30)).untilAsserted(() -> {
      Result runs = atNode("runs", "--worker", "echo", "--status", "SUCCEEDED", "--limit", "500");
      assertThat(runs.code()).isEqualTo(ExitCodes.OK);
      assertThat(runs.out().lines().findFirst().orElseThrow())
          .startsWith("RUN").contains("WORKER", "STATUS", "ATTEMPTS", "CREATED", "DURATION");
      assertThat(runs.out()).contains(runId);
    });
    Result page = atNode("runs", "--limit", "1", "--json");
    assertThat(page.json().get("runs")).hasSize(1);
    Result workers = atNode("workers");
    assertThat(workers.code()).isEqualTo(ExitCodes.OK);
    assertThat(workers.out().lines()).anyMatch(l -> l.startsWith("echo "));
    assertThat(atNode("workers", "--json").json().findValuesAsText("name")).contains("echo", "slow");
  }

  @Test
  void runsAreFilteredByTagAndCreationTime() {
    // given three runs of one test's tag, one after another: a and b also tagged x, c tagged y
    String t = "cli-filters-" + System.nanoTime();
    String a = taggedRun(t, t + "-x");
    String b = taggedRun(t, t + "-x");
    String c = taggedRun(t, t + "-y");
    await().atMost(Duration.ofSeconds(30)).until(() -> listed("--tag", t).size() == 3);
    Map<String, String> created = new HashMap<>();
    atNode("runs", "--tag", t, "--json").json().get("runs").forEach(r ->
        created.put(r.get("runId").asText(), r.get("createdAt").asText()));
    String atB = created.get(b);
    assertThat(Instant.parse(created.get(a))).isBefore(Instant.parse(atB));
    assertThat(Instant.parse(atB)).isBefore(Instant.parse(created.get(c)));

    // then the table lists exactly the runs that pass, newest first
    assertThat(listed("--tag", t + "-x")).containsExactly(b, a);
    assertThat(listed("--tag", t + "-y")).containsExactly(c);
    assertThat(listed("--tag", t, "--from", atB)).containsExactly(c, b);
    assertThat(listed("--tag", t, "--to", atB)).containsExactly(a);
    assertThat(listed("--tag", t, "--from", created.get(a), "--to", created.get(c)))
        .containsExactly(b, a);
    assertThat(listed("--tag", t, "--from", "1h")).containsExactly(c, b, a);
    // and a time that is not one is a usage error; a range the node refuses, a refusal
    assertThat(atNode("runs", "--from", "yesterday").code()).isEqualTo(ExitCodes.USAGE);
    Result backwards = atNode("runs", "--from", atB, "--to", atB);
    assertThat(backwards.code()).isEqualTo(ExitCodes.REFUSED);
    assertThat(backwards.err()).contains("400 INVALID_REQUEST", "from must be before to");
  }

  @Test
  void runsListsTheChildRunsOfAParent() {
    // given a run whose handler called echo twice
    Result parent = atNode("call", "parent", "{\"children\":2}");
    assertThat(parent.code()).as(parent.err()).isEqualTo(ExitCodes.OK);
    String parentId = parent.json().get("runId").asText();
    // then
    await().atMost(Duration.ofSeconds(30)).until(() -> listed("--parent", parentId).size() == 2);
    atNode("runs", "--parent", parentId, "--json").json().get("runs").forEach(r -> {
      assertThat(r.get("worker").asText()).isEqualTo("echo");
      assertThat(r.get("parentRunId").asText()).isEqualTo(parentId);
    });
    // the history lists them by a finished status once it has their ends (it trails the journal)
    await().atMost(Duration.ofSeconds(30))
        .until(() -> listed("--parent", parentId, "--status", "succeeded").size() == 2);
  }

  /** A finished echo run with {@code tags}, called once the clock has moved past every earlier run. */
  private String taggedRun(String... tags) {
    Instant after = Instant.now();
    await().atMost(Duration.ofSeconds(30)).until(() -> Instant.now().isAfter(after.plusMillis(2)));
    List<String> args = new ArrayList<>(List.of("call", "echo", "{}"));
    for (String tag : tags) {
      args.add("--tag");
      args.add(tag);
    }
    Result r = atNode(args.toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
    return r.json().get("runId").asText();
  }

  /** The run ids of the table {@code troupe runs} prints for {@code filters}, in its order. */
  private List<String> listed(String... filters) {
    List<String> args = new ArrayList<>(List.of("runs", "--limit", "500"));
    args.addAll(List.of(filters));
    Result r = atNode(args.toArray(String[]::new));
    assertThat(r.code()).as(r.err()).isEqualTo(ExitCodes.OK);
    return r.out().lines().skip(1).filter(l -> !l.startsWith("more:"))
        .map(l -> l.split("\\s+")[0]).toList();
  }

  @Test
  void refusalsUsageErrorsAndAnUnreachableNodeHaveTheirExitCodes() {
    Result unknown = atNode("call", "no-such-worker");
    assertThat(unknown.code()).isEqualTo(ExitCodes.REFUSED);
    assertThat(unknown.err()).contains("404 UNKNOWN_WORKER");
    assertThat(atNode("get", "01JD3Q7R8V3K5M9W2X4Y6Z8A0B-echo").err()).contains("404 UNKNOWN_RUN");
    Result notJson = atNode("call", "echo", "{not json");
    assertThat(notJson.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(notJson.err()).contains("the payload is not JSON");
    assertThat(atNode("call", "echo", "@/no/such/file.json").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(atNode("runs", "--status", "DONE").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(atNode("frobnicate").code()).isEqualTo(ExitCodes.USAGE);
    Result away = troupe("--url", "http://127.0.0.1:" + TestNode.freePort(), "workers");
    assertThat(away.code()).isEqualTo(ExitCodes.UNREACHABLE);
    assertThat(away.err()).contains("cannot reach Troupe");
  }

  @Test
  void everyCommandTakesHelpAsTheHelpCommandGivesIt() {
    for (String command : List.of("runs", "call", "schedule")) {
      // when
      Result option = troupe(command, "--help");
      Result help = troupe("help", command);
      // then
      assertThat(option.code()).as(command).isEqualTo(ExitCodes.OK);
      assertThat(option.err()).as(command).isEmpty();
      assertThat(option.out()).as(command).startsWith("Usage: troupe " + command)
          .isEqualTo(help.out());
    }
    Result nested = troupe("schedule", "put", "-h");
    assertThat(nested.code()).isEqualTo(ExitCodes.OK);
    assertThat(nested.err()).isEmpty();
    assertThat(nested.out()).startsWith("Usage: troupe schedule put").contains("--cron=CRON");
  }

  @Test
  void theStatusesRunsFiltersByAreTheNodesInAnyCase() {
    // when
    Result help = troupe("runs", "--help");
    Result unknown = atNode("runs", "--status", "UNKNOWN");
    Result lower = atNode("runs", "--status", "succeeded", "--limit", "1");
    // then
    assertThat(help.out().replaceAll("\\s+", " ")).contains("SCHEDULED, WAITING, QUEUED,"
        + " RUNNING, RETRYING, SUCCEEDED, FAILED, TIMED_OUT, CANCELLED").doesNotContain("UNKNOWN");
    assertThat(unknown.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(unknown.err()).contains("'UNKNOWN' is not a run status");
    assertThat(lower.code()).as(lower.err()).isEqualTo(ExitCodes.OK);
  }

  @Test
  void helpListsTheCommandsAndTheExitCodes() {
    Result help = troupe("--help");
    assertThat(help.code()).isEqualTo(ExitCodes.OK);
    assertThat(help.out()).contains("call", "tail", "runs", "workers", "get", "cancel",
        "rerun", "rerun-failed", "schedules", "schedule",
        "TROUPE_URL", "TROUPE_TOKEN", "Exit codes:", "7    --timeout passed");
    Result scheduleHelp = troupe("help", "schedule");
    assertThat(scheduleHelp.code()).isEqualTo(ExitCodes.OK);
    assertThat(scheduleHelp.out()).contains("put", "get", "delete", "pause", "resume", "trigger");
  }

  @Test
  void aFinishedRunIsRerunAndItsNewIdPrinted() {
    // given
    String first = atNode("call", "echo", "{\"again\":true}").json().get("runId").asText();
    // when
    Result rerun = atNode("rerun", first);
    // then
    assertThat(rerun.code()).as(rerun.err()).isEqualTo(ExitCodes.OK);
    String second = rerun.out().trim();
    assertThat(second).isNotEqualTo(first).endsWith("-echo");
    assertThat(atNode("tail", second).code()).isEqualTo(ExitCodes.OK);
    JsonNode run = atNode("get", second).json();
    assertThat(run.get("rerunOf").asText()).isEqualTo(first);
    assertThat(run.get("result").get("again").asBoolean()).isTrue();
  }

  @Test
  void rerunRefusalsAndFailedRunsHaveTheirExitCodes() {
    // given
    String going = atNode("call", "slow", "{\"ms\":60000}", "--no-wait").out().trim();
    // when
    Result notFinished = atNode("rerun", going);
    Result unknown = atNode("rerun", "01JD3Q7R8V3K5M9W2X4Y6Z8A0B-echo");
    Result noWorker = atNode("rerun-failed", "no-such-worker");
    Result badSince = atNode("rerun-failed", "fail", "--since", "yesterday");
    Result none = atNode("rerun-failed", "fail", "--since", "2999-01-01T00:00:00Z");
    Result recent = atNode("rerun-failed", "fail", "--since", "1h");
    // then
    assertThat(notFinished.code()).isEqualTo(ExitCodes.REFUSED);
    assertThat(notFinished.err()).contains("409 RUN_NOT_FINISHED");
    assertThat(unknown.code()).isEqualTo(ExitCodes.REFUSED);
    assertThat(unknown.err()).contains("404 UNKNOWN_RUN");
    assertThat(noWorker.code()).isEqualTo(ExitCodes.REFUSED);
    assertThat(badSince.code()).isEqualTo(ExitCodes.USAGE);
    assertThat(badSince.err()).contains("neither an instant");
    assertThat(none.code()).as(none.err()).isEqualTo(ExitCodes.OK);
    assertThat(none.out().trim()).isEqualTo("0");
    assertThat(recent.code()).as(recent.err()).isEqualTo(ExitCodes.OK);
    assertThat(recent.out().trim()).matches("\\d+");
    atNode("cancel", going);
  }

  @Test
  void aScheduleIsPutListedPausedTriggeredAndDeleted() {
    // when
    Result put = atNode("schedule", "put", "cli-nightly", "--worker", "echo", "--cron",
        "0 30 2 * * *", "--timezone", "Europe/Berlin", "--payload", "{\"from\":\"schedule\"}",
        "--misfire", "run-once", "--priority", "3");
    // then
    assertThat(put.code()).as(put.err()).isEqualTo(ExitCodes.OK);
    assertThat(put.json().get("timezone").asText()).isEqualTo("Europe/Berlin");
    assertThat(put.json().get("misfire").asText()).isEqualTo("run-once");
    assertThat(put.json().get("priority").asInt()).isEqualTo(3);
    assertThat(put.json().get("nextFireTimes")).isNotEmpty();
    assertThat(atNode("schedule", "get", "cli-nightly").json()).isEqualTo(put.json());
    Result list = atNode("schedules");
    assertThat(list.code()).isEqualTo(ExitCodes.OK);
    assertThat(list.out().lines().findFirst().orElseThrow())
        .startsWith("SCHEDULE").contains("WORKER", "CRON", "TIMEZONE", "PAUSED", "NEXT");
    assertThat(list.out().lines()).anyMatch(l -> l.startsWith("cli-nightly ")
        && l.contains("0 30 2 * * *") && l.contains("Europe/Berlin"));
    assertThat(atNode("schedules", "--json").json().findValuesAsText("name")).contains("cli-nightly");

    // when
    Result paused = atNode("schedule", "pause", "cli-nightly");
    Result triggered = atNode("schedule", "trigger", "cli-nightly");
    // then
    assertThat(paused.json().get("paused").asBoolean()).isTrue();
    assertThat(triggered.code()).as(triggered.err()).isEqualTo(ExitCodes.OK);
    String runId = triggered.out().trim();
    assertThat(atNode("tail", runId).code()).isEqualTo(ExitCodes.OK);
    assertThat(atNode("get", runId).json().get("result").get("from").asText()).isEqualTo("schedule");
    assertThat(atNode("schedule", "resume", "cli-nightly").json().get("paused").asBoolean()).isFalse();

    // when
    Result deleted = atNode("schedule", "delete", "cli-nightly");
    // then
    assertThat(deleted.code()).isEqualTo(ExitCodes.OK);
    assertThat(deleted.out()).contains("deleted cli-nightly");
    Result gone = atNode("schedule", "get", "cli-nightly");
    assertThat(gone.code()).isEqualTo(ExitCodes.REFUSED);
    assertThat(gone.err()).contains("404 UNKNOWN_SCHEDULE");
  }

  @Test
  void scheduleRefusalsAndUsageErrorsHaveTheirExitCodes() {
    Result badCron = atNode("schedule", "put", "cli-bad", "--worker", "echo", "--cron", "often");
    assertThat(badCron.code()).isEqualTo(ExitCodes.REFUSED);
    assertThat(badCron.err()).contains("400 INVALID_REQUEST");
    assertThat(atNode("schedule", "put", "cli-bad", "--cron", "0 0 3 * * *").code())
        .as("--worker is required").isEqualTo(ExitCodes.USAGE);
    assertThat(atNode("schedule", "put", "cli-bad", "--worker", "echo", "--cron", "0 0 3 * * *",
        "--misfire", "sometimes").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(atNode("schedule", "put", "cli-bad", "--worker", "echo", "--cron", "0 0 3 * * *",
        "--payload", "{not json").code()).isEqualTo(ExitCodes.USAGE);
    assertThat(atNode("schedule", "trigger", "no-such-schedule").code())
        .isEqualTo(ExitCodes.REFUSED);
    assertThat(atNode("schedule").code()).as("a subcommand is required").isEqualTo(ExitCodes.USAGE);
  }
}
