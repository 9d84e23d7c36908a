package dev.troupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.CallOptions;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerStats;
import dev.troupe.bench.LatencyWorkload.Latency;
import dev.troupe.bench.core.BenchNode;
import dev.troupe.bench.core.DocsSection;
import dev.troupe.bench.core.Options;
import dev.troupe.bench.core.Stats;
import dev.troupe.node.TroupeNode;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.function.IntFunction;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;

/**
 * Benchmark of one Troupe node, in-process, on H2 and (when configured) PostgreSQL:
 *
 * <ol>
 *   <li>hot worker: persisted no-op runs per second on one worker definition;
 *   <li>many workers: the same spread round-robin over many definitions;
 *   <li>latency: call-to-first-emitted-message p50/p99 at half the hot worker's rate.
 * </ol>
 *
 * <p>and, when {@code --workloads} names them, the workloads of {@link Scenario}: runs due at one
 * instant, many cron schedules, fairness across concurrency keys, priorities, fan-out to child
 * runs and durable steps.
 *
 * <p>Prints the figures and writes them, with the machine and the command, between the markers
 * {@code <!-- node-benchmark:start -->} and {@code <!-- node-benchmark:end -->} of {@code
 * docs/benchmarks.md}. Started by {@code bash
 * bench/run.sh}; options as {@code --key=value} arguments or {@code -Dbench.key=value} (listed
 * in {@code bench/README.md}). PostgreSQL runs when {@code TROUPE_BENCH_PG_URL} or {@code
 * TROUPE_TEST_PG_URL} is set (user and password from {@code TROUPE_BENCH_PG_USER}/{@code
 * _PASSWORD}, else {@code TROUPE_TEST_PG_USER}/{@code _PASSWORD}, else postgres and empty).
 */
public final class NodeBenchmark {

  static final String NOOP = "bench-noop";
  static final String EMIT = "bench-emit";
  /** The aims for one worker definition on a 2-core node. */
  static final double AIM_H2 = 10_000;
  static final double AIM_PG = 5_000;
  static final double AIM_P99_MS = 10.0;
  /** The workloads of this class; the others are {@link Scenario#WORKLOADS}. */
  static final List<String> WORKLOADS = List.of("hot", "many", "latency");

  private NodeBenchmark() {}

  // settings

  record Settings(int n, int warmup, int reps, int inFlight, int workers, int latencySeconds,
      int latencyWarmupSeconds, int pollMs, int repTimeoutSeconds, List<String> dbs, Path docs,
      String command, List<String> workloads, List<Double> latencyRates, String latencySink,
      String latencyCallback, DocsSection section, String title, Scenario.Settings scenarios) {

    static Settings parse(String[] args) {
      Options o = new Options("bench", args);
      List<String> keys = new ArrayList<>(List.of("n", "warmup", "reps", "in-flight", "workers",
          "latency-seconds", "latency-warmup-seconds", "poll-ms", "rep-timeout-seconds", "db",
          "docs", "command", "workloads", "latency-rates", "latency-sink", "latency-callback",
          "section", "title"));
      keys.addAll(Scenario.KEYS);
      o.check(keys, "bench/README.md");
      Settings s = new Settings(
          o.integer("n", 100_000),
          o.integer("warmup", 30_000),
          o.integer("reps", 3),
          o.integer("in-flight", 4_000),
          o.integer("workers", 50),
          o.integer("latency-seconds", 10),
          // a JVM that ran no throughput workload first needs longer to compile the hot paths
          o.integer("latency-warmup-seconds", o.get("workloads", "hot,many,latency").contains("hot") ? 3 : 15),
          o.integer("poll-ms", 20),
          o.integer("rep-timeout-seconds", 120),
          NodeHarness.databases(o),
          o.path("docs", DocsSection.DOCS),
          o.get("command", "java dev.troupe.bench.NodeBenchmark " + String.join(" ", args)),
          o.list("workloads", "hot,many,latency"),
          o.decimals("latency-rates"),
          o.get("latency-sink", "all"),
          o.get("latency-callback", "async"),
          new DocsSection(o.get("section", "node-benchmark")),
          o.get("title", "Node benchmark: persisted no-op runs and call-to-first-message latency"),
          Scenario.Settings.parse(o, o.integer("n", 100_000), o.integer("warmup", 30_000)));
      for (String w : s.workloads()) {
        if (!WORKLOADS.contains(w) && !Scenario.WORKLOADS.contains(w)) {
          throw new IllegalArgumentException("unknown workload " + w + "; known: " + WORKLOADS
              + " and " + Scenario.WORKLOADS);
        }
      }
      if (!List.of("all", "head").contains(s.latencySink())) {
        throw new IllegalArgumentException("latency-sink is all or head, got " + s.latencySink());
      }
      if (!List.of("async", "sync").contains(s.latencyCallback())) {
        throw new IllegalArgumentException("latency-callback is async or sync, got "
            + s.latencyCallback());
      }
      return s;
    }
  }

