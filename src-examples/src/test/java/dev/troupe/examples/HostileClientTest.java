package dev.troupe.examples;

import static org.assertj.core.api.Assertions.assertThat;
import static org.awaitility.Awaitility.await;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.IOException;
import java.net.ServerSocket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * A hostile client against a node started as the README starts one (its own JVM, the runnable
 * {@code dev.troupe.node.Main}, the demo workers, the default embedded database): every bad
 * request gets a JSON error with the right status and records nothing, and the runs of other
 * callers, started before and during the attack, all complete untouched on their first attempt.
 */
class HostileClientTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(5)).build();

  @TempDir
  static Path dir;
  private static Process node;
  private static String base;
  private static int managementPort;

  @BeforeAll
  static void startNode() throws Exception {
    int httpPort = freePort();
    managementPort = freePort();
    String classpath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    ProcessBuilder pb = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx384m", "-XX:+UseSerialGC", "-XX:TieredStopAtLevel=1",
        "-cp", classpath, "dev.troupe.node.Main").directory(dir.toFile());
    Map<String, String> env = pb.environment();
    env.keySet().removeIf(k -> k.startsWith("TROUPE_"));
    env.put("TROUPE_HTTP_HOST", "127.0.0.1");
    env.put("TROUPE_HTTP_PORT", Integer.toString(httpPort));
    env.put("TROUPE_MANAGEMENT_PORT", Integer.toString(managementPort));
    env.put("TROUPE_REMOTE_PORT", Integer.toString(freePort()));
    pb.redirectErrorStream(true).redirectOutput(dir.resolve("node.log").toFile());
    node = pb.start();
    base = "http://127.0.0.1:" + httpPort;
    await().atMost(Duration.ofSeconds(90)).pollInterval(Duration.ofMillis(200)).ignoreExceptions()
        .until(() -> status(get("http://127.0.0.1:" + managementPort + "/ready")) == 200);
  }

  @AfterAll
  static void stopNode() throws Exception {
    if (node != null) {
      node.destroy();
      if (!node.waitFor(30, TimeUnit.SECONDS)) {
        node.destroyForcibly();
      }
    }
  }

  private static int freePort() throws IOException {
    try (ServerSocket s = new ServerSocket(0)) {
      return s.getLocalPort();
    }
  }

  private static HttpResponse<String> send(HttpRequest.Builder request) {
    try {
      return HTTP.send(request.timeout(Duration.ofSeconds(30)).build(),
          HttpResponse.BodyHandlers.ofString());
    } catch (IOException e) {
      throw new AssertionError("the node did not answer: " + e, e);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new AssertionError(e);
    }
  }

  private static HttpResponse<String> get(String url) {
    return send(HttpRequest.newBuilder(URI.create(url)));
  }

  private static int status(HttpResponse<String> r) {
    return r.statusCode();
  }

  private static HttpResponse<String> post(String path, String contentType, byte[] body) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(base + path))
        .POST(HttpRequest.BodyPublishers.ofByteArray(body));
    if (contentType != null) {
      b.header("Content-Type", contentType);
    }
    return send(b);
  }

  private static HttpResponse<String> postJson(String path, String body) {
    return post(path, "application/json", body.getBytes(StandardCharsets.UTF_8));
  }

  private static String startEcho(int i) throws IOException {
    HttpResponse<String> r = postJson("/api/v1/workers/echo/runs",
        "{\"payload\":{\"i\":" + i + "},\"idempotencyKey\":\"innocent-" + i + "\"}");
    assertThat(r.statusCode()).as(r.body()).isEqualTo(202);
    return JSON.readTree(r.body()).get("runId").asText();
  }

  /** The status and error code of a refusal; also checks that it is a JSON error. */
  private static String refusal(HttpResponse<String> r) throws IOException {
    JsonNode body = JSON.readTree(r.body());
    assertThat(body.path("error").path("message").asText()).as(r.body()).isNotBlank();
    assertThat(r.body()).doesNotContain("Exception", "at dev.", "org.apache", "SQL", "jdbc");
    return r.statusCode() + " " + body.path("error").path("code").asText();
  }

  private static String nested(int depth) {
    return "{\"payload\":" + "[".repeat(depth) + "]".repeat(depth) + "}";
  }

  @Test
  void badRequestsAreRefusedClearlyAndOtherCallersRunsCompleteUntouched() throws Exception {
    // given other callers' runs, started before the attack
    List<String> innocent = new ArrayList<>();
    for (int i = 0; i < 20; i++) {
      innocent.add(startEcho(i));
    }
    String runsPath = "/api/v1/workers/echo/runs";
    String madeUp = "01JD3Q7R8V3K5M9W2X4Y6Z8ABC-echo";

    // when a hostile client sends what it should not, between more innocent runs
    List<String> answers = new ArrayList<>();
    byte[] big = new byte[9 * 1024 * 1024];
    java.util.Arrays.fill(big, (byte) ' ');
    answers.add(refusal(post(runsPath, "application/json", big)));
    answers.add(refusal(postJson(runsPath, nested(5000))));
    answers.add(refusal(postJson(runsPath, nested(200))));
    answers.add(refusal(post(runsPath, "text/plain", "{}".getBytes(StandardCharsets.UTF_8))));
    answers.add(refusal(post(runsPath, "application/x-www-form-urlencoded",
        "payload=x".getBytes(StandardCharsets.UTF_8))));
    answers.add(refusal(post(runsPath, null, new byte[0])));
    answers.add(refusal(post(runsPath, "application/json",
        new byte[] {'{', '"', 'a', '"', ':', '"', (byte) 0xC3, (byte) 0x28, '"', '}'})));
    answers.add(refusal(postJson(runsPath, "{\"payload\":{\"n\":1e400}}")));
    answers.add(refusal(postJson(runsPath, "{\"payload\":{},\"timeoutMs\":1e20}")));
    answers.add(refusal(postJson(runsPath, "{\"payload\":{},\"priority\":12}")));
    answers.add(refusal(postJson(runsPath, "{\"payload\":{},\"delayMs\":-5}")));
    answers.add(refusal(postJson(runsPath, "{\"payload\":{},\"runAt\":\"2036-01-01T00:00:00Z\"}")));
    answers.add(refusal(postJson(runsPath, "{\"payload\":{},\"dependsOn\":[\"nope\"]}")));
    answers.add(refusal(postJson(runsPath, "{\"payload\":")));
    answers.add(refusal(postJson("/api/v1/workers/no-such-worker/runs", "{}")));
    answers.add(refusal(postJson("/api/v1/workers/NOT..valid/runs", "{}")));
    answers.add(refusal(get(base + "/api/v1/runs/" + madeUp)));
    answers.add(refusal(postJson("/api/v1/runs/" + madeUp + "/cancel", "{}")));
    answers.add(refusal(get(base + "/api/v1/runs/not-a-run-id")));
    for (int i = 20; i < 40; i++) {
      innocent.add(startEcho(i));
    }
    String withNul = postJson(runsPath, "{\"payload\":{\"s\":\"a\\u0000b\"}}").body();

    // then each refusal says what is wrong, with the status that fits it
    assertThat(answers).containsExactly(
        "413 BODY_TOO_LARGE",
        "400 INVALID_REQUEST",
        "400 INVALID_REQUEST",
        "415 UNSUPPORTED_MEDIA_TYPE",
        "415 UNSUPPORTED_MEDIA_TYPE",
        "415 UNSUPPORTED_MEDIA_TYPE",
        "400 INVALID_REQUEST",
        "400 INVALID_REQUEST",
        "400 INVALID_REQUEST",
        "400 INVALID_REQUEST",
        "400 INVALID_REQUEST",
        "400 INVALID_REQUEST",
        "400 INVALID_REQUEST",
        "400 INVALID_REQUEST",
        "404 UNKNOWN_WORKER",
        "400 INVALID_REQUEST",
        "404 UNKNOWN_RUN",
        "404 UNKNOWN_RUN",
        "404 UNKNOWN_RUN");
    // and a NUL inside a string is data like any other
    assertThat(JSON.readTree(withNul).path("runId").asText()).isNotBlank();
    // and every innocent run succeeded on its first attempt with its own payload
    for (int i = 0; i < innocent.size(); i++) {
      String id = innocent.get(i);
      int n = i;
      await().atMost(Duration.ofSeconds(30)).until(() -> JSON.readTree(
          get(base + "/api/v1/runs/" + id).body()).path("status").asText().equals("SUCCEEDED"));
      JsonNode run = JSON.readTree(get(base + "/api/v1/runs/" + id).body());
      assertThat(run.path("attempts").asInt()).as(id).isEqualTo(1);
      assertThat(run.path("result").path("i").asInt()).as(id).isEqualTo(n);
    }
    // and the made-up run id started no entity
    assertThat(get(base + "/api/v1/cluster").body()).doesNotContain("ABC");
    assertThat(Files.readString(dir.resolve("node.log"))).doesNotContain("OutOfMemoryError");
  }
}
