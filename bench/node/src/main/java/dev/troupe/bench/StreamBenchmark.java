package dev.troupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import com.typesafe.config.ConfigFactory;
import com.typesafe.config.ConfigUtil;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.TroupeConfig;
import dev.troupe.node.TroupeNode;
import java.io.IOException;
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
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.UUID;
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
 * to its end. Writes its figures between {@value #START} and {@value #END} of {@code
 * docs/benchmarks.md}, with the machine, the command and the load average (the cores may be
 * shared). Started by {@code bash bench/run-streams.sh}; options as {@code --key=value}.
 */
public final class StreamBenchmark {
  static final String START = "<!-- stream-benchmark:start -->";
  static final String END = "<!-- stream-benchmark:end -->";
  static final String DURABLE = "bench-stream-durable";
  static final String MEMORY = "bench-stream-memory";

  private StreamBenchmark() {}

  record Options(int n, int warmup, int reps, int inFlight, int messages, double rate,
      int latencySeconds, int latencyWarmupSeconds, List<String> dbs, Path docs, String command) {

    static Options parse(String[] args) {
      Map<String, String> o = new LinkedHashMap<>();
      for (String a : args) {
        if (!a.startsWith("--") || !a.contains("=")) {
          throw new IllegalArgumentException("arguments are --key=value, got: " + a);
        }
        o.put(a.substring(2, a.indexOf('=')), a.substring(a.indexOf('=') + 1));
      }
      Options opts = new Options(integer(o, "n", 20_000), integer(o, "warmup", 10_000),
          integer(o, "reps", 3), integer(o, "in-flight", 2_000), integer(o, "messages", 10),
          Double.parseDouble(o.getOrDefault("rate", "300")), integer(o, "latency-seconds", 10),
          integer(o, "latency-warmup-seconds", 5),
          List.of(o.getOrDefault("db", "h2,pg").toLowerCase(Locale.ROOT).split(",")),
          Path.of(o.getOrDefault("docs", "docs/benchmarks.md")),
          System.getProperty("bench.command", "java dev.troupe.bench.StreamBenchmark "
              + String.join(" ", args)));
      o.keySet().removeAll(List.of("n", "warmup", "reps", "in-flight", "messages", "rate",
          "latency-seconds", "latency-warmup-seconds", "db", "docs"));
      if (!o.isEmpty()) {
        throw new IllegalArgumentException("unknown options: " + o.keySet());
      }
      return opts;
    }

    private static int integer(Map<String, String> o, String key, int def) {
      String v = o.get(key);
      return v == null ? def : Integer.parseInt(v.replace("_", "").trim());
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
    Options o = Options.parse(args);
    Map<String, String> machine = NodeBenchmark.machine();
    ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
    System.out.println("Troupe stream benchmark, " + started.format(DateTimeFormatter.ISO_INSTANT));
    machine.forEach((k, v) -> System.out.println("  " + k + ": " + v));
    System.out.println("  options: " + o + "; load average " + loadAverage());
    List<DbReport> reports = new ArrayList<>();
    if (o.dbs().contains("h2")) {
      Path dir = Files.createTempDirectory("troupe-bench-streams");
      try {
        reports.add(runOn("H2 (embedded file database)", "jdbc:h2:file:"
            + dir.resolve("troupe").toAbsolutePath() + ";DB_CLOSE_ON_EXIT=FALSE", "sa", "", o));
      } finally {
        NodeBenchmark.deleteQuietly(dir);
      }
    }
    if (o.dbs().contains("pg")) {
      reports.add(runPostgres(o));
    }
    String section = markdown(o, machine, started, reports);
    System.out.println();
    System.out.println(section);
    NodeBenchmark.writeDocs(o.docs(), section, START, END);
    System.out.println("wrote " + o.docs().toAbsolutePath());
    System.exit(0);
  }

  private static DbReport runPostgres(Options o) throws Exception {
    String base = NodeBenchmark.firstEnv("TROUPE_BENCH_PG_URL", "TROUPE_TEST_PG_URL");
    if (base == null) {
      return new DbReport("PostgreSQL", null, "neither TROUPE_BENCH_PG_URL nor"
          + " TROUPE_TEST_PG_URL is set", List.of(), List.of());
    }
    String user = Optional.ofNullable(NodeBenchmark.firstEnv("TROUPE_BENCH_PG_USER",
        "TROUPE_TEST_PG_USER")).orElse("postgres");
    String password = Optional.ofNullable(NodeBenchmark.firstEnv("TROUPE_BENCH_PG_PASSWORD",
        "TROUPE_TEST_PG_PASSWORD")).orElse("");
    String schema = "troupe_bench_" + UUID.randomUUID().toString().replace("-", "").substring(0, 12);
    try (Connection c = DriverManager.getConnection(base, user, password);
        Statement st = c.createStatement()) {
      st.execute("CREATE SCHEMA " + schema);
    } catch (SQLException e) {
      return new DbReport("PostgreSQL", null, "PostgreSQL at " + base + " is not usable: "
          + e.getMessage(), List.of(), List.of());
    }
    try {
      return runOn("PostgreSQL", base + (base.contains("?") ? "&" : "?") + "currentSchema="
          + schema + "&reWriteBatchedInserts=true", user, password, o);
    } finally {
      try (Connection c = DriverManager.getConnection(base, user, password);
          Statement st = c.createStatement()) {
        st.execute("DROP SCHEMA " + schema + " CASCADE");
      } catch (SQLException e) {
        System.out.println("could not drop schema " + schema + ": " + e.getMessage());
      }
    }
  }

  static DbReport runOn(String name, String url, String user, String password, Options o)
      throws Exception {
    System.out.println();
    System.out.println("=== " + name + ": " + NodeBenchmark.redact(url));
    ErrorLog.drain();
    String version = NodeBenchmark.databaseVersion(url, user, password);
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
    List<Mode> modes = new ArrayList<>();
    TroupeNode troupe = TroupeNode.start(system);
    try {
      WorkerConfig cfg = WorkerConfig.DEFAULT.withMaxConcurrent(1000).withQueueCapacity(1_000_000)
          .withRetry(RetryPolicy.NONE);
      for (String w : List.of(DURABLE, MEMORY)) {
        troupe.register(w, cfg.withDurableStream(w.equals(DURABLE)), ctx -> {
          for (int i = 0; i < o.messages(); i++) {
            ctx.emit(ctx.newObject().put("i", i));
          }
          return CompletableFuture.completedFuture(ctx.newObject());
        });
        troupe.run(w, NodeBenchmark.payload()).toCompletableFuture().get(60, TimeUnit.SECONDS);
      }
      NodeBenchmark.Settings s = NodeBenchmark.Settings.parse(new String[] {"--n=" + o.n(),
          "--warmup=" + o.warmup(), "--reps=" + o.reps(), "--in-flight=" + o.inFlight(),
          "--rep-timeout-seconds=300"});
      Materializer mat = Materializer.matFromSystem(system);
      for (String w : List.of(DURABLE, MEMORY)) {
        // each measurement starts once the history projection has caught up with the earlier ones
        NodeBenchmark.awaitHistoryCaughtUp(troupe);
        String before = loadAverage();
        NodeBenchmark.Throughput t = NodeBenchmark.throughput(troupe, w, List.of(w),
            s, problems);
        NodeBenchmark.awaitHistoryCaughtUp(troupe);
        Latency l = latency(troupe, mat, w, o);
        modes.add(new Mode(w, w.equals(DURABLE), t, l, before, loadAverage()));
      }
    } finally {
      List<String> errors = ErrorLog.drain();
      if (!errors.isEmpty()) {
        problems.add(name + ": the node logged errors: " + String.join("; ", errors));
      }
      troupe.shutdown().toCompletableFuture().get(60, TimeUnit.SECONDS);
      system.getWhenTerminated().toCompletableFuture().get(60, TimeUnit.SECONDS);
      ErrorLog.drain();
    }
    return new DbReport(name, version, null, modes, problems);
  }

  /**
   * Calls {@code worker} at the fixed rate from one pacing thread, follows each run's stream to
   * its end from the actor system's dispatcher, and records call() to the first message event.
   */
  static Latency latency(TroupeNode troupe, Materializer mat, String worker, Options o)
      throws InterruptedException {
    System.out.printf("  %s latency at %,.0f calls/s: %d s warm-up, %d s measured%n", worker,
        o.rate(), o.latencyWarmupSeconds(), o.latencySeconds());
    Recorder first = new Recorder(3);
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<Throwable> firstError = new AtomicReference<>();
    JsonNode payload = NodeBenchmark.payload();
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
        achieved, NodeBenchmark.ms(h, 50), NodeBenchmark.ms(h, 99), failed.get());
    return new Latency(achieved, h.getTotalCount(), failed.get(), h,
        e == null ? null : NodeBenchmark.describe(e));
  }