  // results

  record Throughput(String workload, int definitions, int runs, int inFlight, List<Rep> reps) {
    double min() {
      return Stats.min(reps, Rep::runsPerSecond);
    }

    double median() {
      return Stats.median(reps, Rep::runsPerSecond);
    }

    double max() {
      return Stats.max(reps, Rep::runsPerSecond);
    }

    double acceptMedian() {
      return Stats.median(reps, Rep::acceptsPerSecond);
    }

    long failedCalls() {
      return reps.stream().mapToLong(Rep::failedCalls).sum();
    }

    boolean complete() {
      return reps.stream().allMatch(Rep::complete);
    }
  }

  /** One measured repetition: runs finished (stats) and calls accepted (persisted) per second. */
  record Rep(int runs, long finished, double seconds, double runsPerSecond, double acceptSeconds,
      double acceptsPerSecond, long failedCalls, String firstError, boolean complete) {}

  record DbReport(String name, String url, String version, String skipped,
      List<Throughput> throughput, List<Latency> latency, List<Scenario.Finding> findings,
      double aim, List<String> problems, double seconds) {}

  // main

  public static void main(String[] args) throws Exception {
    Settings s = Settings.parse(args);
    Map<String, String> machine = NodeHarness.machine();
    ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
    System.out.println("Troupe node benchmark, " + started.format(DateTimeFormatter.ISO_INSTANT));
    machine.forEach((k, v) -> System.out.println("  " + k + ": " + v));
    System.out.println("  settings: " + s);

    List<DbReport> reports = new ArrayList<>();
    if (s.dbs().contains("h2")) {
      reports.add(NodeHarness.onH2("troupe-bench-h2", j -> runOn(j, AIM_H2, s)));
    }
    if (s.dbs().contains("pg")) {
      reports.add(NodeHarness.onPostgres("troupe_bench_", j -> runOn(j, AIM_PG, s),
          why -> new DbReport("PostgreSQL", null, null, why, List.of(), List.of(), List.of(), AIM_PG,
              List.of(), 0)));
    }
    String section = NodeReport.markdown(s, machine, started, reports);
    System.out.println();
    System.out.println(section);
    s.section().writeInto(s.docs(), section);
    System.out.println("wrote " + s.docs().toAbsolutePath());
    System.exit(0); // nothing else must keep the JVM up
  }

  // one database

