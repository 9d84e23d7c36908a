package dev.troupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import dev.troupe.api.WorkerConfig;
import dev.troupe.bench.core.BenchNode;
import dev.troupe.bench.core.DocsSection;
import dev.troupe.bench.core.Machine;
import dev.troupe.bench.core.Options;
import dev.troupe.bench.core.Postgres;
import dev.troupe.bench.core.Stats;
import dev.troupe.node.TroupeNode;
import dev.troupe.node.http.HttpServer;
import dev.troupe.node.http.HttpSettings;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Path;
import java.time.Duration;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.function.Supplier;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Load benchmark of a node's HTTP API with a Java client ({@link HttpClient}, HTTP/1.1 with
 * keep-alive):
 *
 * <ol>
 *   <li>accept: runs/s of {@code POST /api/v1/workers/{noop}/runs} answered 202, from a fixed
 *       number of connections, each sending its next call when the previous one is answered;
 *   <li>wait: the same with {@code ?wait=true} (answered 200 with the finished run);
 *   <li>sse: time to first message, p50/p99/max: {@code POST} with {@code Accept:
 *       text/event-stream} to a worker that emits one message at once, at a fixed rate, from
 *       sending the request to receiving the first complete {@code event: message} frame.
 * </ol>
 *
 * <p>The node runs in-process with HTTP on a free port (on H2, and on PostgreSQL when {@code
 * TROUPE_BENCH_PG_URL} or {@code TROUPE_TEST_PG_URL} is set), or is any node given by {@code
 * --url}. Each workload has a warm-up that is not measured, then several repetitions reported as
 * min/median/max. Prints the figures and writes them, with the machine, the load average and the
 * command, between {@code <!-- http-benchmark:start -->} and {@code <!-- http-benchmark:end -->} (or the
 * markers of {@code --section}) of {@code docs/benchmarks.md}. Started by
 * {@code bash bench/run-http.sh}; options as {@code --key=value} (listed in {@code
 * bench/README.md}).
 */
public final class HttpBenchmark {

  private HttpBenchmark() {}

  // settings

  record Settings(int connections, int seconds, int warmupSeconds, int reps, double sseRate,
      List<String> workloads, List<String> dbs, String url, String token, String noop,
      String emit, String payload, DocsSection section, String title, Path docs, String command) {

    static Settings parse(String[] args) {
      Options o = new Options("bench", args);
      o.check(List.of("connections", "seconds", "warmup-seconds", "reps", "sse-rate", "workloads",
          "db", "url", "token", "noop", "emit", "payload", "section", "title", "docs", "command"),
          "bench/README.md");
      Settings s = new Settings(
          o.integer("connections", 16),
          o.integer("seconds", 10),
          o.integer("warmup-seconds", 15),
          o.integer("reps", 3),
          o.decimal("sse-rate", 100),
          o.list("workloads", "accept,wait,sse"),
          NodeHarness.databases(o),
          o.get("url", null),
          o.get("token", null),
          o.get("noop", NodeBenchmark.NOOP),
          o.get("emit", NodeBenchmark.EMIT),
          o.get("payload", "{}"),
          new DocsSection(o.get("section", "http-benchmark")),
          o.get("title", "HTTP benchmark: runs/s over the HTTP API and SSE time to first message"),
          o.path("docs", DocsSection.DOCS),
          o.get("command", "java dev.troupe.bench.HttpBenchmark " + String.join(" ", args)));
      if (!List.of("accept", "wait", "sse").containsAll(s.workloads())) {
        throw new IllegalArgumentException("workloads are accept, wait and sse, got " + s.workloads());
      }
      if (s.connections() < 1 || s.reps() < 1 || s.seconds() < 1 || s.sseRate() * s.seconds() < 1) {
        throw new IllegalArgumentException("connections, reps, seconds and sse-rate × seconds must"
            + " be at least 1");
      }
      return s;
    }
  }

  // results

