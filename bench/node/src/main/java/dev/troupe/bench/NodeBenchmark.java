package dev.troupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunStatus;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerStats;
import dev.troupe.node.TroupeConfig;
import dev.troupe.node.TroupeNode;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.DriverManager;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import java.util.stream.Stream;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * Benchmark of one Troupe node, in-process, on H2 and (when configured) PostgreSQL:
 *
 * <ol>
 *   <li>hot worker: persisted no-op runs per second on one worker definition;
 *   <li>many workers: the same spread round-robin over many definitions;
 *   <li>latency: call-to-first-emitted-message p50/p99 at half the hot worker's rate.
 * </ol>
 *
 * <p>Prints the figures and writes them, with the machine and the command, between the markers
 * {@value #START} and {@value #END} of {@code docs/benchmarks.md}. Started by {@code bash
 * bench/run.sh}; options as {@code --key=value} arguments or {@code -Dbench.key=value} (listed
 * in {@code bench/README.md}). PostgreSQL runs when {@code TROUPE_BENCH_PG_URL} or {@code
 * TROUPE_TEST_PG_URL} is set (user and password from {@code TROUPE_BENCH_PG_USER}/{@code
 * _PASSWORD}, else {@code TROUPE_TEST_PG_USER}/{@code _PASSWORD}, else postgres and empty).
 */
public final class NodeBenchmark {
  static final String START = "<!-- node-benchmark:start -->";
  static final String END = "<!-- node-benchmark:end -->";

  static final String NOOP = "bench-noop";
  static final String EMIT = "bench-emit";
  /** The aims for one worker definition on a 2-core node. */
  static final double AIM_H2 = 10_000;
  static final double AIM_PG = 5_000;
  static final double AIM_P99_MS = 10.0;

  static final ObjectMapper JSON = new ObjectMapper();

  private NodeBenchmark() {}

  // settings

  record Settings(int n, int warmup, int reps, int inFlight, int workers, int latencySeconds,
      int latencyWarmupSeconds, int pollMs, int repTimeoutSeconds, List<String> dbs, Path docs,
      String command, List<String> workloads, List<Double> latencyRates, String latencySink,
      String latencyCallback) {

    static Settings parse(String[] args) {
      Map<String, String> opts = new LinkedHashMap<>();
      System.getProperties().forEach((k, v) -> {
        if (k.toString().startsWith("bench.")) {
          opts.put(k.toString().substring("bench.".length()), v.toString());
        }
      });
      for (String a : args) {
        if (!a.startsWith("--") || !a.contains("=")) {
          throw new IllegalArgumentException("arguments are --key=value, got: " + a);
        }
        opts.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
      }
      Settings s = new Settings(
          integer(opts, "n", 100_000),
          integer(opts, "warmup", 30_000),
          integer(opts, "reps", 3),
          integer(opts, "in-flight", 4_000),
          integer(opts, "workers", 50),
          integer(opts, "latency-seconds", 10),
          // a JVM that ran no throughput workload first needs longer to compile the hot paths
          integer(opts, "latency-warmup-seconds",
              opts.getOrDefault("workloads", "hot,many,latency").contains("hot") ? 3 : 15),
          integer(opts, "poll-ms", 20),
          integer(opts, "rep-timeout-seconds", 120),
          List.of(opts.getOrDefault("db", "h2,pg").toLowerCase(Locale.ROOT).split(",")),
          Path.of(opts.getOrDefault("docs", "docs/benchmarks.md")),
          opts.getOrDefault("command", "java dev.troupe.bench.NodeBenchmark " + String.join(" ", args)),
          List.of(opts.getOrDefault("workloads", "hot,many,latency").split(",")),
          opts.containsKey("latency-rates") ? Stream.of(opts.get("latency-rates").split(","))
              .map(x -> Double.parseDouble(x.replace("_", "").trim())).toList() : List.of(),
          opts.getOrDefault("latency-sink", "all"),
          opts.getOrDefault("latency-callback", "async"));
      if (!List.of("all", "head").contains(s.latencySink())) {
        throw new IllegalArgumentException("latency-sink is all or head, got " + s.latencySink());
      }
      if (!List.of("async", "sync").contains(s.latencyCallback())) {
        throw new IllegalArgumentException("latency-callback is async or sync, got "
            + s.latencyCallback());
      }
      opts.keySet().removeAll(List.of("n", "warmup", "reps", "in-flight", "workers",
          "latency-seconds", "latency-warmup-seconds", "poll-ms", "rep-timeout-seconds", "db",
          "docs", "command", "workloads", "latency-rates", "latency-sink", "latency-callback"));
      if (!opts.isEmpty()) {
        throw new IllegalArgumentException("unknown options: " + opts.keySet());
      }
      return s;
    }

    private static int integer(Map<String, String> opts, String key, int def) {
      String v = opts.get(key);
      return v == null ? def : Integer.parseInt(v.replace("_", "").trim());
    }
  }

  // results

  record Throughput(String workload, int definitions, int runs, int inFlight, List<Rep> reps) {
    double min() {
      return reps.stream().mapToDouble(Rep::runsPerSecond).min().orElse(0);
    }

