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
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.extension.ExtensionContext;
import org.junit.jupiter.api.extension.RegisterExtension;
import org.junit.jupiter.api.extension.TestWatcher;
import org.junit.jupiter.api.io.TempDir;

/**
 * Many large payloads at once against a node with a small heap, started as the README starts one
 * (its own JVM, the runnable {@code dev.troupe.node.Main}, the demo workers, the default embedded
 * database, default limits): the node never runs out of memory, every caller gets a definite
 * answer (accepted, or a JSON refusal asking to come back), and every accepted run ends in one
 * recorded terminal status on its first attempt, read back whole.
 */
class LargePayloadFloodTest {
  private static final ObjectMapper JSON = new ObjectMapper();
  private static final int CALLERS = 400;
  /** Characters of each payload's text: the payload is about 1 MB as JSON. */
  private static final int TEXT = 1_000_000;
  private static final HttpClient HTTP = HttpClient.newBuilder()
      .connectTimeout(Duration.ofSeconds(10)).build();

  @TempDir
  static Path dir;
  /** The node's warnings and errors, printed when the test fails (its folder is deleted then). */
  @RegisterExtension
  static final TestWatcher NODE_LOG = new TestWatcher() {
    @Override
    public void testFailed(ExtensionContext context, Throwable cause) {
      try {
        System.out.println("=== node log (WARN and ERROR) of " + context.getDisplayName());
        Files.readAllLines(dir.resolve("node.log")).stream()
            .filter(l -> l.contains("WARN") || l.contains("ERROR") || l.startsWith("\t")
                || l.startsWith("Caused by"))
            .limit(400).forEach(System.out::println);
      } catch (IOException e) {
        System.out.println("node log not readable: " + e);
      }
    }
  };
  private static Process node;
  private static String base;

  @BeforeAll
  static void startNode() throws Exception {
    int httpPort = freePort();
    int managementPort = freePort();
    String classpath = System.getProperty("surefire.test.class.path",
        System.getProperty("java.class.path"));
    ProcessBuilder pb = new ProcessBuilder(
        Path.of(System.getProperty("java.home"), "bin", "java").toString(),
        "-Xmx768m",
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
        .until(() -> HTTP.send(HttpRequest.newBuilder(
                URI.create("http://127.0.0.1:" + managementPort + "/ready")).build(),
            HttpResponse.BodyHandlers.ofString()).statusCode() == 200);
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

  private static JsonNode get(String path) throws Exception {
    HttpResponse<String> r = HTTP.send(HttpRequest.newBuilder(URI.create(base + path))
        .timeout(Duration.ofSeconds(30)).build(), HttpResponse.BodyHandlers.ofString());
    return JSON.readTree(r.body());
  }

  /** The run without its large fields, or the error, for a failure's message. */
  private static String brief(JsonNode run) {
    return run.has("error") && !run.has("runId") ? run.toString()
        : run.path("status").asText() + " attempts " + run.path("attempts").asInt();
  }

  /** A call's answer: its status, and its JSON body (null when the body is not JSON). */
  private record Answer(int status, JsonNode body, String text) {}

  /** A body of about 1 MB, sent from one shared chunk so that the callers hold little. */
  private static final byte[] CHUNK = "x".repeat(TEXT / 16).getBytes(StandardCharsets.US_ASCII);

  private static CompletableFuture<Answer> call(int i) {
    byte[] head = ("{\"payload\":{\"i\":" + i + ",\"text\":\"")
        .getBytes(StandardCharsets.US_ASCII);
    byte[] tail = ("\"},\"idempotencyKey\":\"flood-" + i + "\"}")
        .getBytes(StandardCharsets.US_ASCII);
    List<byte[]> parts = new ArrayList<>();
    parts.add(head);
    for (int k = 0; k < 16; k++) {
      parts.add(CHUNK);
    }
    parts.add(tail);
    long length = head.length + 16L * CHUNK.length + tail.length;
    HttpRequest request = HttpRequest.newBuilder(URI.create(base + "/api/v1/workers/echo/runs"))
        .timeout(Duration.ofSeconds(45)).header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.fromPublisher(
            HttpRequest.BodyPublishers.ofByteArrays(parts), length)).build();
    return HTTP.sendAsync(request, HttpResponse.BodyHandlers.ofString())
        .thenApply(r -> {
          JsonNode json;
          try {
            json = JSON.readTree(r.body());
          } catch (IOException e) {
            json = null;
          }
          return new Answer(r.statusCode(), json, r.body());
        });
  }

  @Test
  void aFloodOfLargePayloadsGetsDefiniteAnswersAndEveryAcceptedRunEndsOnce() throws Exception {
    // given a node with a 768 MiB heap (a Kubernetes default) and its default limits

    // when 400 callers each send about 1 MB at once
    List<CompletableFuture<Answer>> calls = new ArrayList<>();
    for (int i = 0; i < CALLERS; i++) {
      calls.add(call(i));
    }
    CompletableFuture.allOf(calls.toArray(CompletableFuture[]::new)).get(60, TimeUnit.SECONDS);

    // then every caller got a definite answer: accepted, or a JSON refusal to repeat later
    List<String> accepted = new ArrayList<>();
    int refused = 0;
    for (CompletableFuture<Answer> f : calls) {
      Answer a = f.join();
      if (a.status() == 202) {
        accepted.add(a.body().get("runId").asText());
        continue;
      }
      refused++;
      assertThat(a.status()).as(a.text()).isIn(413, 429, 503);
      assertThat(a.body()).as(a.text()).isNotNull();
      assertThat(a.body().path("error").path("code").asText()).as(a.text())
          .isIn("QUEUE_FULL", "OVERLOADED", "UNAVAILABLE", "BODY_TOO_LARGE");
      assertThat(a.body().path("error").path("message").asText()).as(a.text()).isNotBlank();
    }
    assertThat(accepted).as("%s refused", refused).isNotEmpty();
    // and every accepted run ended once, on its first attempt, and reads back whole
    // (each read is one answer checked whole: right after the flood a read of a finished run
    // from the run history may still be answered 503, to be repeated, which the wait allows)
    for (String id : accepted) {
      await().atMost(Duration.ofSeconds(30)).pollInterval(Duration.ofMillis(100))
          .untilAsserted(() -> {
            JsonNode run = get("/api/v1/runs/" + id);
            assertThat(run.path("status").asText()).as("%s: %s", id, brief(run))
                .isEqualTo("SUCCEEDED");
            assertThat(run.path("attempts").asInt()).as(id).isEqualTo(1);
            assertThat(run.path("payload").path("text").asText()).as(id).hasSize(TEXT);
            assertThat(run.path("result").path("text").asText()).as(id).hasSize(TEXT);
          });
    }
    assertThat(Files.readString(dir.resolve("node.log"))).doesNotContain("OutOfMemoryError");
  }
}
