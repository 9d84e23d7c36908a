package dev.troupe.bench.peers;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.troupe.bench.core.DocsSection;
import dev.troupe.bench.core.Machine;
import dev.troupe.bench.core.Options;
import dev.troupe.bench.core.Postgres;
import dev.troupe.bench.core.TempH2;
import dev.troupe.bench.peers.Results.DurableResult;
import dev.troupe.bench.peers.Results.Load;
import dev.troupe.bench.peers.Results.SystemResult;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.SQLException;
import java.sql.Statement;
import java.time.ZoneOffset;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;

/**
 * Troupe side by side with db-scheduler and JobRunr on the same machine, one system after another
 * in one run, each in a JVM of its own ({@link SystemMain}) on a fresh database:
 *
 * <ol>
 *   <li>100,000 no-op jobs enqueued then drained: jobs/s from the first enqueue to the last
 *       completion;
 *   <li>enqueue-to-start latency at a fixed moderate rate;
 *   <li>call to first progress message seen by the caller, for a job that emits 10;
 *   <li>durability: the JVM is killed (SIGKILL) mid-drain and restarted on the same database; the
 *       ledger counts lost and duplicated jobs.
 * </ol>
 *
 * <p>Writes its section between {@code <!-- peer-benchmark:start -->} and {@code
 * <!-- peer-benchmark:end -->} of docs/benchmarks.md and the ratios chart. Started by {@code bash bench/peers.sh}; options in
 * bench/README.md.
 */
public final class PeerBenchmark {
  static final Set<String> OPTIONS = Set.of("targets", "n", "warmup", "reps", "latency-rate",
      "latency-seconds", "warmup-seconds", "message-rate", "message-seconds", "durable-n",
      "durable-kill-at", "recovery-seconds", "workloads", "docs", "chart", "command",
      "jobrunr-workers", "results", "from");

  private static final ObjectMapper JSON = new ObjectMapper();

  private PeerBenchmark() {}

  /** Everything one run measured: what the report and the chart are made of. */
  record Run(String started, double seconds, Map<String, String> options,
      List<SystemResult> results, List<DurableResult> durable) {}

  /** A system on a storage, e.g. "jobrunr:pg". */
  record Target(String system, String storage) {
    static Target parse(String s) {
      String[] p = s.trim().split(":");
      return new Target(p[0], p[1]);
    }

    String label() {
      return Report.systemName(system) + " / " + Storage.label(storage);
    }

    String id() {
      return system + ":" + storage;
    }
  }

  public static void main(String[] args) throws Exception {
    Options o = new Options("peers", args);
    o.check(OPTIONS, "bench/README.md");
    List<Target> targets = o.list("targets",
        "pekko:none,troupe:h2,troupe:pg,db-scheduler:pg,jobrunr:pg,jobrunr:h2").stream()
        .map(Target::parse).toList();
    List<String> workloads = o.list("workloads", "measure,durable");
    Databases dbs = new Databases();
    ZonedDateTime started = ZonedDateTime.now(ZoneOffset.UTC);
    long t0 = System.nanoTime();
    System.out.println("Troupe peer benchmark, " + started);
    System.out.println("  load average at start: " + Machine.loadAverage());

    Run run;
    if (o.get("from", null) != null) {
      // the report and chart again from the figures of an earlier run
      run = JSON.readValue(Path.of(o.get("from", null)).toFile(), Run.class);
    } else {
      List<SystemResult> results = new ArrayList<>();
      if (workloads.contains("measure")) {
        for (Target t : targets) {
          results.add(measure(t, o, dbs));
        }
      }
      List<DurableResult> durable = new ArrayList<>();
      if (workloads.contains("durable")) {
        // a system with no persistence loses every job not run yet: nothing to measure
        for (Target t : targets.stream().filter(x -> !"none".equals(x.storage())).toList()) {
          durable.add(durable(t, o, dbs));
        }
      }
      run = new Run(started.toString(), (System.nanoTime() - t0) / 1e9, o.values(), results,
          durable);
      Path saved = Path.of(o.get("results", "bench/peers/target/peer-results.json"));
      Files.createDirectories(saved.toAbsolutePath().getParent());
      JSON.writerWithDefaultPrettyPrinter().writeValue(saved.toFile(), run);
      System.out.println("figures saved in " + saved);
    }
    Path docs = o.path("docs", DocsSection.DOCS);
    Path chart = Path.of(o.get("chart", "docs/peer-benchmark-ratios.png"));
    Report report = new Report(new Options(run.options()), run.results(), run.durable(),
        ZonedDateTime.parse(run.started()), run.seconds(),
        docs.toAbsolutePath().getParent().relativize(chart.toAbsolutePath()).toString());
    String section = report.markdown();
    System.out.println();
    System.out.println(section);
    Report.SECTION.writeInto(docs, section);
    Chart.write(report, chart);
    System.out.println("wrote " + docs + " and " + chart);
    System.exit(0);
  }

