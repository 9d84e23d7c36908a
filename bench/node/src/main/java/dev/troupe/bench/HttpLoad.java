package dev.troupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.bench.HttpBench.Settings;
import dev.troupe.bench.HttpBench.Throughput;
import dev.troupe.bench.HttpBench.Window;
import dev.troupe.bench.core.Machine;
import dev.troupe.bench.core.Stats;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Supplier;
import org.HdrHistogram.Recorder;

/**
 * The HTTP benchmark's client and its closed-loop workloads (accepted calls and calls with
 * {@code ?wait=true}), and the wait for an idle node that every workload starts with.
 */
final class HttpLoad {

  private HttpLoad() {}

  // the client

  /** The load client: one {@link HttpClient}, HTTP/1.1, whose pool keeps connections alive. */
  static final class Client {
    final HttpClient http = HttpClient.newBuilder().version(HttpClient.Version.HTTP_1_1)
        .connectTimeout(Duration.ofSeconds(10)).build();
    /** The nodes called, in turn (comma-separated in {@code --url}); reads go to the first. */
    final List<String> bases;
    final String base;
    final String token;
    final String body;
    private final AtomicInteger turn = new AtomicInteger();

    Client(String urls, String token, String payload) {
      this.bases = Arrays.stream(urls.split(","))
          .map(u -> u.endsWith("/") ? u.substring(0, u.length() - 1) : u).toList();
      this.base = bases.get(0);
      this.token = token;
      this.body = "{\"payload\":" + payload + "}";
    }

    HttpRequest.Builder get(String path) {
      return auth(HttpRequest.newBuilder(URI.create(base + path)).timeout(Duration.ofSeconds(30)).GET());
    }

    HttpRequest.Builder post(String path, boolean stream) {
      String node = bases.get(Math.floorMod(turn.getAndIncrement(), bases.size()));
      HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(node + path))
          .timeout(Duration.ofSeconds(90)).header("Content-Type", "application/json")
          .POST(HttpRequest.BodyPublishers.ofString(body));
      if (stream) {
        b.header("Accept", "text/event-stream");
      }
      return auth(b);
    }

    private HttpRequest.Builder auth(HttpRequest.Builder b) {
      return token == null ? b : b.header("Authorization", "Bearer " + token);
    }

