package dev.troupe.examples.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStream;
import java.io.InputStreamReader;
import java.io.PrintStream;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A client of Troupe's HTTP API in plain Java: it calls a worker, follows the run's server-sent
 * events, survives a dropped connection by resuming from the last event it saw, and prints every
 * event and the run's result.
 *
 * <p>Nothing here is Troupe code: only {@code java.net.http} (in the JDK since Java 11) for HTTP,
 * and Jackson to read the JSON (any JSON library does). Step by step:
 *
 * <ol>
 *   <li><b>Call the worker.</b> {@code POST /api/v1/workers/{name}/runs} with
 *       {@code {"payload": ...}} answers {@code 202 Accepted} as soon as the run is recorded, with
 *       its id and links: {@code links.events} is where its events are.
 *   <li><b>Follow the run.</b> {@code GET /api/v1/runs/{runId}/events} is a
 *       {@code text/event-stream}: blocks of {@code id:}, {@code event:} and {@code data:} lines,
 *       each block ended by a blank line. {@code id} numbers the run's events 1, 2, 3, ... without
 *       gaps; {@code event} is {@code status}, {@code log}, {@code message}, then finally
 *       {@code result} or {@code error}, after which the server ends the stream. Lines starting
 *       with {@code :} are keep-alive comments.
 *   <li><b>Resume after a drop.</b> Connections drop (a proxy's timeout, a deploy, Wi-Fi). The
 *       client remembers the last {@code id} it got and reconnects with the header
 *       {@code Last-Event-ID: <that id>}: the server goes on with the next event, so nothing is
 *       missed and nothing is seen twice. (A browser's {@code EventSource} does this by itself;
 *       here we do it by hand.) To show it, this example drops its first connection on purpose
 *       after a few events.
 *   <li><b>Print the result.</b> The data of the final {@code result} (or {@code error}) event is
 *       the finished run as JSON, the same as {@code GET /api/v1/runs/{runId}}.
 * </ol>
 *
 * <p>Run it against a node started with {@code bin/run-node.sh} (which serves the API on port
 * 8080 and has the demo worker {@code progress-reporter}), from the repository's root, after
 * {@code mvn install -DskipTests}:
 *
 * <pre>
 * mvn -q -pl src-examples dependency:build-classpath -Dmdep.outputFile=target/cp.txt
 * java -cp src-examples/target/classes:$(cat src-examples/target/cp.txt) \
 *     dev.troupe.examples.client.SseClientExample [http://localhost:8080]
 * </pre>
 *
 * <p>When the node has tokens configured, set {@code TROUPE_TOKEN} to one of them: it is sent as
 * {@code Authorization: Bearer <token>}.
 */
public final class SseClientExample {
  /** The demo worker this example calls by default. */
  public static final String WORKER = "progress-reporter";
  /** Five steps, 200 ms apart: about a second, time enough to drop and resume mid-run. */
  public static final String PAYLOAD = "{\"steps\":5,\"intervalMs\":200}";
  /** The first connection is dropped on purpose after this many events. */
  public static final int DROP_AFTER = 3;

  private static final ObjectMapper JSON = new ObjectMapper();
  /** How often the example reconnects before it gives up on a run. */
  private static final int MAX_CONNECTIONS = 10;

  /** One server-sent event: its id (null when the server sent none), type and data. */
  public record Event(Long id, String type, String data) {}

  /**
   * What the example saw: the run's id, every event in the order received (over all
   * connections), how many connections it took, and the final event's data (the finished run).
   */
  public record Outcome(String runId, List<Event> events, int connections, JsonNode run) {}

  private final HttpClient http;
  private final String baseUrl;
  private final String token;
  private final PrintStream out;

  private SseClientExample(String baseUrl, String token, PrintStream out) {
    this.http = HttpClient.newBuilder()
        // HTTP/1.1: one plain connection per stream, which closing really closes
        .version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10))
        .build();
    this.baseUrl = baseUrl.endsWith("/") ? baseUrl.substring(0, baseUrl.length() - 1) : baseUrl;
    this.token = token == null || token.isBlank() ? null : token;
    this.out = out;
  }

  public static void main(String[] args) throws Exception {
    String baseUrl = args.length > 0 ? args[0] : "http://localhost:8080";
    run(baseUrl, WORKER, PAYLOAD, DROP_AFTER, System.getenv("TROUPE_TOKEN"), System.out);
  }

  /** Calls {@code progress-reporter} on the node at {@code baseUrl}, dropping and resuming once. */
  public static Outcome run(String baseUrl, PrintStream out) throws IOException, InterruptedException {
    return run(baseUrl, WORKER, PAYLOAD, DROP_AFTER, null, out);
  }

  /**
   * Calls {@code worker} with {@code payloadJson}, follows its events and prints them to
   * {@code out}; the first connection is dropped after {@code dropAfter} events (0: never).
   *
   * @param token a bearer token, or null when the node has none configured
   */
  public static Outcome run(String baseUrl, String worker, String payloadJson, int dropAfter,
      String token, PrintStream out) throws IOException, InterruptedException {
    SseClientExample client = new SseClientExample(baseUrl, token, out);
    JsonNode accepted = client.call(worker, payloadJson);
    return client.follow(accepted.get("runId").asText(), accepted.get("links").get("events").asText(),
        dropAfter);
  }

  // step 1: call the worker

  private JsonNode call(String worker, String payloadJson) throws IOException, InterruptedException {
    String body = "{\"payload\":" + payloadJson + "}";
    HttpRequest request = request("/api/v1/workers/" + worker + "/runs")
        .header("Content-Type", "application/json")
        .POST(HttpRequest.BodyPublishers.ofString(body))
        .build();
    HttpResponse<String> response = http.send(request, HttpResponse.BodyHandlers.ofString());
    if (response.statusCode() != 202) {
      // errors are JSON too: {"error":{"code":"UNKNOWN_WORKER","message":"..."}}
      throw new IOException("POST " + request.uri() + " answered " + response.statusCode() + ": "
          + response.body());
    }
    JsonNode accepted = JSON.readTree(response.body());
    out.println("POST " + request.uri() + " -> 202, run " + accepted.get("runId").asText()
        + " (Location: " + response.headers().firstValue("Location").orElse("?") + ")");
    return accepted;
  }

  // steps 2 and 3: follow the run, resuming after a drop

  private Outcome follow(String runId, String eventsPath, int dropAfter)
      throws IOException, InterruptedException {
    List<Event> events = new ArrayList<>();
    Long lastId = null;
    for (int connection = 1; connection <= MAX_CONNECTIONS; connection++) {
      HttpRequest.Builder request = request(eventsPath).header("Accept", "text/event-stream").GET();
      if (lastId != null) {
        // the heart of resuming: "I have everything up to lastId; go on from there"
        request.header("Last-Event-ID", Long.toString(lastId));
      }
      out.println("GET " + baseUrl + eventsPath + " (connection " + connection
          + (lastId == null ? "" : ", Last-Event-ID: " + lastId) + ")");
      HttpResponse<InputStream> response = http.send(request.build(),
          HttpResponse.BodyHandlers.ofInputStream());
      if (response.statusCode() != 200) {
        String error = new String(response.body().readAllBytes(), StandardCharsets.UTF_8);
        throw new IOException("GET " + eventsPath + " answered " + response.statusCode() + ": " + error);
      }
      int limit = connection == 1 && dropAfter > 0 ? dropAfter : Integer.MAX_VALUE;
      // closing the body stream closes the connection: that is the simulated drop
      try (InputStream body = response.body();
          BufferedReader lines = new BufferedReader(new InputStreamReader(body, StandardCharsets.UTF_8))) {
        EventReader reader = new EventReader(lines);
        int received = 0;
        Event e;
        while (received < limit && (e = reader.next()) != null) {
          received++;
          events.add(e);
          if (e.id() != null) {
            lastId = e.id();
          }
          out.println("  " + (e.id() == null ? "-" : e.id()) + " " + e.type() + " " + e.data());
          if (e.type().equals("result") || e.type().equals("error")) {
            // step 4: the data of the final event is the finished run
            JsonNode run = JSON.readTree(e.data());
            out.println("result: " + run.path("status").asText() + " " + (e.type().equals("result")
                ? run.path("result") : run.path("error")));
            return new Outcome(runId, events, connection, run);
          }
        }
        if (received == limit) {
          out.println("-- dropping the connection after " + received + " events (simulated);"
              + " resuming after event " + lastId);
        } else {
          out.println("-- the stream ended before the run's outcome; resuming after event " + lastId);
          Thread.sleep(500); // a real client backs off (more each time) before it reconnects
        }
      }
    }
    throw new IOException("run " + runId + ": no outcome after " + MAX_CONNECTIONS + " connections");
  }

  private HttpRequest.Builder request(String path) {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(baseUrl + path));
    if (token != null) {
      b.header("Authorization", "Bearer " + token);
    }
    return b;
  }

  /**
   * Reads server-sent events from lines, as the SSE specification says: {@code field: value}
   * lines, a blank line ends an event, {@code :} starts a comment, several {@code data:} lines
   * join with newlines, and an event without {@code event:} is a {@code message}.
   */
  static final class EventReader {
    private final BufferedReader lines;

    EventReader(BufferedReader lines) {
      this.lines = lines;
    }

    /** The next event, or null when the stream ends. */
    Event next() throws IOException {
      Long id = null;
      String type = null;
      StringBuilder data = null;
      String line;
      while ((line = lines.readLine()) != null) {
        if (line.isEmpty()) {
          if (data != null) {
            return new Event(id, type == null ? "message" : type, data.toString());
          }
          id = null; // a block without data (e.g. only a comment) is no event
          type = null;
          continue;
        }
        if (line.startsWith(":")) {
          continue; // keep-alive comment
        }
        int colon = line.indexOf(':');
        String field = colon < 0 ? line : line.substring(0, colon);
        String value = colon < 0 ? "" : line.substring(colon + 1);
        if (value.startsWith(" ")) {
          value = value.substring(1);
        }
        switch (field) {
          case "id" -> id = value.isEmpty() ? null : Long.parseLong(value.trim());
          case "event" -> type = value;
          case "data" -> data = data == null ? new StringBuilder(value) : data.append('\n').append(value);
          default -> { } // "retry" and unknown fields: ignored here
        }
      }
      return null;
    }
  }
}
