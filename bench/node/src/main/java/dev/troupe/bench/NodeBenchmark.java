package dev.troupe.bench;

import static dev.troupe.bench.core.Stats.ms;
import static dev.troupe.bench.core.Stats.msMax;
import static dev.troupe.bench.core.Stats.whole;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunQuery;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerStats;
import dev.troupe.bench.core.BenchNode;
import dev.troupe.bench.core.DocsSection;
import dev.troupe.bench.core.Options;
import dev.troupe.bench.core.Postgres;
import dev.troupe.bench.core.Stats;
import dev.troupe.node.TroupeNode;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Semaphore;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
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
 * {@code <!-- node-benchmark:start -->} and {@code <!-- node-benchmark:end -->} of {@code
 * docs/benchmarks.md}. Started by {@code bash
 * bench/run.sh}; options as {@code --key=value} arguments or {@code -Dbench.key=value} (listed
 * in {@code bench/README.md}). PostgreSQL runs when {@code TROUPE_BENCH_PG_URL} or {@code
 * TROUPE_TEST_PG_URL} is set (user and password from {@code TROUPE_BENCH_PG_USER}/{@code
 * _PASSWORD}, else {@code TROUPE_TEST_PG_USER}/{@code _PASSWORD}, else postgres and empty).
 */
public final class NodeBenchmark {
  static final DocsSection SECTION = new DocsSection("node-benchmark");

  static final String NOOP = "bench-noop";
  static final String EMIT = "bench-emit";
  /** The aims for one worker definition on a 2-core node. */
  static final double AIM_H2 = 10_000;
  static final double AIM_PG = 5_000;
  static final double AIM_P99_MS = 10.0;

  private NodeBenchmark() {}

  // settings

  record Settings(int n, int warmup, int reps, int inFlight, int workers, int latencySeconds,
      int latencyWarmupSeconds, int pollMs, int repTimeoutSeconds, List<String> dbs, Path docs,
      String command, List<String> workloads, List<Double> latencyRates, String latencySink,
      String latencyCallback) {

    static Settings parse(String[] args) {
      Options o = new Options("bench", args);
      o.check(List.of("n", "warmup", "reps", "in-flight", "workers", "latency-seconds",
          "latency-warmup-seconds", "poll-ms", "rep-timeout-seconds", "db", "docs", "command",
          "workloads", "latency-rates", "latency-sink", "latency-callback"), "bench/README.md");
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
          o.get("latency-callback", "async"));
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
          why -> new DbReport("PostgreSQL", null, null, why, List.of(), List.of(), AIM_PG,
              List.of(), 0)));
    }
    String section = markdown(s, machine, started, reports);
    System.out.println();
    System.out.println(section);
    SECTION.writeInto(s.docs(), section);
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
                whole(rate), heavy, last ? "" : "; measured again at a quarter of that rate");
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
      NodeHarness.stop(troupe, system, problems, name);
    }
    return new DbReport(name, j.shown(), version, null, throughput, latency, aim, problems,
        (System.nanoTime() - t0) / 1e9);
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
    JsonNode payload = NodeHarness.payload();
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
        System.out.println("    stats poll failed (retrying): " + NodeHarness.describe(e));
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
        e == null ? null : NodeHarness.describe(e), complete);
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
   * the history's newest {@value #HISTORY_PAGE} runs have all finished there. (Lists by an active
   * status read the entities, not the history, so they cannot tell.)
   */
  private static final int HISTORY_PAGE = RunQuery.MAX_LIMIT;

  static void awaitHistoryCaughtUp(TroupeNode troupe) throws InterruptedException {
    long start = System.nanoTime();
    long deadline = start + TimeUnit.MINUTES.toNanos(3);
    while (System.nanoTime() < deadline) {
      try {
        boolean pending = troupe.runs(new RunQuery(null, null, HISTORY_PAGE, null))
            .toCompletableFuture().get(10, TimeUnit.SECONDS).runs().stream()
            .anyMatch(r -> !r.status().isTerminal());
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
    JsonNode payload = NodeHarness.payload();
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
          whole(rate), done.get() + failed.get(), issuedTotal);
      System.out.println("    " + msg);
      problems.add(msg);
    }
    double achieved = measuredCalls / ((measureEnd - measureStart) / 1e9);
    Histogram fm = firstMessage.getIntervalHistogram();
    Histogram acc = accepted.getIntervalHistogram();
    Throwable e = firstError.get();
    Latency l = new Latency(rate, achieved, measuredCalls, fm.getTotalCount(), failed.get(),
        drained, fm, acc, e == null ? null : NodeHarness.describe(e), reason, overload);
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
      return "the pacer reached only " + whole(l.achievedRate()) + " calls/s";
    }
    if (l.failed() > 0) {
      return l.failed() + " calls or subscriptions failed";
    }
    if (l.firstMessage().getValueAtPercentile(99) / 1000.0 > AIM_P99_MS) {
      return "p99 " + ms(l.firstMessage(), 99) + " ms is over " + whole(AIM_P99_MS) + " ms";
    }
    return null;
  }

  // the report

  static String markdown(Settings s, Map<String, String> machine, ZonedDateTime started,
      List<DbReport> reports) {
    StringBuilder b = new StringBuilder();
    b.append(SECTION.start()).append('\n');
    b.append("## Node benchmark: persisted no-op runs and call-to-first-message latency\n\n");
    b.append("Written by `dev.troupe.bench.NodeBenchmark` (module `bench/node/`, outside `mvn verify`)"
        + " on ").append(DocsSection.writtenOn(started)).append(".\n\n");
    b.append(DocsSection.command((s.dbs().contains("pg") ? Postgres.commandPrefix() : "")
        + s.command()));
    b.append("`bench/run.sh` builds the module with `mvn -B -q -Pbench -pl bench/node -am package"
        + " -DskipTests` and runs `java -Xms2g -Xmx4g -cp \"bench/node/target/troupe-bench.jar:"
        + "bench/node/target/lib/*\" dev.troupe.bench.NodeBenchmark`; PostgreSQL is measured when"
        + " `TROUPE_BENCH_PG_URL` (or `TROUPE_TEST_PG_URL`) is set, in a fresh schema dropped"
        + " afterwards.\n\n");
    b.append("### Machine\n\n").append(DocsSection.table(machine)).append('\n');
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
            + whole(AIM_P99_MS) + " ms |\n");
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
    b.append(SECTION.end()).append('\n');
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
            : p99 < AIM_P99_MS ? ", under the " + whole(AIM_P99_MS) + " ms aim."
            : String.format(Locale.ROOT, ", over the %s ms aim by %.1f ms (%.1f×).",
                whole(AIM_P99_MS), p99 - AIM_P99_MS, p99 / AIM_P99_MS)));
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
              whole(AIM_P99_MS), aimRate, ms(best.get().firstMessage(), 99),
              best.get().targetRate()));
        } else {
          notes.add(String.format(Locale.ROOT, "%s: latency aim (p99 under %s ms at %,.0f calls/s,"
                  + " half the aimed rate) **not met**: %s%s", r.name(), whole(AIM_P99_MS),
              aimRate, best.map(b -> String.format(Locale.ROOT, "the highest rate measured with p99"
                  + " under %s ms was %,.0f calls/s (%.0f%% of %,.0f)", whole(AIM_P99_MS),
                  b.targetRate(), 100 * b.targetRate() / aimRate, aimRate))
                  .orElse("no rate measured had p99 under " + whole(AIM_P99_MS) + " ms"),
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
}