    double median() {
      double[] v = reps.stream().mapToDouble(Rep::runsPerSecond).sorted().toArray();
      return v.length == 0 ? 0 : v.length % 2 == 1 ? v[v.length / 2]
          : (v[v.length / 2 - 1] + v[v.length / 2]) / 2;
    }

    double max() {
      return reps.stream().mapToDouble(Rep::runsPerSecond).max().orElse(0);
    }

    double acceptMedian() {
      double[] v = reps.stream().mapToDouble(Rep::acceptsPerSecond).sorted().toArray();
      return v.length == 0 ? 0 : v[v.length / 2];
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

  /** {@code overload} is null, or why the measurement was cut short (its percentiles are void). */
  record Latency(double targetRate, double achievedRate, long issued, long measured,
      long failed, boolean drained, Histogram firstMessage, Histogram accepted,
      String firstError, String reason, String overload) {}

  record DbReport(String name, String url, String version, String skipped,
      List<Throughput> throughput, List<Latency> latency, double aim, List<String> problems,
      double seconds) {}

  // main

  public static void main(String[] args) throws Exception {
    Settings s = Settings.parse(args);
    Map<String, String> machine = machine();
    ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
    System.out.println("Troupe node benchmark, " + started.format(DateTimeFormatter.ISO_INSTANT));
    machine.forEach((k, v) -> System.out.println("  " + k + ": " + v));
    System.out.println("  settings: " + s);

    List<DbReport> reports = new ArrayList<>();
    if (s.dbs().contains("h2")) {
      Path dir = Files.createTempDirectory("troupe-bench-h2");
      String url = "jdbc:h2:file:" + dir.resolve("troupe").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE";
      try {
        reports.add(runOn("H2 (embedded file database)", url, "sa", "", AIM_H2, s));
      } finally {
        deleteQuietly(dir);
      }
    }
    if (s.dbs().contains("pg")) {
      reports.add(runPostgres(s));
    }
    String section = markdown(s, machine, started, reports);
    System.out.println();
    System.out.println(section);
    writeDocs(s.docs(), section, START, END);
    System.out.println("wrote " + s.docs().toAbsolutePath());
    System.exit(0); // nothing else must keep the JVM up
  }

  private static DbReport runPostgres(Settings s) {
    String base = firstEnv("TROUPE_BENCH_PG_URL", "TROUPE_TEST_PG_URL");
    String name = "PostgreSQL";
    if (base == null) {
      String why = "neither TROUPE_BENCH_PG_URL nor TROUPE_TEST_PG_URL is set"
          + " (e.g. TROUPE_BENCH_PG_URL=jdbc:postgresql://127.0.0.1:5432/test)";
      System.out.println();
      System.out.println("PostgreSQL skipped: " + why);
      return new DbReport(name, null, null, why, List.of(), List.of(), AIM_PG, List.of(), 0);
    }
    String user = Optional.ofNullable(firstEnv("TROUPE_BENCH_PG_USER", "TROUPE_TEST_PG_USER"))
        .orElse("postgres");
    String password = Optional.ofNullable(
        firstEnv("TROUPE_BENCH_PG_PASSWORD", "TROUPE_TEST_PG_PASSWORD")).orElse("");
    String schema = "troupe_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(base, user, password);
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      String why = "PostgreSQL at " + base + " is not usable: " + e.getMessage();
      System.out.println();
      System.out.println("PostgreSQL skipped: " + why);
      return new DbReport(name, base, null, why, List.of(), List.of(), AIM_PG, List.of(), 0);
    }
    String url = base + (base.contains("?") ? "&" : "?") + "currentSchema=" + schema
        + "&reWriteBatchedInserts=true";
    try {
      return runOn(name, url, user, password, AIM_PG, s);
    } finally {
      try (Connection c = DriverManager.getConnection(base, user, password);
          Statement st = c.createStatement()) {
        st.execute("DROP SCHEMA " + schema + " CASCADE");
      } catch (SQLException e) {
        System.out.println("could not drop schema " + schema + ": " + e.getMessage());
      }
    }
  }

  // one database

