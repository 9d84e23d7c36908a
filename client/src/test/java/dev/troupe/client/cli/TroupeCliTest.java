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
import java.util.ArrayList;
import java.util.List;
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
  void helpListsTheCommandsAndTheExitCodes() {
    Result help = troupe("--help");
    assertThat(help.code()).isEqualTo(ExitCodes.OK);
    assertThat(help.out()).contains("call", "tail", "runs", "workers", "get", "cancel",
        "TROUPE_URL", "TROUPE_TOKEN", "Exit codes:", "7    --timeout passed");
  }
}