  // workloads 1 to 3

  static SystemResult measure(Target t, Options o, Databases dbs) throws Exception {
    System.out.println();
    System.out.println("=== " + t.label() + ": workloads 1-3");
    Storage storage = dbs.create(t.storage());
    Path out = Files.createTempFile("peer-result", ".json");
    try {
      List<String> args = new ArrayList<>(List.of("--mode=measure", "--system=" + t.system(),
          "--target=" + t.id(), "--out=" + out));
      args.addAll(storage.args("db"));
      for (String k : List.of("n", "warmup", "reps", "latency-rate", "latency-seconds",
          "warmup-seconds", "message-rate", "message-seconds", "jobrunr-workers")) {
        Optional.ofNullable(o.get(k, null)).ifPresent(v -> args.add("--" + k + "=" + v));
      }
      Process p = child(args).inheritIO().start();
      int exit = p.waitFor();
      if (exit != 0 || Files.size(out) == 0) {
        return failed(t, "the measuring JVM exited with " + exit + " and no result");
      }
      return JSON.readValue(out.toFile(), SystemResult.class);
    } catch (IOException | RuntimeException e) {
      return failed(t, "the measurement failed: " + e);
    } finally {
      Files.deleteIfExists(out);
      dbs.drop(storage);
    }
  }

  private static SystemResult failed(Target t, String why) {
    System.out.println("  " + why);
    return new SystemResult(t.id(), "?", "?", "?", "?", "?", List.of(), Double.NaN, List.of(),
        List.of(), Map.of(), List.of(why));
  }

  // workload 4

  /**
   * Enqueues the durability jobs in a child JVM, kills it with SIGKILL once a share of them has
   * completed, starts a new JVM on the same database and counts, in the ledger, jobs that never
   * completed and jobs that completed more than once.
   */
  static DurableResult durable(Target t, Options o, Databases dbs) throws Exception {
    int n = o.integer("durable-n", 20_000);
    double killAt = o.decimal("durable-kill-at", 0.3);
    int recoverySeconds = o.integer("recovery-seconds", 300);
    System.out.println();
    System.out.println("=== " + t.label() + ": workload 4 (kill mid-drain, restart)");
    String loadStart = Machine.loadAverage();
    Storage storage = dbs.create(t.storage());
    Storage ledger = dbs.create("pg");
    Process p = null;
    try {
      Ledger.createTable(ledger);
      List<String> base = new ArrayList<>(List.of("--system=" + t.system(), "--n=" + n));
      Optional.ofNullable(o.get("jobrunr-workers", null))
          .ifPresent(v -> base.add("--jobrunr-workers=" + v));
      base.addAll(storage.args("db"));
      base.addAll(ledger.args("ledger"));

      List<String> first = new ArrayList<>(base);
      first.add("--mode=durable-enqueue");
      p = child(first).redirectErrorStream(true).start();
      watch(p, SystemMain.ENQUEUED, t.label() + " #1").get(300, TimeUnit.SECONDS);
      long[] counts = ledgerCounts(ledger);
      if (counts[1] >= n) {
        p.destroyForcibly().waitFor();
        return new DurableResult(t.id(), n, counts[1], counts[1], counts[0], 0,
            counts[0] - counts[1], 0, new Load(loadStart, Machine.loadAverage()),
            "all jobs completed before the kill: not measured mid-drain (raise durable-n)");
      }
      long killDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(300);
      while (ledgerCounts(ledger)[1] < killAt * n && System.nanoTime() < killDeadline) {
        Thread.sleep(5);
      }
      p.destroyForcibly().waitFor();
      long doneAtKill = ledgerCounts(ledger)[1];
      System.out.printf("  SIGKILL with %,d of %,d jobs completed%n", doneAtKill, n);

      List<String> second = new ArrayList<>(base);
      second.add("--mode=durable-drain");
      long restart = System.nanoTime();
      p = child(second).redirectErrorStream(true).start();
      watch(p, SystemMain.STARTED, t.label() + " #2").get(300, TimeUnit.SECONDS);
      long deadline = restart + TimeUnit.SECONDS.toNanos(recoverySeconds);
      while (ledgerCounts(ledger)[1] < n && System.nanoTime() < deadline) {
        Thread.sleep(20);
      }
      double recovered = (System.nanoTime() - restart) / 1e9;
      Thread.sleep(5_000); // executions still under way when the last id showed may yet add rows
      p.destroyForcibly().waitFor();
      counts = ledgerCounts(ledger);
      long lost = n - counts[1];
      DurableResult r = new DurableResult(t.id(), n, doneAtKill, counts[1], counts[0], lost,
          counts[0] - counts[1], lost == 0 ? recovered : Double.NaN,
          new Load(loadStart, Machine.loadAverage()),
          lost == 0 ? null : lost + " jobs had not completed " + recoverySeconds
              + " s after the restart");
      System.out.printf("  after restart: %,d distinct of %,d, %,d rows: lost %,d, duplicated %,d;"
          + " all done %.1f s after the restart%n", counts[1], n, counts[0], lost,
          r.duplicated(), recovered);
      return r;
    } catch (Exception e) {
      e.printStackTrace(System.out);
      return new DurableResult(t.id(), n, 0, 0, 0, n, 0, Double.NaN,
          new Load(loadStart, Machine.loadAverage()), "the run failed: " + e);
    } finally {
      if (p != null) {
        p.destroyForcibly().waitFor();
      }
      dbs.drop(storage);
      dbs.drop(ledger);
    }
  }