  static DbReport runOn(String name, String url, String user, String password, double aim,
      Settings s) throws RuntimeException {
    System.out.println();
    System.out.println("=== " + name + ": " + redact(url));
    long t0 = System.nanoTime();
    ErrorLog.drain();
    String version = databaseVersion(url, user, password);
    System.out.println("  database: " + version);
    Config config = TroupeConfig.withDefaults(ConfigFactory.parseString(String.join("\n",
        "troupe.db.url = " + ConfigUtil.quoteString(url),
        "troupe.db.user = " + ConfigUtil.quoteString(user),
        "troupe.db.password = " + ConfigUtil.quoteString(password),
        "troupe.discover-modules = off",
        "troupe.env = production",
        "pekko.loglevel = WARNING",
        "pekko.remote.artery.canonical.port = 0",
        "pekko.coordinated-shutdown.exit-jvm = off",
        "pekko.coordinated-shutdown.run-by-jvm-shutdown-hook = off")));
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "troupe", config);
    List<String> problems = new ArrayList<>();
    List<Throughput> throughput = new ArrayList<>();
    List<Latency> latency = new ArrayList<>();
    TroupeNode troupe = null;
    try {
      troupe = TroupeNode.start(system);
      WorkerConfig cfg = WorkerConfig.DEFAULT.withMaxConcurrent(1000).withQueueCapacity(1_000_000)
          .withRetry(RetryPolicy.NONE);
      troupe.register(NOOP, cfg, ctx -> CompletableFuture.completedFuture(ctx.payload()));
      List<String> many = new ArrayList<>();
      for (int i = 0; i < s.workers(); i++) {
        String w = NOOP + "-" + i;
        troupe.register(w, cfg, ctx -> CompletableFuture.completedFuture(ctx.payload()));
        many.add(w);
      }
      ObjectNode message = JSON.createObjectNode().put("hello", "first message");
      troupe.register(EMIT, cfg, ctx -> {
        ctx.emit(message);
        return CompletableFuture.completedFuture(null);
      });
      // the first run waits for the cluster to form and the entity to start
      troupe.run(NOOP, payload()).toCompletableFuture().get(60, TimeUnit.SECONDS);
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
        Materializer mat = Materializer.matFromSystem(system);
        if (!s.latencyRates().isEmpty()) {
          for (double rate : s.latencyRates()) {
            latency.add(latency(troupe, mat, rate, s, "given rate", problems));
          }
        } else {
          double rate = Math.max(1, Math.floor((hot == null ? 2000 : hot.median()) / 2));
          String reason = "half the hot worker's median rate";
          for (int step = 0; step < 3; step++) {
            Latency l = latency(troupe, mat, rate, s, reason, problems);
            latency.add(l);
            String heavy = tooHeavy(l);
            if (heavy == null) {
              break;
            }
            boolean last = step == 2 || rate <= 25;
            String msg = String.format(Locale.ROOT, "call-to-first-message at %s calls/s: %s%s",
                fmt0(rate), heavy, last ? "" : "; measured again at a quarter of that rate");
            System.out.println("  " + msg);
            if (last) {
              break;
            }
            rate = Math.max(25, Math.floor(rate / 4));
            reason = "a quarter of the previous rate, which was too heavy";
          }
        }
      }
    } catch (Exception e) {
      System.out.println("  FAILED: " + e);
      e.printStackTrace(System.out);
      problems.add(name + ": the benchmark failed: " + e);
    } finally {
      List<String> errors = ErrorLog.drain();
      if (!errors.isEmpty()) {
        problems.add(name + ": the node logged errors during the benchmark (before shutdown): "
            + String.join("; ", errors) + ".");
      }
      shutdown(troupe, system, problems, name);
      ErrorLog.drain(); // shutdown noise of a node that already failed is not news
    }
    return new DbReport(name, redact(url), version, null, throughput, latency, aim, problems,
        (System.nanoTime() - t0) / 1e9);
  }

  private static void shutdown(TroupeNode troupe, ActorSystem<Void> system, List<String> problems,
      String name) {
    try {
      if (troupe != null) {
        troupe.shutdown().toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
      system.terminate();
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
    } catch (Exception e) {
      problems.add(name + ": the node did not shut down cleanly: " + e);
      System.out.println("  shutdown: " + e);
    }
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
    long base = finishedRuns(troupe, workers);
    JsonNode payload = payload();
    Semaphore window = new Semaphore(s.inFlight());
    AtomicLong failed = new AtomicLong();
    AtomicLong accepted = new AtomicLong();
    AtomicLong lastAccept = new AtomicLong();
    AtomicReference<Throwable> firstError = new AtomicReference<>();
    java.util.concurrent.atomic.AtomicBoolean stop = new java.util.concurrent.atomic.AtomicBoolean();
    long start = System.nanoTime();
    Thread issuer = new Thread(() -> {
      for (int i = 0; i < n && !stop.get(); i++) {
        window.acquireUninterruptibly();
        CompletionStage<RunHandle> call;
        try {
          call = troupe.call(workers.get(i % workers.size()), payload);
        } catch (RuntimeException e) {
          call = CompletableFuture.failedFuture(e);
        }
        call.whenComplete((h, e) -> {
          window.release();
          if (e != null) {
            failed.incrementAndGet();
            firstError.compareAndSet(null, e);
          }
          lastAccept.accumulateAndGet(System.nanoTime(), Math::max);
          accepted.incrementAndGet();
        });
      }
    }, "bench-issuer");
    issuer.setDaemon(true);
    issuer.start();
    long deadline = start + TimeUnit.SECONDS.toNanos(s.repTimeoutSeconds());
    long finished;
    boolean complete;
    long lastFinished = 0;
    while (true) {
      try {
        finished = finishedRuns(troupe, workers) - base;
        lastFinished = finished;
      } catch (RuntimeException e) {
        System.out.println("    stats poll failed (retrying): " + describe(e));
        finished = lastFinished;
      }
      if (accepted.get() == n && finished >= n - failed.get()) {
        complete = true;
        break;
      }
      if (System.nanoTime() > deadline) {
        complete = false;
        stop.set(true);
        break;
      }
      Thread.sleep(s.pollMs());
    }
    long end = System.nanoTime();
    double seconds = (end - start) / 1e9;
    double acceptSeconds = accepted.get() == n ? (lastAccept.get() - start) / 1e9 : seconds;
    Throwable e = firstError.get();
    return new Rep(n, finished, seconds, finished / seconds, acceptSeconds,
        (accepted.get() - failed.get()) / acceptSeconds, failed.get(),
        e == null ? null : describe(e), complete);
  }

  /** Finished runs of {@code workers}, summed, from their stats (asked in parallel). */
  static long finishedRuns(TroupeNode troupe, List<String> workers) {
    List<CompletableFuture<WorkerStats>> all = new ArrayList<>();
    for (String w : workers) {
      all.add(troupe.stats(w).toCompletableFuture());
    }
    return all.stream().mapToLong(f -> f.join().runs()).sum();
  }

  // latency

  /**
   * Calls {@code bench-emit} at {@code rate} per second (a pacer that catches up when late, so
   * that the rate holds), subscribes to each run's stream and records the time from call() to
   * the first {@code message} event; the first {@code latency-warmup-seconds} are not recorded.
   */
  /**
   * Waits (up to 3 minutes) until the run history projection has caught up with the runs of the
   * earlier workloads, so that its catching up does not share the cores with the measurement:
   * no run is left QUEUED, RUNNING or RETRYING in the history.
   */
  static void awaitHistoryCaughtUp(TroupeNode troupe) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline) {
      try {
        boolean pending = false;
        for (RunStatus st : List.of(RunStatus.QUEUED, RunStatus.RUNNING, RunStatus.RETRYING)) {
          pending |= !troupe.runs(new RunQuery(null, st, 1, null)).toCompletableFuture()
              .get(10, TimeUnit.SECONDS).runs().isEmpty();
        }
        if (!pending) {
          System.out.printf("    run history caught up after %.1f s%n", (System.nanoTime() - start) / 1e9);
          return;
        }
      } catch (Exception e) {
        // history unavailable (off, or busy): measure anyway
        return;
      }
      Thread.sleep(200);
    }
    System.out.println("    run history still behind after 3 minutes; measuring anyway");
  }

  static Latency latency(TroupeNode troupe, Materializer mat, double rate, Settings s,
      String reason, List<String> problems) throws Exception {
    System.out.printf("  latency at %,.0f calls/s (%s): %d s warm-up, %d s measured%n", rate,
        reason, s.latencyWarmupSeconds(), s.latencySeconds());
    awaitHistoryCaughtUp(troupe);
    Recorder firstMessage = new Recorder(3);
    Recorder accepted = new Recorder(3);
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<Throwable> firstError = new AtomicReference<>();
    JsonNode payload = payload();
    long warmupCalls = (long) (rate * s.latencyWarmupSeconds());
    long total = warmupCalls + (long) (rate * s.latencySeconds());
    long start = System.nanoTime();
    long measureStart = 0;
    long sent = 0;
    String overload = null;
    // more than two seconds of calls without their first message: the node cannot keep up and
    // the backlog only grows; stop rather than wait for a queue of many seconds to drain
    // (during the warm-up, while the JIT compiles, up to five seconds' worth)
    long maxBacklog = Math.max(1000, (long) (2 * rate));
    while (sent < total) {
      long backlog = sent - done.get() - failed.get();
      if (backlog > (sent < warmupCalls ? 5 * maxBacklog / 2 : maxBacklog)) {
        overload = String.format(Locale.ROOT, "overloaded: %,d calls were waiting for their first"
            + " message %.1f s after the first call (%s); cut short", backlog,
            (System.nanoTime() - start) / 1e9, sent < warmupCalls ? "in the warm-up"
                : "over 2 s worth of calls");
        break;
      }
      long due = Math.min(total, (long) ((System.nanoTime() - start) / 1e9 * rate) + 1);
      while (sent < due) {
        boolean measured = sent >= warmupCalls;
        if (sent == warmupCalls) {
          measureStart = System.nanoTime();
        }
        callAndSubscribe(troupe, mat, payload, measured, s, firstMessage, accepted, done, failed,
            firstError);
        sent++;
      }
      LockSupport.parkNanos(200_000);
    }
    long measureEnd = System.nanoTime();
    long issuedTotal = sent;
    long measuredCalls = Math.max(0, sent - warmupCalls);
    if (measureStart == 0) {
      measureStart = start;
    }
    // let the last calls get their first message
    long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (done.get() + failed.get() < issuedTotal && System.nanoTime() < drainDeadline) {
      Thread.sleep(5);
    }
    boolean drained = done.get() + failed.get() >= issuedTotal;
    // the next measurement starts on an idle node: every stream ended, no run left
    long idleDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    boolean idle = false;
    while (System.nanoTime() < idleDeadline) {
      if (done.get() + failed.get() >= issuedTotal) {
        try {
          WorkerStats st = troupe.stats(EMIT).toCompletableFuture().get(10, TimeUnit.SECONDS);
          if (st.running() == 0 && st.queued() == 0) {
            idle = true;
            break;
          }
        } catch (Exception e) {
          // the entity may be busy or restarting; try again
        }
      }
      Thread.sleep(50);
    }
    if (!idle) {
      String msg = String.format(Locale.ROOT, "latency at %s calls/s: the node was not idle 60 s"
          + " after the last call (%d of %d streams ended); the next measurement overlaps it",
          fmt0(rate), done.get() + failed.get(), issuedTotal);
      System.out.println("    " + msg);
      problems.add(msg);
    }
    double achieved = measuredCalls / ((measureEnd - measureStart) / 1e9);
    Histogram fm = firstMessage.getIntervalHistogram();
    Histogram acc = accepted.getIntervalHistogram();
    Throwable e = firstError.get();
    Latency l = new Latency(rate, achieved, measuredCalls, fm.getTotalCount(), failed.get(),
        drained, fm, acc, e == null ? null : describe(e), reason, overload);
    if (overload != null) {
      System.out.println("    " + overload);
    }
    System.out.printf("    achieved %,.0f calls/s; call-to-first-message p50 %s ms, p99 %s ms,"
            + " max %s ms (%,d measured); call accepted p50 %s ms, p99 %s ms; failed %d%s%n",
        achieved, ms(fm, 50), ms(fm, 99), msMax(fm), fm.getTotalCount(), ms(acc, 50), ms(acc, 99),
        failed.get(), drained ? "" : "; NOT all first messages arrived within 15 s after the last call");
    if (e != null) {
      System.out.println("      first error: " + l.firstError());
    }
    return l;
  }

  private static void callAndSubscribe(TroupeNode troupe, Materializer mat, JsonNode payload,
      boolean measured, Settings s, Recorder firstMessage, Recorder accepted, AtomicLong done,
      AtomicLong failed, AtomicReference<Throwable> firstError) {
    String sink = s.latencySink();
    long t0 = System.nanoTime();
    CompletionStage<RunHandle> call;
    try {
      call = troupe.call(EMIT, payload);
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(e);
    }
    AtomicLong firstAt = new AtomicLong();
    java.util.function.Function<RunHandle, CompletionStage<Boolean>> subscribe = h -> {
      if (measured) {
        accepted.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
      }
      if ("head".equals(sink)) {
        // takes the first message and cancels the rest of the stream
        return h.messages().filter(ev -> RunEvent.MESSAGE.equals(ev.type()))
            .runWith(Sink.head(), mat)
            .thenApply(ev -> {
              firstAt.compareAndSet(0, System.nanoTime());
              return true;
            });
      }
      // follows the stream to its end (as an SSE client would), timing its first message
      return h.messages().runWith(Sink.foreach(ev -> {
        if (RunEvent.MESSAGE.equals(ev.type())) {
          firstAt.compareAndSet(0, System.nanoTime());
        }
      }), mat).thenApply(d -> firstAt.get() != 0);
    };
    // "sync": subscribe in the call stage's own continuation, which runs on whichever thread
    // completes it (the worker entity's, as it is); "async": hop to the actor system's dispatcher
    CompletionStage<Boolean> followed = "sync".equals(s.latencyCallback())
        ? call.thenCompose(subscribe)
        : call.thenComposeAsync(subscribe, troupe.system().executionContext());
    followed.whenComplete((gotMessage, e) -> {
      if (e == null && !gotMessage) {
        e = new IllegalStateException("the run's stream ended without a message event");
      }
      if (e != null) {
        failed.incrementAndGet();
        firstError.compareAndSet(null, e);
        return;
      }
      if (measured) {
        firstMessage.recordValue(Math.max(1, (firstAt.get() - t0) / 1000));
      }
      done.incrementAndGet();
    });
  }

  /** Why a latency measurement shows the subscription per run cannot keep up, or null. */
  static String tooHeavy(Latency l) {
    if (l.overload() != null) {
      return l.overload();
    }
    if (!l.drained()) {
      return "first messages were still missing 15 s after the last call";
    }
    if (l.achievedRate() < 0.9 * l.targetRate()) {
      return "the pacer reached only " + fmt0(l.achievedRate()) + " calls/s";
    }
    if (l.failed() > 0) {
      return l.failed() + " calls or subscriptions failed";
    }
    if (l.firstMessage().getValueAtPercentile(99) / 1000.0 > AIM_P99_MS) {
      return "p99 " + ms(l.firstMessage(), 99) + " ms is over " + fmt0(AIM_P99_MS) + " ms";
    }
    return null;
  }

  // the report

  static String markdown(Settings s, Map<String, String> machine, ZonedDateTime started,
      List<DbReport> reports) {
    StringBuilder b = new StringBuilder();
    b.append(START).append('\n');
    b.append("## Node benchmark: persisted no-op runs and call-to-first-message latency\n\n");
    b.append("Written by `dev.troupe.bench.NodeBenchmark` (module `bench/node/`, outside `mvn verify`)"
        + " on ").append(started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
        .append(".\n\n");
    String env = "";
    for (String var : List.of("TROUPE_BENCH_PG_URL", "TROUPE_TEST_PG_URL")) {
      if (System.getenv(var) != null && !System.getenv(var).isBlank() && s.dbs().contains("pg")) {
        env = var + "=" + redact(System.getenv(var)) + " ";
        break;
      }
    }
    b.append("Command (from the repository root):\n\n```\n").append(env).append(s.command())
        .append("\n```\n\n");
    b.append("`bench/run.sh` builds the module with `mvn -B -q -Pbench -pl bench/node -am package"
        + " -DskipTests` and runs `java -Xms2g -Xmx4g -cp \"bench/node/target/troupe-bench.jar:"
        + "bench/node/target/lib/*\" dev.troupe.bench.NodeBenchmark`; PostgreSQL is measured when"
        + " `TROUPE_BENCH_PG_URL` (or `TROUPE_TEST_PG_URL`) is set, in a fresh schema dropped"
        + " afterwards.\n\n");
    b.append("### Machine\n\n| | |\n|---|---|\n");
    machine.forEach((k, v) -> b.append("| ").append(k).append(" | ").append(v).append(" |\n"));
    b.append('\n');
    b.append("### Method\n\n");
    b.append("- One node in the benchmark's JVM (`TroupeNode.start` in an `ActorSystem` made by"
        + " `TroupeConfig.withDefaults`, Troupe's default settings otherwise), the journal in a"
        + " fresh database. The load generator shares the JVM and the cores with the node (and,"
        + " for PostgreSQL, with the database server when it runs on the same machine).\n");
    b.append("- Workers: `bench-noop` (async, returns its payload) and `bench-emit` (emits one"
        + " message, then returns), `maxConcurrent` 1000, `queueCapacity` 1,000,000, no retry."
        + " Payload `{}`.\n");
    b.append(String.format(Locale.ROOT, "- Throughput: %,d runs per repetition after a warm-up of"
            + " %,d, %d repetitions; calls through `Troupe.call` (its stage completes once the run"
            + " is persisted) with at most %,d calls not yet accepted; the clock runs from the"
            + " first call until `Troupe.stats(..).runs()` (finished runs, polled every %d ms)"
            + " has grown by the number of runs. *Accepted/s* is the rate at which the calls'"
            + " stages completed. *Many workers* spreads the calls round-robin over %d"
            + " definitions.\n",
        s.n(), s.warmup(), s.reps(), s.inFlight(), s.pollMs(), s.workers()));
    b.append(String.format(Locale.ROOT, "- Latency: `bench-emit` called at a fixed rate (%s)"
            + " for %d s after a %d s warm-up, from one pacing thread; once a call is accepted its"
            + " `RunHandle.messages()` is %s, subscribed %s, and the time from `call()` to the first `message`"
            + " event is recorded in an HdrHistogram (µs precision). *Accepted* is `call()` to its"
            + " stage completing. Each latency measurement starts on an idle node, once the run"
            + " history projection has caught up with the earlier workloads.\n\n",
        s.latencyRates().isEmpty() ? "half the hot worker's median; while a rate is too heavy"
            + " — more than 2 s worth of calls waiting for their first message (the measurement"
            + " is then cut short), the pacer behind, failures, or p99 over the aim — again at a"
            + " quarter of it, at most 3 rates"
            : "the rates given", s.latencySeconds(), s.latencyWarmupSeconds(),
        "head".equals(s.latencySink())
            ? "run into `Sink.head()` after a filter on `message` (it cancels the rest)"
            : "followed to its end with `Sink.foreach` (as an SSE client would)",
        "sync".equals(s.latencyCallback())
            ? "in the call stage's own continuation (`thenCompose`)"
            : "from the actor system's dispatcher (`thenComposeAsync`)"));
    for (DbReport r : reports) {
      b.append("### ").append(r.name()).append("\n\n");
      if (r.skipped() != null) {
        b.append("Skipped: ").append(r.skipped()).append(".\n\n");
        continue;
      }
      b.append("Journal: `").append(r.url()).append("`, ").append(r.version())
          .append(String.format(Locale.ROOT, "; this part took %.0f s.%n%n", r.seconds()));
      if (!r.throughput().isEmpty()) {
        b.append("| workload | definitions | runs per rep | finished runs/s min | median | max |"
            + " accepted calls/s (median) | failed calls | aim |\n");
        b.append("|---|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Throughput t : r.throughput()) {
          boolean hot = t.definitions() == 1;
          b.append(String.format(Locale.ROOT, "| %s | %d | %,d | %,.0f | **%,.0f** | %,.0f | %,.0f"
                  + " | %d | %s |%n", t.workload(), t.definitions(), t.runs(), t.min(),
              t.median(), t.max(), t.acceptMedian(), t.failedCalls(),
              hot ? String.format(Locale.ROOT, "≥ %,.0f: %s", r.aim(), verdict(t.median(), r.aim()))
                  : "—"));
        }
        b.append('\n');
        b.append("Repetitions (finished runs/s): ");
        List<String> reps = new ArrayList<>();
        for (Throughput t : r.throughput()) {
          reps.add(t.workload() + " " + String.join(", ", t.reps().stream()
              .map(x -> String.format(Locale.ROOT, "%,.0f%s", x.runsPerSecond(),
                  x.complete() ? "" : " (incomplete)")).toList()));
        }
        b.append(String.join("; ", reps)).append(".\n\n");
      }
      if (!r.latency().isEmpty()) {
        b.append("| target calls/s | achieved calls/s | measured runs | first message p50 ms |"
            + " p90 ms | p99 ms | max ms | accepted p50 ms | accepted p99 ms | failed | aim p99 < "
            + fmt0(AIM_P99_MS) + " ms |\n");
        b.append("|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|\n");
        for (Latency l : r.latency()) {
          double p99 = l.firstMessage().getValueAtPercentile(99) / 1000.0;
          if (l.overload() != null) {
            b.append(String.format(Locale.ROOT, "| %,.0f | — | — | %s | | | | | | %d | missed |%n",
                l.targetRate(), l.overload(), l.failed()));
            continue;
          }
          b.append(String.format(Locale.ROOT, "| %,.0f | %,.0f | %,d | %s | %s | **%s** | %s | %s"
                  + " | %s | %d | %s |%n", l.targetRate(), l.achievedRate(), l.measured(),
              ms(l.firstMessage(), 50), ms(l.firstMessage(), 90), ms(l.firstMessage(), 99),
              msMax(l.firstMessage()), ms(l.accepted(), 50), ms(l.accepted(), 99), l.failed(),
              l.measured() == 0 ? "no data" : p99 < AIM_P99_MS ? "met"
                  : String.format(Locale.ROOT, "missed (%.1f×)", p99 / AIM_P99_MS)));
        }
        b.append('\n');
      }
    }
    b.append("### Notes\n\n");
    b.append("Where the time goes (a JFR profile, and the runtime failures seen) is in"
        + " `bench/README.md`.\n\n");
    List<String> notes = notes(reports);
    for (String n : notes) {
      b.append("- ").append(n).append('\n');
    }
    b.append(END).append('\n');
    return b.toString();
  }

  static List<String> notes(List<DbReport> reports) {
    List<String> notes = new ArrayList<>();
    for (DbReport r : reports) {
      if (r.skipped() != null) {
        notes.add(r.name() + " was not measured: " + r.skipped() + ".");
        continue;
      }
      r.throughput().stream().filter(t -> t.definitions() == 1).findFirst().ifPresent(t -> {
        double m = t.median();
        if (m >= r.aim()) {
          notes.add(String.format(Locale.ROOT, "%s, one hot worker: %,.0f runs/s, at or above the"
              + " aim of %,.0f.", r.name(), m, r.aim()));
        } else {
          notes.add(String.format(Locale.ROOT, "%s, one hot worker: %,.0f runs/s is below the aim"
                  + " of %,.0f runs/s by %,.0f (%.0f%% short; the aim is %.1f× the measured"
                  + " rate).", r.name(), m, r.aim(), r.aim() - m, 100 * (1 - m / r.aim()),
              r.aim() / Math.max(1, m)));
        }
      });
      r.throughput().stream().filter(t -> t.definitions() > 1).findFirst().ifPresent(t -> {
        Throughput hot = r.throughput().get(0);
        notes.add(String.format(Locale.ROOT, "%s, %d workers at once: %,.0f runs/s (%.1f× the hot"
            + " worker's rate).", r.name(), t.definitions(), t.median(),
            t.median() / Math.max(1, hot.median())));
      });
      for (Latency l : r.latency()) {
        double p99 = l.firstMessage().getValueAtPercentile(99) / 1000.0;
        if (l.overload() != null) {
          notes.add(String.format(Locale.ROOT, "%s, call-to-first-message at %,.0f calls/s: %s.",
              r.name(), l.targetRate(), l.overload()));
          continue;
        }
        String at = String.format(Locale.ROOT, "%s, call-to-first-message at %,.0f calls/s"
            + " (achieved %,.0f): p50 %s ms, p99 %s ms", r.name(), l.targetRate(),
            l.achievedRate(), ms(l.firstMessage(), 50), ms(l.firstMessage(), 99));
        notes.add(at + (l.measured() == 0 ? ": nothing measured."
            : p99 < AIM_P99_MS ? ", under the " + fmt0(AIM_P99_MS) + " ms aim."
            : String.format(Locale.ROOT, ", over the %s ms aim by %.1f ms (%.1f×).",
                fmt0(AIM_P99_MS), p99 - AIM_P99_MS, p99 / AIM_P99_MS)));
        if (l.firstError() != null) {
          notes.add(r.name() + ": " + l.failed() + " latency calls failed, first: "
              + l.firstError());
        }
      }
      if (!r.latency().isEmpty()) {
        double aimRate = r.aim() / 2;
        Optional<Latency> best = r.latency().stream()
            .filter(l -> l.overload() == null && l.failed() == 0 && l.measured() > 0
                && l.firstMessage().getValueAtPercentile(99) / 1000.0 < AIM_P99_MS)
            .max(Comparator.comparingDouble(Latency::targetRate));
        double top = r.latency().stream().mapToDouble(Latency::targetRate).max().orElse(0);
        if (best.isPresent() && best.get().targetRate() >= aimRate) {
          notes.add(String.format(Locale.ROOT, "%s: latency aim (p99 under %s ms at %,.0f calls/s,"
              + " half the aimed rate) met: p99 %s ms at %,.0f calls/s.", r.name(),
              fmt0(AIM_P99_MS), aimRate, ms(best.get().firstMessage(), 99),
              best.get().targetRate()));
        } else {
          notes.add(String.format(Locale.ROOT, "%s: latency aim (p99 under %s ms at %,.0f calls/s,"
                  + " half the aimed rate) **not met**: %s%s", r.name(), fmt0(AIM_P99_MS),
              aimRate, best.map(b -> String.format(Locale.ROOT, "the highest rate measured with p99"
                  + " under %s ms was %,.0f calls/s (%.0f%% of %,.0f)", fmt0(AIM_P99_MS),
                  b.targetRate(), 100 * b.targetRate() / aimRate, aimRate))
                  .orElse("no rate measured had p99 under " + fmt0(AIM_P99_MS) + " ms"),
              top < aimRate ? String.format(Locale.ROOT, "; no rate as high as %,.0f calls/s was"
                  + " measured (the first rate is half of this node's hot-worker rate).", aimRate)
                  : "; higher rates are in the table above."));
        }
      }
      r.problems().forEach(notes::add);
    }
    return notes;
  }

  private static String verdict(double measured, double aim) {
    return measured >= aim ? "met" : String.format(Locale.ROOT, "missed (%.0f%%)", 100 * measured / aim);
  }

  /**
   * Replaces the section between the markers {@code start} and {@code end}, or appends it; other
   * sections stay.
   */
  static void writeDocs(Path docs, String section, String start, String end) throws IOException {
    Path abs = docs.toAbsolutePath();
    if (abs.getParent() != null) {
      Files.createDirectories(abs.getParent());
    }
    String text = Files.exists(abs) ? Files.readString(abs, StandardCharsets.UTF_8)
        : "# Benchmarks\n\nFigures written by the benchmark harnesses in `bench/`; each keeps"
            + " its own section between its markers.\n\n";
    int a = text.indexOf(start);
    int z = text.indexOf(end);
    String out;
    if (a >= 0 && z > a) {
      int after = z + end.length();
      if (after < text.length() && text.charAt(after) == '\n') {
        after++;
      }
      out = text.substring(0, a) + section + text.substring(after);
    } else {
      out = text + (text.endsWith("\n\n") || text.isEmpty() ? "" : text.endsWith("\n") ? "\n" : "\n\n")
          + section;
    }
    Files.writeString(abs, out, StandardCharsets.UTF_8);
  }

  // the machine and the database

  static Map<String, String> machine() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("CPU", cpuModel());
    m.put("cores (availableProcessors)", String.valueOf(Runtime.getRuntime().availableProcessors()));
    m.put("max heap", (Runtime.getRuntime().maxMemory() >> 20) + " MiB");
    m.put("OS", System.getProperty("os.name") + " " + System.getProperty("os.version") + " ("
        + System.getProperty("os.arch") + ")");
    m.put("JDK", System.getProperty("java.vm.name") + " " + System.getProperty("java.runtime.version",
        System.getProperty("java.version")) + " (" + System.getProperty("java.vendor") + ")");
    m.put("JVM flags", String.join(" ",
        java.lang.management.ManagementFactory.getRuntimeMXBean().getInputArguments().stream()
            .filter(x -> !x.startsWith("-Dbench.command")).toList()));
    m.put("Pekko", org.apache.pekko.Version.current());
    return m;
  }

  private static String cpuModel() {
    Path info = Path.of("/proc/cpuinfo");
    try (Stream<String> lines = Files.lines(info)) {
      return lines.filter(l -> l.startsWith("model name")).map(l -> l.substring(l.indexOf(':') + 1).trim())
          .findFirst().orElse("unknown (no model name in /proc/cpuinfo)");
    } catch (IOException | RuntimeException e) {
      return "unknown (/proc/cpuinfo not readable)";
    }
  }

  static String databaseVersion(String url, String user, String password) {
    try (Connection c = DriverManager.getConnection(url, user, password)) {
      var md = c.getMetaData();
      return md.getDatabaseProductName() + " " + md.getDatabaseProductVersion() + ", driver "
          + md.getDriverVersion();
    } catch (SQLException e) {
      return "version unknown (" + e.getMessage() + ")";
    }
  }

  // helpers

  static JsonNode payload() {
    return JSON.createObjectNode();
  }

  static String firstEnv(String... names) {
    for (String n : names) {
      String v = System.getenv(n);
      if (v != null && !v.isBlank()) {
        return v;
      }
    }
    return null;
  }

  static String redact(String url) {
    return url.replaceAll("(?i)password=[^;&]*", "password=***");
  }

  static String describe(Throwable t) {
    while (t.getCause() != null && (t instanceof java.util.concurrent.CompletionException
        || t instanceof java.util.concurrent.ExecutionException)) {
      t = t.getCause();
    }
    return t.getClass().getName() + ": " + t.getMessage();
  }

  static String ms(Histogram h, double percentile) {
    return h.getTotalCount() == 0 ? "–"
        : String.format(Locale.ROOT, "%.2f", h.getValueAtPercentile(percentile) / 1000.0);
  }

  static String msMax(Histogram h) {
    return h.getTotalCount() == 0 ? "–" : String.format(Locale.ROOT, "%.2f", h.getMaxValue() / 1000.0);
  }

  static String fmt0(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }

  static void deleteQuietly(Path dir) {
    try (Stream<Path> walk = Files.walk(dir)) {
      walk.sorted(Comparator.reverseOrder()).forEach(p -> {
        try {
          Files.deleteIfExists(p);
        } catch (IOException ignored) {
          // a temp folder: the OS cleans it up eventually
        }
      });
    } catch (IOException ignored) {
      // idem
    }
  }
}
