package dev.troupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.WorkerConfig;
import dev.troupe.bench.core.BenchNode;
import dev.troupe.bench.core.DocsSection;
import dev.troupe.bench.core.Machine;
import dev.troupe.bench.core.Options;
import dev.troupe.bench.core.Postgres;
import dev.troupe.bench.core.Stats;
import dev.troupe.node.TroupeNode;
import java.nio.file.Path;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.time.format.DateTimeFormatter;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
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
 * The cost of durable run streams: one node, in-process, a worker that emits {@code messages}
 * (10) messages and returns, once with {@code durableStream} on and once off, on H2 and (when
 * configured) PostgreSQL. For each: finished runs per second (each run writes its 13 stream
 * events when durable) and call-to-first-message latency at a fixed rate, every stream followed
 * to its end. Writes its figures between {@code <!-- stream-benchmark:start -->} and {@code
 * <!-- stream-benchmark:end -->} of {@code docs/benchmarks.md}, with the machine, the command and the load average (the cores may be
 * shared). Started by {@code bash bench/run-streams.sh}; options as {@code --key=value}.
 */
public final class StreamBenchmark {
  static final DocsSection SECTION = new DocsSection("stream-benchmark");
  static final String DURABLE = "bench-stream-durable";
  static final String MEMORY = "bench-stream-memory";

  private StreamBenchmark() {}

  record Settings(int n, int warmup, int reps, int inFlight, int messages, double rate,
      int latencySeconds, int latencyWarmupSeconds, List<String> dbs, Path docs, String command) {

    static Settings parse(String[] args) {
      Options o = new Options("bench", args);
      o.check(List.of("n", "warmup", "reps", "in-flight", "messages", "rate", "latency-seconds",
          "latency-warmup-seconds", "db", "docs", "command"), "bench/run-streams.sh");
      return new Settings(o.integer("n", 20_000), o.integer("warmup", 10_000),
          o.integer("reps", 3), o.integer("in-flight", 2_000), o.integer("messages", 10),
          o.decimal("rate", 300), o.integer("latency-seconds", 10),
          o.integer("latency-warmup-seconds", 5), NodeHarness.databases(o),
          o.path("docs", DocsSection.DOCS),
          o.get("command", "java dev.troupe.bench.StreamBenchmark " + String.join(" ", args)));
    }
  }

  /** One stream mode on one database. */
  record Mode(String worker, boolean durable, NodeBenchmark.Throughput throughput,
      Latency latency, String loadBefore, String loadAfter) {}

  record Latency(double achieved, long measured, long failed, Histogram firstMessage,
      String firstError) {}

  record DbReport(String name, String version, String skipped, List<Mode> modes,
      List<String> problems) {}

  public static void main(String[] args) throws Exception {
    Settings o = Settings.parse(args);
    Map<String, String> machine = NodeHarness.machine();
    ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
    System.out.println("Troupe stream benchmark, " + started.format(DateTimeFormatter.ISO_INSTANT));
    machine.forEach((k, v) -> System.out.println("  " + k + ": " + v));
    System.out.println("  options: " + o + "; load average " + Machine.loadAverage());
    List<DbReport> reports = new ArrayList<>();
    if (o.dbs().contains("h2")) {
      reports.add(NodeHarness.onH2("troupe-bench-streams", j -> runOn(j, o)));
    }
    if (o.dbs().contains("pg")) {
      reports.add(NodeHarness.onPostgres("troupe_bench_", j -> runOn(j, o),
          why -> new DbReport("PostgreSQL", null, why, List.of(), List.of())));
    }
    String section = markdown(o, machine, started, reports);
    System.out.println();
    System.out.println(section);
    SECTION.writeInto(o.docs(), section);
    System.out.println("wrote " + o.docs().toAbsolutePath());
    System.exit(0);
  }