  /** One measured window of a closed-loop workload. */
  record Window(long answered, double seconds, Histogram latency, long errors) {
    double perSecond() {
      return answered / seconds;
    }
  }

  /** A closed-loop workload: its measured windows, and what went wrong. */
  /** {@code cpuCores}: CPU time of this JVM (client and node) over the windows, per second. */
  record Throughput(String workload, String request, int expectedStatus, List<Window> reps,
      long errors, String firstError, String backlog, double cpuCores) {
    double[] sorted() {
      return reps.stream().mapToDouble(Window::perSecond).sorted().toArray();
    }

    Histogram latency() {
      Histogram all = new Histogram(3);
      reps.forEach(w -> all.add(w.latency()));
      return all;
    }
  }

  /** One measured window of the SSE workload: time to first message of the calls sent in it. */
  record SseWindow(long sent, double achievedRate, Histogram firstMessage, long errors) {}

  /** {@code cpuCores}: CPU time of this JVM (client and node) over the windows, per second. */
  record Sse(double rate, List<SseWindow> reps, long errors, String firstError, String overload,
      double cpuCores) {}

  /** What was measured: {@code about} says where (the journal, or the node's URL). */
  record Target(String name, String about, String skipped, List<Throughput> throughput, Sse sse,
      List<String> problems, double seconds) {}

  // main

  public static void main(String[] args) throws Exception {
    Settings s = Settings.parse(args);
    Map<String, String> machine = NodeHarness.machine();
    machine.put("memory (MemTotal)", Machine.memory());
    String loadBefore = Machine.loadAverage();
    ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
    System.out.println("Troupe HTTP benchmark, " + started.format(DateTimeFormatter.ISO_INSTANT));
    machine.forEach((k, v) -> System.out.println("  " + k + ": " + v));
    System.out.println("  load average: " + loadBefore);
    System.out.println("  settings: " + s);

    List<Target> targets = new ArrayList<>();
    if (s.url() != null) {
      targets.add(measure("The node at " + s.url(), s.url(), "Node: `" + s.url() + "` (started"
          + " elsewhere)", s));
    } else {
      if (s.dbs().contains("h2")) {
        targets.add(NodeHarness.onH2("troupe-httpbench-h2", j -> inProcess(j, s)));
      }
      if (s.dbs().contains("pg")) {
        targets.add(NodeHarness.onPostgres("troupe_httpbench_", j -> inProcess(j, s),
            why -> new Target("PostgreSQL", null, why, List.of(), null, List.of(), 0)));
      }
    }
    String loadAfter = Machine.loadAverage();
    String section = markdown(s, machine, started, loadBefore, loadAfter, targets);
    System.out.println();
    System.out.println(section);
    s.section().writeInto(s.docs(), section);
    System.out.println("wrote " + s.docs().toAbsolutePath());
    System.exit(0); // nothing else must keep the JVM up
  }