    JsonNode json(String path) throws Exception {
      HttpResponse<String> r = http.send(get(path).build(), HttpResponse.BodyHandlers.ofString());
      if (r.statusCode() != 200) {
        throw new IOException("GET " + path + ": " + r.statusCode() + " " + r.body());
      }
      return NodeHarness.JSON.readTree(r.body());
    }
  }

  /**
   * Waits (up to 3 minutes) until {@code worker} has no run executing or queued and the run
   * history, when the node serves one, has caught up (its newest 500 runs have all finished
   * there), so that the next measurement starts on an idle node. Returns what was still pending when
   * it gave up, or null.
   */
  static String awaitIdle(Client client, String worker) throws InterruptedException {
    long deadline = System.nanoTime() + TimeUnit.MINUTES.toNanos(3);
    String pending = "nothing";
    while (System.nanoTime() < deadline) {
      try {
        JsonNode stats = client.json("/api/v1/workers/" + worker + "/stats");
        pending = stats.get("running").asLong() + " running and " + stats.get("queued").asLong() + " queued";
        boolean idle = stats.get("running").asLong() == 0 && stats.get("queued").asLong() == 0;
        // the history's newest runs, all finished there (lists by an active status read the
        // entities, not the history); a node without run history (503) has nothing to catch up
        HttpResponse<String> page = client.http.send(client.get("/api/v1/runs?limit=500").build(),
            HttpResponse.BodyHandlers.ofString());
        if (idle && page.statusCode() == 200) {
          for (JsonNode run : NodeHarness.JSON.readTree(page.body()).get("runs")) {
            if (!List.of("SUCCEEDED", "FAILED", "TIMED_OUT", "CANCELLED")
                .contains(run.get("status").asText())) {
              idle = false;
              pending = "the run history still shows " + run.get("status").asText() + " runs";
              break;
            }
          }
        }
        if (idle) {
          return null;
        }
      } catch (Exception e) {
        pending = NodeHarness.describe(e);
      }
      Thread.sleep(200);
    }
    return pending;
  }

  // closed loop: accepted calls and ?wait=true

  /**
   * {@code connections} lanes, each sending its next request as soon as the previous one is
   * answered (so at most that many connections are in use), for the warm-up and then {@code reps}
   * consecutive windows of {@code seconds}; a window counts the answers that arrive in it.
   */
  static Throughput closedLoop(Client client, String workload, String request, int expected,
      Supplier<HttpRequest> next, Settings s, List<String> problems) throws Exception {
    String notIdle = awaitIdle(client, s.noop());
    if (notIdle != null) {
      problems.add(workload + ": the node was not idle before the workload (" + notIdle + ")");
    }
    System.out.printf("  %s, %d connections: %d s warm-up, %d × %d s%n", workload, s.connections(),
        s.warmupSeconds(), s.reps(), s.seconds());
    AtomicBoolean stop = new AtomicBoolean();
    AtomicLong answered = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    Recorder latency = new Recorder(3);
    CountDownLatch lanesDone = new CountDownLatch(s.connections());
    for (int i = 0; i < s.connections(); i++) {
      new Lane(client.http, next, expected, stop, answered, errors, firstError, latency, lanesDone).send();
    }
    Thread.sleep(TimeUnit.SECONDS.toMillis(s.warmupSeconds()));
    List<Window> reps = new ArrayList<>();
    long cpu0 = Machine.processCpuNanos();
    long wall0 = System.nanoTime();
    for (int rep = 1; rep <= s.reps(); rep++) {
      latency.reset();
      long a0 = answered.get();
      long e0 = errors.get();
      long start = System.nanoTime();
      Thread.sleep(TimeUnit.SECONDS.toMillis(s.seconds()));
      Window w = new Window(answered.get() - a0, (System.nanoTime() - start) / 1e9,
          latency.getIntervalHistogram(), errors.get() - e0);
      reps.add(w);
      System.out.printf("    rep %d: %,.0f/s (%,d in %.2f s), request p50 %s ms, p99 %s ms, errors %d%n",
          rep, w.perSecond(), w.answered(), w.seconds(), Stats.ms(w.latency(), 50),
          Stats.ms(w.latency(), 99), w.errors());
    }
    double cpuCores = (double) (Machine.processCpuNanos() - cpu0) / (System.nanoTime() - wall0);
    System.out.printf("    this JVM used %.2f cores%n", cpuCores);
    stop.set(true);
    if (!lanesDone.await(2, TimeUnit.MINUTES)) {
      problems.add(workload + ": some requests were still unanswered 2 minutes after the end");
    }
    String backlog = null;
    if (expected == 202) {
      // what the node still had to run when the last call was accepted
      JsonNode stats = client.json("/api/v1/workers/" + s.noop() + "/stats");
      backlog = String.format(Locale.ROOT, "%,d running and %,d queued at the end",
          stats.get("running").asLong(), stats.get("queued").asLong());
      System.out.println("    node backlog: " + backlog);
    }
    if (firstError.get() != null) {
      problems.add(workload + ": " + errors.get() + " requests failed, first: " + firstError.get());
    }
    return new Throughput(workload, request, expected, reps, errors.get(), firstError.get(), backlog,
        cpuCores);
  }

  /** One connection's worth of load: sends a request, waits for its answer, sends the next. */
  private record Lane(HttpClient http, Supplier<HttpRequest> next, int expected, AtomicBoolean stop,
      AtomicLong answered, AtomicLong errors, AtomicReference<String> firstError, Recorder latency,
      CountDownLatch done) {
    void send() {
      if (stop.get()) {
        done.countDown();
        return;
      }
      long t0 = System.nanoTime();
      http.sendAsync(next.get(), HttpResponse.BodyHandlers.ofString()).whenComplete((r, e) -> {
        if (e == null && r.statusCode() == expected) {
          latency.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
          answered.incrementAndGet();
        } else {
          errors.incrementAndGet();
          firstError.compareAndSet(null, e != null ? NodeHarness.describe(e)
              : r.statusCode() + " " + r.body());
        }
        send();
      });
    }
  }
}