  static String loadAverage() {
    try {
      String[] f = Files.readString(Path.of("/proc/loadavg")).trim().split("\\s+");
      return f[0] + " " + f[1] + " " + f[2];
    } catch (IOException | RuntimeException e) {
      return "unknown";
    }
  }

  // the report

  static String markdown(Options o, Map<String, String> machine, ZonedDateTime started,
      List<DbReport> reports) {
    StringBuilder b = new StringBuilder();
    b.append(START).append('\n');
    b.append("## Stream benchmark: durable against in-memory run streams\n\n");
    b.append("Written by `dev.troupe.bench.StreamBenchmark` on ")
        .append(started.format(DateTimeFormatter.ofPattern("yyyy-MM-dd HH:mm 'UTC'")))
        .append(".\n\nCommand (from the repository root):\n\n```\n").append(pgVariable(reports))
        .append(o.command())
        .append("\n```\n\n### Machine\n\n| | |\n|---|---|\n");
    machine.forEach((k, v) -> b.append("| ").append(k).append(" | ").append(v).append(" |\n"));
    b.append("\n### Method\n\n");
    b.append("- One node in the benchmark's JVM, Troupe's default settings (run history on), a"
        + " fresh database. Two workers that emit ").append(o.messages())
        .append(" messages and return: `").append(DURABLE).append("` (`durableStream` on, the"
            + " default: each run writes ").append(o.messages() + 3).append(" stream events —"
            + " QUEUED, RUNNING, the messages, the result — in the entity's group commit, and the"
            + " history projects them into `troupe_run_events`) and `").append(MEMORY)
        .append("` (`durableStream` off: only a reservation is written per run).\n");
    b.append("- Throughput: as the node benchmark's hot worker: ").append(fmt(o.n()))
        .append(" runs per repetition after ").append(fmt(o.warmup())).append(" of warm-up, ")
        .append(o.reps()).append(" repetitions, at most ").append(fmt(o.inFlight()))
        .append(" calls not yet accepted; finished runs per second by the worker's stats. Nobody"
            + " subscribes: this is the cost of writing the streams (the history projection"
            + " catches up after it; each measurement starts once it has).\n");
    b.append("- Latency: calls at ").append(fmt(o.rate())).append("/s for ")
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
            .append(fmt(m.throughput().min())).append(" | **").append(fmt(m.throughput().median()))
            .append("** | ").append(fmt(m.throughput().max())).append(" | ")
            .append(m.durable() ? fmt(m.throughput().median() * (o.messages() + 3)) : "—")
            .append(" | ").append(NodeBenchmark.ms(h, 50)).append(" | ")
            .append(NodeBenchmark.ms(h, 90)).append(" | **").append(NodeBenchmark.ms(h, 99))
            .append("** | ").append(NodeBenchmark.msMax(h)).append(" | ")
            .append(fmt(m.latency().achieved())).append(" | ")
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
    b.append(END).append('\n');
    return b.toString();
  }

  /** The PostgreSQL URL variable the command ran with, when PostgreSQL was measured. */
  private static String pgVariable(List<DbReport> reports) {
    boolean pg = reports.stream().anyMatch(r -> r.name().equals("PostgreSQL") && r.skipped() == null);
    String var = System.getenv("TROUPE_BENCH_PG_URL") != null ? "TROUPE_BENCH_PG_URL"
        : "TROUPE_TEST_PG_URL";
    return pg ? var + "=" + NodeBenchmark.redact(System.getenv(var)) + " " : "";
  }

  private static String fmt(double v) {
    return String.format(Locale.ROOT, "%,.0f", v);
  }
}
