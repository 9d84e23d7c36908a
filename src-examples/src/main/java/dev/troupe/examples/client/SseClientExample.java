package dev.troupe.examples.client;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.client.Run;
import dev.troupe.client.RunEvent;
import dev.troupe.client.RunEventStream;
import dev.troupe.client.RunRef;
import dev.troupe.client.TroupeClient;
import java.io.IOException;
import java.io.PrintStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * A client of Troupe's HTTP API with the Java client ({@code troupe-client}: {@code java.net.http}
 * and Jackson, no Pekko): it calls a worker, follows the run's events, survives a dropped
 * connection by resuming from the last event it saw, and prints every event and the run's result.
 *
 * <p>Step by step:
 *
 * <ol>
 *   <li><b>Call the worker.</b> {@link TroupeClient#call} posts to {@code POST
 *       /api/v1/workers/{name}/runs} and returns as soon as the run is recorded, with its id.
 *   <li><b>Follow the run.</b> {@link TroupeClient#events} reads the run's server-sent events
 *       ({@code GET /api/v1/runs/{runId}/events}) as an iterator: each event has an id (1, 2, 3,
 *       ... without gaps), a type ({@code status}, {@code log}, {@code message}, then finally
 *       {@code result} or {@code error}) and JSON data; the iterator ends after the outcome.
 *   <li><b>Resume after a drop.</b> Connections drop (a proxy's timeout, a deploy, Wi-Fi). The
 *       client's stream reconnects by itself with {@code Last-Event-ID} set to the last id it
 *       returned, so nothing is missed and nothing is seen twice. To show the mechanism, this
 *       example drops its first stream on purpose after a few events, then opens a new one after
 *       the last id it got ({@code events(runId, lastEventId, timeout)}), which is what the
 *       stream does inside on a real drop.
 *   <li><b>Print the result.</b> The data of the final {@code result} (or {@code error}) event is
 *       the finished run, the same as {@code GET /api/v1/runs/{runId}}: {@link RunEvent#run()}.
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
 * {@code Authorization: Bearer <token>}. The same from a shell: {@code bin/troupe call
 * progress-reporter --follow}.
 */
public final class SseClientExample {
  /** The demo worker this example calls by default. */
  public static final String WORKER = "progress-reporter";
  /** Five steps, 200 ms apart: about a second, time enough to drop and resume mid-run. */
  public static final String PAYLOAD = "{\"steps\":5,\"intervalMs\":200}";
  /** The first connection is dropped on purpose after this many events. */
  public static final int DROP_AFTER = 3;

  private static final ObjectMapper JSON = new ObjectMapper();
  /** How long the example follows a run before it gives up on it. */
  private static final Duration FOLLOW_AT_MOST = Duration.ofMinutes(5);

  /** One server-sent event: its id (null when the server sent none), type and data. */
  public record Event(Long id, String type, String data) {}

  /**
   * What the example saw: the run's id, every event in the order received (over all
   * connections), how many connections it took, and the final event's data (the finished run).
   */
  public record Outcome(String runId, List<Event> events, int connections, JsonNode run) {}

  private SseClientExample() {}

  public static void main(String[] args) throws Exception {
    String baseUrl = args.length > 0 ? args[0] : "http://localhost:8080";
    run(baseUrl, WORKER, PAYLOAD, DROP_AFTER, System.getenv("TROUPE_TOKEN"), System.out);
  }

  /** Calls {@code progress-reporter} on the node at {@code baseUrl}, dropping and resuming once. */
  public static Outcome run(String baseUrl, PrintStream out) throws IOException {
    return run(baseUrl, WORKER, PAYLOAD, DROP_AFTER, null, out);
  }

  /**
   * Calls {@code worker} with {@code payloadJson}, follows its events and prints them to
   * {@code out}; the first connection is dropped after {@code dropAfter} events (0: never).
   *
   * @param token a bearer token, or null when the node has none configured
   */
  public static Outcome run(String baseUrl, String worker, String payloadJson, int dropAfter,
      String token, PrintStream out) throws IOException {
    TroupeClient client = TroupeClient.builder().baseUrls(baseUrl).token(token).build();
    // step 1: call the worker (errors are typed: NotFoundException for an unknown worker...)
    RunRef ref = client.call(worker, JSON.readTree(payloadJson));
    out.println("called " + worker + " at " + baseUrl + ": run " + ref.runId());
    return follow(client, ref.runId(), dropAfter, out);
  }

  // steps 2 and 3: follow the run, resuming after a drop

  private static Outcome follow(TroupeClient client, String runId, int dropAfter, PrintStream out)
      throws IOException {
    List<Event> events = new ArrayList<>();
    long lastId = 0;
    int connections = 0;
    for (int stream = 1; stream <= 2; stream++) {
      out.println("GET /api/v1/runs/" + runId + "/events (connection " + (connections + 1)
          + (lastId == 0 ? "" : ", Last-Event-ID: " + lastId) + ")");
      int limit = stream == 1 && dropAfter > 0 ? dropAfter : Integer.MAX_VALUE;
      // closing the stream closes its connection: that is the simulated drop
      try (RunEventStream s = client.events(runId, lastId, FOLLOW_AT_MOST)) {
        int received = 0;
        while (received < limit && s.hasNext()) {
          RunEvent e = s.next();
          received++;
          Event seen = new Event(e.id() == 0 ? null : e.id(), e.type(), e.data().toString());
          events.add(seen);
          out.println("  " + (seen.id() == null ? "-" : seen.id()) + " " + e.type() + " " + seen.data());
          if (e.isTerminal()) {
            // step 4: the data of the final event is the finished run
            Run run = e.run();
            out.println("result: " + run.status() + " " + (run.result() != null ? run.result()
                : run.error() == null ? "null" : run.error().code() + " " + run.error().message()));
            return new Outcome(runId, events, connections + s.connections(), e.data());
          }
        }
        lastId = s.lastEventId();
        connections += s.connections();
        out.println("-- dropping the connection after " + received + " events (simulated);"
            + " resuming after event " + lastId);
      }
    }
    throw new IOException("run " + runId + ": no outcome after the resumed stream ended");
  }
}