  /** Rows and distinct job ids in the ledger. */
  private static long[] ledgerCounts(Storage ledger) throws SQLException {
    try (Connection c = ledger.connect(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery(
            "SELECT count(*), count(DISTINCT job_id) FROM " + Ledger.TABLE)) {
      rs.next();
      return new long[] {rs.getLong(1), rs.getLong(2)};
    }
  }

  /** Echoes the child's output with a prefix; completes when {@code marker} is printed. */
  private static CompletableFuture<Void> watch(Process p, String marker, String prefix) {
    CompletableFuture<Void> seen = new CompletableFuture<>();
    Thread reader = new Thread(() -> {
      try (BufferedReader r = new BufferedReader(
          new InputStreamReader(p.getInputStream(), StandardCharsets.UTF_8))) {
        String line;
        while ((line = r.readLine()) != null) {
          System.out.println("  [" + prefix + "] " + line);
          if (line.contains(marker)) {
            seen.complete(null);
          }
        }
      } catch (IOException e) {
        // the child was killed
      }
      seen.completeExceptionally(new IllegalStateException(prefix + " ended before " + marker));
    }, "child-output");
    reader.setDaemon(true);
    reader.start();
    return seen;
  }

  /** A JVM like this one (same classpath) running {@link SystemMain}. */
  static ProcessBuilder child(List<String> args) {
    List<String> cmd = new ArrayList<>();
    cmd.add(Path.of(System.getProperty("java.home"), "bin", "java").toString());
    cmd.addAll(childJvmFlags());
    cmd.add("-cp");
    cmd.add(System.getProperty("java.class.path"));
    cmd.add(SystemMain.class.getName());
    cmd.addAll(args);
    return new ProcessBuilder(cmd);
  }

  /** Heap as in bench/run.sh; extra flags (e.g. JFR) from PEERS_CHILD_JAVA_OPTS. */
  static List<String> childJvmFlags() {
    List<String> flags = new ArrayList<>(List.of("-Xms2g", "-Xmx4g"));
    String extra = System.getenv("PEERS_CHILD_JAVA_OPTS");
    if (extra != null && !extra.isBlank()) {
      flags.addAll(List.of(extra.trim().split("\\s+")));
    }
    return flags;
  }

  /** Fresh databases for each system: a PostgreSQL database or an H2 file, dropped after. */
  static final class Databases {
    /** The server the databases are created on: the environment's, else the local one. */
    private final Postgres admin = adminServer();
    private final Map<String, TempH2> h2Files = new HashMap<>();
    private final String run = UUID.randomUUID().toString().replace("-", "").substring(0, 8);
    private int next;

    Storage create(String kind) throws SQLException, IOException {
      if ("none".equals(kind)) {
        return new Storage("none", "", "", "");
      }
      if ("h2".equals(kind)) {
        // WRITE_DELAY=0 for every system (Troupe's own default): a commit reaches the OS before
        // it returns, so a SIGKILL loses no committed job; H2's 500 ms would lose the last ones
        TempH2 h2 = TempH2.create("troupe-peers-h2", "db", ";DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0");
        h2Files.put(h2.url(), h2);
        return new Storage("h2", h2.url(), "sa", "");
      }
      String name = "troupe_peers_" + run + "_" + (next++);
      admin.execute("CREATE DATABASE " + name);
      String url = admin.url().replaceFirst("(jdbc:postgresql://[^/]+/)[^?]*", "$1" + name);
      return new Storage("pg", Postgres.withParameters(url, "reWriteBatchedInserts=true"),
          admin.user(), admin.password());
    }

    void drop(Storage s) {
      if (s.postgres()) {
        String name = s.url().replaceFirst("jdbc:postgresql://[^/]+/([^?]*).*", "$1");
        try {
          admin.execute("DROP DATABASE IF EXISTS " + name + " WITH (FORCE)");
        } catch (SQLException e) {
          System.out.println("  could not drop " + s.url() + ": " + e.getMessage());
        }
      } else if (h2Files.containsKey(s.url())) {
        h2Files.remove(s.url()).close();
      }
    }

    private static Postgres adminServer() {
      Postgres env = Postgres.fromEnvironment();
      return env.url() != null ? env
          : new Postgres("jdbc:postgresql://127.0.0.1:5432/test", env.user(), env.password());
    }
  }
}