  static DbReport runOn(NodeHarness.Journal j, double aim, Settings s) {
    String name = j.name();
    System.out.println();
    System.out.println("=== " + name + ": " + j.shown());
    long t0 = System.nanoTime();
    ErrorLog.drain();
    String version = NodeHarness.databaseVersion(j);
    System.out.println("  database: " + version);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "troupe",
        BenchNode.config(j.url(), j.user(), j.password()));
    List<String> problems = new ArrayList<>();
    List<Throughput> throughput = new ArrayList<>();
    List<Latency> latency = new ArrayList<>();
    List<Scenario.Finding> findings = new ArrayList<>();
    TroupeNode troupe = null;
    try {
      troupe = TroupeNode.start(system);
      WorkerConfig cfg = NodeHarness.WORKER;
      troupe.register(NOOP, cfg, ctx -> CompletableFuture.completedFuture(ctx.payload()));
      List<String> many = new ArrayList<>();
      for (int i = 0; i < s.workers(); i++) {
        String w = NOOP + "-" + i;
        troupe.register(w, cfg, ctx -> CompletableFuture.completedFuture(ctx.payload()));
        many.add(w);
      }
      ObjectNode message = NodeHarness.JSON.createObjectNode().put("hello", "first message");
      troupe.register(EMIT, cfg, ctx -> {
        ctx.emit(message);
        return CompletableFuture.completedFuture(null);
      });
      // the first run waits for the cluster to form and the entity to start
      troupe.run(NOOP, NodeHarness.payload()).toCompletableFuture().get(60, TimeUnit.SECONDS);
      System.out.printf("  node up in %.1f s%n", (System.nanoTime() - t0) / 1e9);

      Throughput hot = null;
      if (s.workloads().contains("hot")) {
        hot = throughput(troupe, "hot worker", List.of(NOOP), s, problems);
        throughput.add(hot);
      }
      if (s.workloads().contains("many") && s.workers() > 0) {
        throughput.add(throughput(troupe, "many workers", many, s, problems));
      }
      if (s.workloads().contains("latency") && s.latencySeconds() > 0) {
        latency.addAll(LatencyWorkload.measure(troupe, hot == null ? Double.NaN : hot.median(), s,
            problems));
      }
      findings.addAll(Scenario.run(troupe, s, hot == null ? Double.NaN : hot.median(), problems));
    } catch (Exception e) {
      System.out.println("  FAILED: " + e);
      e.printStackTrace(System.out);
      problems.add(name + ": the benchmark failed: " + e);
    } finally {
      NodeHarness.stop(troupe, system, problems, name);
    }
    return new DbReport(name, j.shown(), version, null, throughput, latency, findings, aim,
        problems, (System.nanoTime() - t0) / 1e9);
  }

  // throughput

  static Throughput throughput(TroupeNode troupe, String workload, List<String> workers,
      Settings s, List<String> problems) throws Exception {
    System.out.printf("  %s (%d definition%s): warm-up %,d runs%n", workload, workers.size(),
        workers.size() == 1 ? "" : "s", s.warmup());
    if (s.warmup() > 0) {
      Rep w = rep(troupe, workers, s.warmup(), s);
      System.out.printf("    warm-up: %,.0f runs/s%s%n", w.runsPerSecond(),
          w.complete() ? "" : " (incomplete: " + w.finished() + " finished)");
    }
    List<Rep> reps = new ArrayList<>();
    for (int i = 1; i <= s.reps(); i++) {
      Rep r = rep(troupe, workers, s.n(), s);
      reps.add(r);
      System.out.printf("    rep %d: %,d runs in %.2f s = %,.0f runs/s finished;"
              + " accepted (persisted) in %.2f s = %,.0f calls/s; failed calls %d%s%n",
          i, r.runs(), r.seconds(), r.runsPerSecond(), r.acceptSeconds(), r.acceptsPerSecond(),
          r.failedCalls(), r.complete() ? "" : " INCOMPLETE: " + r.finished() + " finished");
      if (r.firstError() != null) {
        System.out.println("      first error: " + r.firstError());
        problems.add(workload + " rep " + i + ": " + r.failedCalls() + " calls failed, first: "
            + r.firstError());
      }
      if (!r.complete()) {
        problems.add(workload + " rep " + i + ": only " + r.finished() + " of " + r.runs()
            + " runs finished within " + s.repTimeoutSeconds() + " s");
      }
    }
    Throughput t = new Throughput(workload, workers.size(), s.n(), s.inFlight(), reps);
    System.out.printf("    %s: min %,.0f / median %,.0f / max %,.0f runs/s%n", workload, t.min(),
        t.median(), t.max());
    return t;
  }

  /**
   * Issues {@code n} calls round-robin over {@code workers} with at most {@code in-flight}
   * unaccepted calls, and times from the first call until the definitions' stats count {@code n}
   * more finished runs.
   */
  static Rep rep(TroupeNode troupe, List<String> workers, int n, Settings s) throws Exception {
    return rep(troupe, workers, n, s, i -> CallOptions.NONE);
  }

  /** As {@link #rep(TroupeNode, List, int, Settings)}, call {@code i} with {@code options(i)}. */
  static Rep rep(TroupeNode troupe, List<String> workers, int n, Settings s,
      IntFunction<CallOptions> options) throws Exception {
    long base = finishedRuns(troupe, workers);
    JsonNode payload = NodeHarness.payload();
    long start = System.nanoTime();
    Calls calls = Calls.start(n, s.inFlight(),
        i -> troupe.call(workers.get(i % workers.size()), payload, options.apply(i)));
    long deadline = start + TimeUnit.SECONDS.toNanos(s.repTimeoutSeconds());
    long finished;
    boolean complete;
    long lastFinished = 0;
    while (true) {
      try {
        finished = finishedRuns(troupe, workers) - base;
        lastFinished = finished;
      } catch (RuntimeException e) {
        System.out.println("    stats poll failed (retrying): " + NodeHarness.describe(e));
        finished = lastFinished;
      }
      if (calls.done() == n && finished >= n - calls.failed()) {
        complete = true;
        break;
      }
      if (System.nanoTime() > deadline) {
        complete = false;
        calls.stop();
        break;
      }
      Thread.sleep(s.pollMs());
    }
    long end = System.nanoTime();
    double seconds = (end - start) / 1e9;
    double acceptSeconds = calls.done() == n ? (calls.lastCompletionNanos() - start) / 1e9 : seconds;
    return new Rep(n, finished, seconds, finished / seconds, acceptSeconds,
        calls.completed() / acceptSeconds, calls.failed(), calls.firstError(), complete);
  }

  /** Finished runs of {@code workers}, summed, from their stats (asked in parallel). */
  static long finishedRuns(TroupeNode troupe, List<String> workers) {
    List<CompletableFuture<WorkerStats>> all = new ArrayList<>();
    for (String w : workers) {
      all.add(troupe.stats(w).toCompletableFuture());
    }
    return all.stream().mapToLong(f -> f.join().runs()).sum();
  }
}