  /** A node in this JVM on the journal {@code j}, serving HTTP on a free port of 127.0.0.1. */
  private static Target inProcess(NodeHarness.Journal j, Settings s) throws Exception {
    String name = j.name();
    System.out.println();
    System.out.println("=== " + name + ": " + j.shown());
    long t0 = System.nanoTime();
    ErrorLog.drain();
    String version = NodeHarness.databaseVersion(j);
    Config config = BenchNode.config(j.url(), j.user(), j.password(),
        "troupe.http { enabled = on, host = 127.0.0.1, port = 0 }");
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "troupe", config);
    List<String> problems = new ArrayList<>();
    TroupeNode troupe = null;
    try {
      troupe = TroupeNode.start(system);
      WorkerConfig cfg = NodeHarness.WORKER;
      troupe.register(s.noop(), cfg, ctx -> CompletableFuture.completedFuture(ctx.payload()));
      ObjectNode message = NodeHarness.JSON.createObjectNode().put("hello", "first message");
      troupe.register(s.emit(), cfg, ctx -> {
        ctx.emit(message);
        return CompletableFuture.completedFuture(null);
      });
      // the first run waits for the cluster to form and the entity to start
      troupe.run(s.noop(), NodeHarness.payload()).toCompletableFuture().get(60, TimeUnit.SECONDS);
      int port = HttpServer.start(troupe, HttpSettings.fromConfig(config)).toCompletableFuture()
          .get(20, TimeUnit.SECONDS).localAddress().getPort();
      System.out.printf("  node up in %.1f s, HTTP on port %d%n", (System.nanoTime() - t0) / 1e9, port);
      Target t = measure(name, "http://127.0.0.1:" + port, "Journal: `" + j.shown() + "`, "
          + version, s);
      problems.addAll(t.problems());
      return new Target(name, t.about(), null, t.throughput(), t.sse(), problems,
          (System.nanoTime() - t0) / 1e9);
    } finally {
      NodeHarness.stop(troupe, system, problems, name);
    }
  }

  /** Runs the chosen workloads against the API at {@code base}. */
  static Target measure(String name, String base, String about, Settings s) throws Exception {
    long t0 = System.nanoTime();
    Client client = new Client(base, s.token(), s.payload());
    List<String> problems = new ArrayList<>();
    List<Throughput> throughput = new ArrayList<>();
    Sse sse = null;
    String runs = "/api/v1/workers/" + s.noop() + "/runs";
    if (s.workloads().contains("accept")) {
      throughput.add(closedLoop(client, "accepted calls", "POST " + runs + " → 202", 202,
          () -> client.post(runs, false).build(), s, problems));
    }
    if (s.workloads().contains("wait")) {
      throughput.add(closedLoop(client, "calls with ?wait=true", "POST " + runs + "?wait=true → 200",
          200, () -> client.post(runs + "?wait=true", false).build(), s, problems));
    }
    if (s.workloads().contains("sse")) {
      sse = sse(client, s, problems);
    }
    return new Target(name, about, null, throughput, sse, problems, (System.nanoTime() - t0) / 1e9);
  }

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

  // SSE time to first message

  /**
   * Calls the emitting worker with {@code Accept: text/event-stream} at {@code sse-rate} per
   * second from one pacing thread (it catches up when late, so the rate holds), follows each
   * stream to its end and records the time from sending to the first complete {@code message}
   * frame; the warm-up is not recorded, then each repetition is a window of {@code seconds}.
   */
  static Sse sse(Client client, Settings s, List<String> problems) throws Exception {
    String notIdle = awaitIdle(client, s.emit());
    String notIdleNoop = awaitIdle(client, s.noop());
    if (notIdle != null || notIdleNoop != null) {
      problems.add("sse: the node was not idle before the workload ("
          + Optional.ofNullable(notIdle).orElse(notIdleNoop) + ")");
    }
    double rate = s.sseRate();
    System.out.printf("  SSE time to first message at %,.0f calls/s: %d s warm-up, %d × %d s%n", rate,
        s.warmupSeconds(), s.reps(), s.seconds());
    String path = "/api/v1/workers/" + s.emit() + "/runs";
    AtomicLong finished = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    List<SseWindow> reps = new ArrayList<>();
    long warmupCalls = (long) (rate * s.warmupSeconds());
    long perRep = (long) (rate * s.seconds());
    long total = warmupCalls + perRep * s.reps();
    // more than five seconds of calls without their end: the node cannot keep up at this rate
    long maxBacklog = Math.max(500, (long) (5 * rate));
    Recorder[] windows = new Recorder[s.reps()];
    for (int i = 0; i < windows.length; i++) {
      windows[i] = new Recorder(3);
    }
    long[] windowStart = new long[s.reps() + 1];
    long[] windowErrors = new long[s.reps() + 1];
    String overload = null;
    long cpu0 = 0;
    long start = System.nanoTime();
    long sent = 0;
    while (sent < total) {
      long backlog = sent - finished.get();
      if (backlog > maxBacklog) {
        overload = String.format(Locale.ROOT, "overloaded: %,d streams had not ended %.1f s after"
            + " the first call (over 5 s worth of calls); cut short", backlog, (System.nanoTime() - start) / 1e9);
        break;
      }
      long due = Math.min(total, (long) ((System.nanoTime() - start) / 1e9 * rate) + 1);
      while (sent < due) {
        int window = sent < warmupCalls ? -1 : (int) ((sent - warmupCalls) / perRep);
        if (window >= 0 && (sent - warmupCalls) % perRep == 0) {
          if (window == 0) {
            cpu0 = Machine.processCpuNanos();
          }
          windowStart[window] = System.nanoTime();
          windowErrors[window] = errors.get();
        }
        Recorder into = window < 0 ? null : windows[window];
        FirstMessage first = new FirstMessage();
        long t0 = System.nanoTime();
        client.http.sendAsync(client.post(path, true).build(),
                HttpResponse.BodyHandlers.fromLineSubscriber(first, FirstMessage::at, null))
            .whenComplete((r, e) -> {
              if (e == null && r.statusCode() == 200 && r.body() > 0) {
                if (into != null) {
                  into.recordValue(Math.max(1, (r.body() - t0) / 1000));
                }
              } else {
                errors.incrementAndGet();
                firstError.compareAndSet(null, e != null ? NodeHarness.describe(e)
                    : r.statusCode() != 200 ? "status " + r.statusCode()
                    : "the stream ended without a message event");
              }
              finished.incrementAndGet();
            });
        sent++;
      }
      LockSupport.parkNanos(200_000);
    }
    long end = System.nanoTime();
    double cpuCores = cpu0 == 0 ? 0 : (double) (Machine.processCpuNanos() - cpu0) / (end - windowStart[0]);
    long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (finished.get() < sent && System.nanoTime() < drainDeadline) {
      Thread.sleep(5);
    }
    if (finished.get() < sent) {
      problems.add(String.format(Locale.ROOT, "sse: %,d of %,d streams had not ended 30 s after the"
          + " last call", sent - finished.get(), sent));
    }
    windowStart[s.reps()] = end;
    windowErrors[s.reps()] = errors.get();
    if (overload == null) {
      for (int i = 0; i < s.reps(); i++) {
        Histogram h = windows[i].getIntervalHistogram();
        double seconds = (windowStart[i + 1] - windowStart[i]) / 1e9;
        SseWindow w = new SseWindow(perRep, perRep / seconds, h, windowErrors[i + 1] - windowErrors[i]);
        reps.add(w);
        System.out.printf("    rep %d: %,d calls at %,.0f/s; first message p50 %s ms, p99 %s ms,"
                + " max %s ms; errors %d%n", i + 1, h.getTotalCount(), w.achievedRate(),
            Stats.ms(h, 50), Stats.ms(h, 99), Stats.msMax(h), w.errors());
      }
      System.out.printf("    this JVM used %.2f cores%n", cpuCores);
    } else {
      System.out.println("    " + overload);
    }
    if (firstError.get() != null) {
      problems.add("sse: " + errors.get() + " calls failed, first: " + firstError.get());
    }
    return new Sse(rate, reps, errors.get(), firstError.get(), overload, cpuCores);
  }

  /** Reads a stream's lines; notes when its first {@code message} frame is complete. */
  static final class FirstMessage implements Flow.Subscriber<String> {
    private volatile long at;
    private String event;

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      if (line.startsWith("event:")) {
        event = line.substring(6).trim();
      } else if (line.isEmpty()) {
        if (at == 0 && "message".equals(event)) {
          at = System.nanoTime();
        }
        event = null;
      }
    }

    @Override
    public void onError(Throwable t) {
      // the response's stage fails with it
    }

    @Override
    public void onComplete() {
      // the response's stage completes with at()
    }

    /** {@link System#nanoTime()} when the first message frame was complete, or 0. */
    long at() {
      return at;
    }
  }

  // the machine

  /** CPU time this JVM has used so far, all threads. */

  // the report

  static String markdown(Settings s, Map<String, String> machine, ZonedDateTime started,
      String loadBefore, String loadAfter, List<Target> targets) {
    StringBuilder b = new StringBuilder();
    b.append(s.section().start()).append('\n');
    b.append("## ").append(s.title()).append("\n\n");
    b.append("Written by `dev.troupe.bench.HttpBenchmark` (module `bench/node/`, outside `mvn verify`)"
        + " on ").append(DocsSection.writtenOn(started)).append(".\n\n");
    b.append(DocsSection.command((s.url() == null && s.dbs().contains("pg")
        ? Postgres.commandPrefix() : "") + s.command()));
    b.append("`bench/run-http.sh` builds the module like `bench/run.sh` and runs `java -Xms2g -Xmx4g"
        + " -cp \"bench/node/target/troupe-bench.jar:bench/node/target/lib/*\" dev.troupe.bench.HttpBenchmark`.\n\n");
    b.append("Load average (1, 5, 15 min, from `/proc/loadavg`): ").append(loadBefore)
        .append(" when it started, ").append(loadAfter).append(" when it ended");
    double before = Machine.oneMinute(loadBefore);
    b.append(before > 0.5 ? String.format(Locale.ROOT, ". The 1-minute load was %.2f, above 0.5,"
        + " before the benchmark began: other work shared the machine's cores, so these figures"
        + " are lower than on an idle machine.%n%n", before) : ".\n\n");
    b.append("### Machine\n\n").append(DocsSection.table(machine)).append('\n');
    b.append("### Client and method\n\n");
    b.append("- Client: `java.net.http.HttpClient` of the JDK above, HTTP/1.1 with keep-alive (its"
        + " connection pool), in the same JVM as the node")
        .append(s.url() == null ? " (the node runs in-process, Troupe's default settings, HTTP on"
            + " a free port of 127.0.0.1, the journal in a fresh database; client and node share"
            + " the cores)" : " (the node is the one at " + s.url() + ")").append(". Workers: `")
        .append(s.noop()).append("` returns its payload, `").append(s.emit())
        .append("` emits one message at once and returns; payload `").append(s.payload())
        .append("`.\n");
    b.append(String.format(Locale.ROOT, "- Runs/s: %d connections, each sending its next request as"
            + " soon as the previous one is answered (closed loop); a %d s warm-up, then %d"
            + " consecutive windows of %d s, each counting the answers with the expected status that"
            + " arrived in it; min/median/max over the windows. Request latency is the time from"
            + " sending to the whole answer, over all windows. *JVM CPU* is the CPU time the"
            + " benchmark's JVM (client and node together) used during the windows, per second of"
            + " wall time, in cores of the %d: on a busy machine it shows the share this JVM"
            + " got.%n", s.connections(), s.warmupSeconds(), s.reps(), s.seconds(),
        Runtime.getRuntime().availableProcessors()));
    b.append(String.format(Locale.ROOT, "- SSE time to first message: `POST /api/v1/workers/%s/runs`"
            + " with `Accept: text/event-stream`, %,.0f calls/s from one pacing thread (open loop),"
            + " each stream read to its end; the time from sending the request to receiving the"
            + " first complete `event: message` frame, in an HdrHistogram (µs precision). A %d s"
            + " warm-up, then %d windows of %d s by the time the call was sent; min/median/max over"
            + " the windows. Each workload starts once the node is idle and its run history has"
            + " caught up.%n%n", s.emit(), s.sseRate(), s.warmupSeconds(), s.reps(), s.seconds()));
    for (Target t : targets) {
      b.append("### ").append(t.name()).append("\n\n");
      if (t.skipped() != null) {
        b.append("Skipped: ").append(t.skipped()).append(".\n\n");
        continue;
      }
      b.append(t.about()).append(String.format(Locale.ROOT, "; this part took %.0f s.%n%n",
          t.seconds()));
      if (!t.throughput().isEmpty()) {
        b.append("| workload | request | connections |");
        for (int i = 1; i <= s.reps(); i++) {
          b.append(" rep ").append(i).append(" /s |");
        }
        b.append(" min /s | median /s | max /s | request p50 ms | p99 ms | max ms | errors | JVM CPU, cores |\n|---|---|---:|");
        b.append("---:|".repeat(s.reps() + 8)).append('\n');
        for (Throughput tp : t.throughput()) {
          double[] v = tp.sorted();
          b.append("| ").append(tp.workload()).append(" | `").append(tp.request()).append("` | ")
              .append(s.connections()).append(" |");
          tp.reps().forEach(w -> b.append(String.format(Locale.ROOT, " %,.0f |", w.perSecond())));
          Histogram h = tp.latency();
          b.append(String.format(Locale.ROOT, " %,.0f | **%,.0f** | %,.0f | %s | %s | %s | %d | %.2f |%n",
              v[0], Stats.median(v), v[v.length - 1], Stats.ms(h, 50), Stats.ms(h, 99),
              Stats.msMax(h), tp.errors(), tp.cpuCores()));
        }
        b.append('\n');
        t.throughput().stream().filter(tp -> tp.backlog() != null).forEach(tp -> b.append("After the ")
            .append(tp.workload()).append(", the node's backlog: ").append(tp.backlog()).append(".\n\n"));
      }
      Sse sse = t.sse();
      if (sse != null) {
        if (sse.overload() != null) {
          b.append(String.format(Locale.ROOT, "SSE time to first message at %,.0f calls/s: %s.%n%n",
              sse.rate(), sse.overload()));
        } else {
          b.append("| SSE calls/s | window | calls measured | first message p50 ms | p99 ms | max ms | errors |\n");
          b.append("|---:|---|---:|---:|---:|---:|---:|\n");
          for (int i = 0; i < sse.reps().size(); i++) {
            SseWindow w = sse.reps().get(i);
            b.append(String.format(Locale.ROOT, "| %,.0f | rep %d | %,d | %s | %s | %s | %d |%n",
                w.achievedRate(), i + 1, w.firstMessage().getTotalCount(),
                Stats.ms(w.firstMessage(), 50), Stats.ms(w.firstMessage(), 99),
                Stats.msMax(w.firstMessage()), w.errors()));
          }
          b.append(String.format(Locale.ROOT, "| %,.0f | min / **median** / max | | %s | %s | %s | %d |%n%n",
              sse.rate(), spread(sse, 50), spread(sse, 99), spread(sse, 100), sse.errors()));
          b.append(String.format(Locale.ROOT, "This JVM (client and node) used %.2f cores during the"
              + " SSE windows.%n%n", sse.cpuCores()));
        }
      }
    }
    List<String> problems = targets.stream().flatMap(t -> t.problems().stream()).toList();
    if (!problems.isEmpty()) {
      b.append("### Problems\n\n");
      problems.forEach(p -> b.append("- ").append(p).append('\n'));
      b.append('\n');
    }
    b.append(s.section().end()).append('\n');
    return b.toString();
  }

  /** "min / **median** / max" over the windows of a percentile (100: the max) in ms. */
  private static String spread(Sse sse, double percentile) {
    double[] v = sse.reps().stream().mapToDouble(w -> (percentile >= 100
        ? w.firstMessage().getMaxValue() : w.firstMessage().getValueAtPercentile(percentile)) / 1000.0)
        .sorted().toArray();
    return v.length == 0 ? "–" : String.format(Locale.ROOT, "%.2f / **%.2f** / %.2f", v[0], Stats.median(v),
        v[v.length - 1]);
  }
}