  static DbReport runOn(NodeHarness.Journal j, Settings o) throws Exception {
    String name = j.name();
    System.out.println();
    System.out.println("=== " + name + ": " + j.shown());
    ErrorLog.drain();
    String version = NodeHarness.databaseVersion(j);
    ActorSystem<Void> system = ActorSystem.create(Behaviors.empty(), "troupe",
        BenchNode.config(j.url(), j.user(), j.password()));
    List<String> problems = new ArrayList<>();
    List<Mode> modes = new ArrayList<>();
    TroupeNode troupe = null;
    try {
      troupe = TroupeNode.start(system);
      WorkerConfig cfg = NodeHarness.WORKER;
      for (String w : List.of(DURABLE, MEMORY)) {
        troupe.register(w, cfg.withDurableStream(w.equals(DURABLE)), ctx -> {
          for (int i = 0; i < o.messages(); i++) {
            ctx.emit(ctx.newObject().put("i", i));
          }
          return CompletableFuture.completedFuture(ctx.newObject());
        });
        troupe.run(w, NodeHarness.payload()).toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
      NodeBenchmark.Settings s = NodeBenchmark.Settings.parse(new String[] {"--n=" + o.n(),
          "--warmup=" + o.warmup(), "--reps=" + o.reps(), "--in-flight=" + o.inFlight(),
          "--rep-timeout-seconds=300"});
      Materializer mat = Materializer.matFromSystem(system);
      for (String w : List.of(DURABLE, MEMORY)) {
        // each measurement starts once the history projection has caught up with the earlier ones
        NodeHarness.awaitHistoryCaughtUp(troupe);
        String before = Machine.loadAverage();
        NodeBenchmark.Throughput t = NodeBenchmark.throughput(troupe, w, List.of(w),
            s, problems);
        NodeHarness.awaitHistoryCaughtUp(troupe);
        Latency l = latency(troupe, mat, w, o);
        modes.add(new Mode(w, w.equals(DURABLE), t, l, before, Machine.loadAverage()));
      }
    } finally {
      NodeHarness.stop(troupe, system, problems, name);
    }
    return new DbReport(name, version, null, modes, problems);
  }

  /**
   * Calls {@code worker} at the fixed rate from one pacing thread, follows each run's stream to
   * its end from the actor system's dispatcher, and records call() to the first message event.
   */
  static Latency latency(TroupeNode troupe, Materializer mat, String worker, Settings o)
      throws InterruptedException {
    System.out.printf("  %s latency at %,.0f calls/s: %d s warm-up, %d s measured%n", worker,
        o.rate(), o.latencyWarmupSeconds(), o.latencySeconds());
    Recorder first = new Recorder(3);
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<Throwable> firstError = new AtomicReference<>();
    JsonNode payload = NodeHarness.payload();
    long warmupCalls = (long) (o.rate() * o.latencyWarmupSeconds());
    long total = warmupCalls + (long) (o.rate() * o.latencySeconds());
    long start = System.nanoTime();
    long measureStart = start;
    long sent = 0;
    while (sent < total) {
      long due = Math.min(total, (long) ((System.nanoTime() - start) / 1e9 * o.rate()) + 1);
      while (sent < due) {
        if (sent == warmupCalls) {
          measureStart = System.nanoTime();
        }
        boolean measured = sent >= warmupCalls;
        long t0 = System.nanoTime();
        AtomicLong firstAt = new AtomicLong();
        CompletionStage<RunHandle> call;
        try {
          call = troupe.call(worker, payload);
        } catch (RuntimeException e) {
          call = CompletableFuture.failedFuture(e);
        }
        call.thenComposeAsync(h -> h.messages().runWith(Sink.foreach(ev -> {
              if (RunEvent.MESSAGE.equals(ev.type())) {
                firstAt.compareAndSet(0, System.nanoTime());
              }
            }), mat), troupe.system().executionContext())
            .whenComplete((d, e) -> {
              if (e == null && firstAt.get() == 0) {
                e = new IllegalStateException("the stream ended without a message");
              }
              if (e != null) {
                failed.incrementAndGet();
                firstError.compareAndSet(null, e);
                return;
              }
              if (measured) {
                first.recordValue(Math.max(1, (firstAt.get() - t0) / 1000));
              }
              done.incrementAndGet();
            });
        sent++;
      }
      LockSupport.parkNanos(200_000);
    }
    long measureEnd = System.nanoTime();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (done.get() + failed.get() < total && System.nanoTime() < deadline) {
      Thread.sleep(5);
    }
    Histogram h = first.getIntervalHistogram();
    double achieved = (total - warmupCalls) / ((measureEnd - measureStart) / 1e9);
    Throwable e = firstError.get();
    System.out.printf("    achieved %,.0f calls/s; first message p50 %s ms, p99 %s ms; failed %d%n",
        achieved, Stats.ms(h, 50), Stats.ms(h, 99), failed.get());
    return new Latency(achieved, h.getTotalCount(), failed.get(), h,
        e == null ? null : NodeHarness.describe(e));
  }

  // the report

  static String markdown(Settings o, Map<String, String> machine, ZonedDateTime started,
      List<DbReport> reports) {
    StringBuilder b = new StringBuilder();
    b.append(SECTION.start()).append('\n');
    b.append("## Stream benchmark: durable against in-memory run streams\n\n");
    b.append("Written by `dev.troupe.bench.StreamBenchmark` on ")
        .append(DocsSection.writtenOn(started)).append(".\n\n")
        .append(DocsSection.command(pgVariable(reports) + o.command()))
        .append("### Machine\n\n").append(DocsSection.table(machine));
    b.append("\n### Method\n\n");
    b.append("- One node in the benchmark's JVM, Troupe's default settings (run history on), a"
        + " fresh database. Two workers that emit ").append(o.messages())
        .append(" messages and return: `").append(DURABLE).append("` (`durableStream` on, the"
            + " default: each run writes ").append(o.messages() + 3).append(" stream events —"
            + " QUEUED, RUNNING, the messages, the result — in the entity's group commit, and the"
            + " history projects them into `troupe_run_events`) and `").append(MEMORY)
        .append("` (`durableStream` off: only a reservation is written per run).\n");
    b.append("- Throughput: as the node benchmark's hot worker: ").append(Stats.whole(o.n()))
        .append(" runs per repetition after ").append(Stats.whole(o.warmup())).append(" of warm-up, ")
        .append(o.reps()).append(" repetitions, at most ").append(Stats.whole(o.inFlight()))
        .append(" calls not yet accepted; finished runs per second by the worker's stats. Nobody"
            + " subscribes: this is the cost of writing the streams (the history projection"
            + " catches up after it; each measurement starts once it has).\n");
    b.append("- Latency: calls at ").append(Stats.whole(o.rate())).append("/s for ")
        .append(o.latencySeconds()).append(" s after ").append(o.latencyWarmupSeconds())
        .append(" s of warm-up; each accepted run's `RunHandle.messages()` is followed to its"
            + " end (as an SSE client would); `call()` to the first `message` event, in an"
            + " HdrHistogram.\n");
    b.append("- The cores are shared with other work on this machine: the load average (1, 5,"
        + " 15 min) before and after each mode is in the table. Figures under load are lower"
        + " and noisier than on an idle machine.\n");
    List<String> problems = new ArrayList<>();
    for (DbReport r : reports) {
      b.append("\n### ").append(r.name()).append("\n\n");
      if (r.skipped() != null) {
        b.append("Skipped: ").append(r.skipped()).append(".\n");
        continue;
      }
      b.append(r.version()).append(".\n\n");
      b.append("| stream | finished runs/s min | median | max | stream events written/s"
          + " (median) | first message p50 ms | p90 ms | p99 ms | max ms | achieved calls/s |"
          + " failed | load before | load after |\n");
      b.append("|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---|---|\n");
      for (Mode m : r.modes()) {
        Histogram h = m.latency().firstMessage();
        b.append("| ").append(m.durable() ? "durable" : "in memory").append(" | ")
            .append(Stats.whole(m.throughput().min())).append(" | **").append(Stats.whole(m.throughput().median()))
            .append("** | ").append(Stats.whole(m.throughput().max())).append(" | ")
            .append(m.durable() ? Stats.whole(m.throughput().median() * (o.messages() + 3)) : "—")
            .append(" | ").append(Stats.ms(h, 50)).append(" | ")
            .append(Stats.ms(h, 90)).append(" | **").append(Stats.ms(h, 99))
            .append("** | ").append(Stats.msMax(h)).append(" | ")
            .append(Stats.whole(m.latency().achieved())).append(" | ")
            .append(m.latency().failed() + m.throughput().failedCalls()).append(" | ")
            .append(m.loadBefore()).append(" | ").append(m.loadAfter()).append(" |\n");
        if (m.latency().firstError() != null) {
          problems.add(r.name() + " " + m.worker() + ": first error " + m.latency().firstError());
        }
      }
      if (r.modes().size() == 2) {
        double d = r.modes().get(0).throughput().median();
        double v = r.modes().get(1).throughput().median();
        b.append("\nDurable streams ran at ").append(String.format(Locale.ROOT, "%.0f%%", 100 * d / v))
            .append(" of the in-memory rate on ").append(r.name()).append(".\n");
      }
      problems.addAll(r.problems());
    }
    if (!problems.isEmpty()) {
      b.append("\n### Problems\n\n");
      problems.forEach(p -> b.append("- ").append(p).append('\n'));
    }
    b.append(SECTION.end()).append('\n');
    return b.toString();
  }

  /** The PostgreSQL URL variable the command ran with, when PostgreSQL was measured. */
  private static String pgVariable(List<DbReport> reports) {
    boolean pg = reports.stream().anyMatch(r -> r.name().equals("PostgreSQL") && r.skipped() == null);
    return pg ? Postgres.commandPrefix() : "";
  }
}
