package dev.troupe.bench.peers;

import dev.troupe.bench.core.DocsSection;
import dev.troupe.bench.core.Machine;
import dev.troupe.bench.core.Options;
import dev.troupe.bench.core.Stats;
import dev.troupe.bench.peers.PeerBenchmark.Target;
import dev.troupe.bench.peers.Results.DurableResult;
import dev.troupe.bench.peers.Results.LatencyRep;
import dev.troupe.bench.peers.Results.SystemResult;
import dev.troupe.bench.peers.Results.ThroughputRep;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;
import java.util.function.ToDoubleFunction;
import java.util.stream.Stream;

/** The markdown section of docs/benchmarks.md, and the ratios the chart draws. */
final class Report {
  static final DocsSection SECTION = new DocsSection("peer-benchmark");
  static final double AIM_RATIO = 2.0;
  static final double AIM_P99_MS = 10.0;
  /** A 1-minute load average above this on 2 cores means other work shared the machine. */
  static final double QUIET_LOAD = 1.5;

  /** One Troupe/peer comparison: how many times better Troupe is (over 1: Troupe ahead). */
  record Advantage(String workload, String peer, double times) {}

  private final Options o;
  private final List<SystemResult> results;
  private final List<DurableResult> durable;
  private final ZonedDateTime started;
  private final double seconds;
  private final String chartLink;

  Report(Options o, List<SystemResult> results, List<DurableResult> durable,
      ZonedDateTime started, double seconds, String chartLink) {
    this.o = o;
    this.results = results;
    this.durable = durable;
    this.started = started;
    this.seconds = seconds;
    this.chartLink = chartLink;
  }

  static String systemName(String system) {
    return switch (system) {
      case "troupe" -> "Troupe";
      case "db-scheduler" -> "db-scheduler";
      case "jobrunr" -> "JobRunr";
      case "pekko" -> "Pekko baseline";
      default -> system;
    };
  }

  private static String label(String targetId) {
    return Target.parse(targetId).label();
  }

  private static boolean troupe(String targetId) {
    return targetId.startsWith("troupe:");
  }

  /** The no-persistence ceiling, compared with Troupe on H2 (its default storage). */
  private static boolean ceiling(String targetId) {
    return "none".equals(storageOf(targetId));
  }

  /** The Troupe run a row is compared with: same storage, or H2 for the ceiling. */
  private Optional<SystemResult> troupeFor(SystemResult r) {
    return troupeOn(ceiling(r.target()) ? "h2" : storageOf(r.target()));
  }

  private static String storageOf(String targetId) {
    return Target.parse(targetId).storage();
  }

  private Optional<SystemResult> troupeOn(String storage) {
    return results.stream().filter(r -> troupe(r.target()) && storageOf(r.target()).equals(storage))
        .findFirst();
  }

  private static double throughput(SystemResult r) {
    return Stats.median(r.throughput(), ThroughputRep::jobsPerSecond);
  }

  private static double p99(List<LatencyRep> reps) {
    return Stats.median(reps, LatencyRep::p99Ms);
  }

  /** Troupe against each peer on the same storage, per workload (the chart's data). */
  List<Advantage> advantages() {
    List<Advantage> out = new ArrayList<>();
    for (SystemResult peer : results) {
      if (troupe(peer.target()) || ceiling(peer.target())) {
        continue;
      }
      Optional<SystemResult> t = troupeOn(storageOf(peer.target()));
      if (t.isEmpty()) {
        continue;
      }
      String name = label(peer.target());
      out.add(new Advantage("1: jobs/s", name, throughput(t.get()) / throughput(peer)));
      out.add(new Advantage("2: enqueue-to-start p99", name,
          p99(peer.startLatency()) / p99(t.get().startLatency())));
      out.add(new Advantage("3: first message p99", name,
          p99(peer.firstMessage()) / p99(t.get().firstMessage())));
    }
    return out;
  }

  String markdown() {
    StringBuilder b = new StringBuilder();
    b.append(SECTION.start()).append('\n');
    b.append("## Troupe and the job systems users would pick instead\n\n");
    b.append("Written by `dev.troupe.bench.peers.PeerBenchmark` (module `bench/peers/`, outside"
        + " `mvn verify`) on ").append(DocsSection.writtenOn(started)).append(String.format(Locale.ROOT,
        "; the run took %.0f min.%n%n", seconds / 60));
    b.append(DocsSection.command(o.get("command", "bash bench/peers.sh")));
    b.append("![Troupe against each peer, times better](").append(chartLink)
        .append(")\n\n");

    b.append("### Machine and versions\n\n").append(DocsSection.table(machine()));
    for (SystemResult r : results) {
      b.append("| ").append(label(r.target())).append(" | ").append(r.version()).append(" on ")
          .append(r.storage()).append(" |\n");
    }
    b.append('\n');

    b.append("### Method\n\n");
    b.append("- Each system runs alone in a JVM of its own (`-Xms2g -Xmx4g`, the harness"
        + " waiting), on a fresh database: a PostgreSQL database created for it on the local"
        + " server, or an H2 file (`jdbc:h2:file:…;DB_CLOSE_ON_EXIT=FALSE;WRITE_DELAY=0`, H2's"
        + " defaults otherwise), dropped afterwards. Load generator and system share that JVM and the 2"
        + " cores (with PostgreSQL when it is used). Systems run one after another. The Pekko"
        + " baseline stores nothing: it is the ceiling, compared with Troupe on H2, and is left"
        + " out of workload 4.\n");
    b.append("- The job bodies are the same code for every system: the no-op job reports its"
        + " start and end to an in-JVM probe; the progress job emits 10 messages 10 ms apart; the"
        + " durability job inserts its id into a ledger table.\n");
    String h2Durability = results.stream().filter(r -> "h2".equals(storageOf(r.target())))
        .map(SystemResult::durability).findFirst().orElse("not measured");
    b.append("- Durability, the same for all: PostgreSQL as the server is configured (")
        .append(results.stream().filter(r -> "pg".equals(storageOf(r.target())))
            .map(SystemResult::durability).findFirst().orElse("not measured"))
        .append(": every commit waits for its WAL flush); H2 as configured (")
        .append(h2Durability)
        .append(h2Durability.contains("WRITE_DELAY=0") ? "; with WRITE_DELAY=0, Troupe's"
            + " default, each commit reaches the OS before it returns, where H2's default of 500 ms"
            + " loses the last commits to a SIGKILL" : "")
        .append("). Every system commits a job before its enqueue returns. A SIGKILL loses"
        + " only what a process had not handed to the OS, so workload 4 tests the systems, not"
        + " the disks.\n");
    b.append(String.format(Locale.ROOT, "- 1: a warm-up of %,d jobs (not reported), then %d"
            + " repetitions of %,d no-op jobs enqueued through each system's path for many jobs"
            + " (see its configuration below); the clock runs from the first enqueue until every"
            + " job body has run and the system's own books count all of them finished (Troupe:"
            + " `stats().runs()`; db-scheduler: its `scheduled_tasks` rows gone; JobRunr:"
            + " `countJobs(SUCCEEDED)`).%n", SystemMain.warmupJobs(o), o.integer("reps", 3),
        o.integer("n", 100_000)));
    b.append(String.format(Locale.ROOT, "- 2: no-op jobs enqueued one by one at %,.0f jobs/s from"
            + " a pacer (4 enqueue threads), %d s warm-up, then %d repetitions of %d s; latency"
            + " from each job's scheduled enqueue time to its body starting, HdrHistogram. It starts"
            + " once the system is idle (Troupe: its run history caught up).%n",
        o.decimal("latency-rate", 200), o.integer("warmup-seconds", 3), o.integer("reps", 3),
        o.integer("latency-seconds", 10)));
    b.append(String.format(Locale.ROOT, "- 3: progress jobs called at %,.0f calls/s, %d s warm-up,"
            + " then %d repetitions of %d s; latency from the call's scheduled time to the caller"
            + " seeing the first of the job's messages (how, per system, below).%n",
        o.decimal("message-rate", 20), o.integer("warmup-seconds", 3), o.integer("reps", 3),
        o.integer("message-seconds", 10)));
    b.append(String.format(Locale.ROOT, "- 4: %,d ledger jobs enqueued in a JVM of their own,"
            + " which is killed with `Process.destroyForcibly()` (SIGKILL) once %.0f%% of them"
            + " are in the ledger; a new JVM starts on the same database and drains. *Lost*: ids"
            + " never in the ledger %d s after the restart; *duplicated*: ledger rows beyond one"
            + " per id (a job executed again: at-least-once).%n%n", o.integer("durable-n", 20_000),
        100 * o.decimal("durable-kill-at", 0.3), o.integer("recovery-seconds", 300)));

    b.append("### Configuration of each system\n\n| system | configuration | progress messages reach"
        + " the caller by |\n|---|---|---|\n");
    for (SystemResult r : results) {
      b.append("| ").append(label(r.target())).append(" | ").append(r.configuration())
          .append(" | ").append(r.progressChannel()).append(" |\n");
    }
    b.append('\n');

    b.append("### 1. 100,000 no-op jobs enqueued then drained (jobs/s, higher is better)\n\n");
    b.append("| system / storage | jobs/s min | median | max | enqueue only, s (median) |"
        + " Troupe/peer (median) |\n|---|---:|---:|---:|---:|---:|\n");
    for (SystemResult r : results) {
      b.append(String.format(Locale.ROOT, "| %s | %,.0f | **%,.0f** | %,.0f | %.1f | %s |%n",
          label(r.target()), Stats.min(r.throughput(), ThroughputRep::jobsPerSecond),
          throughput(r), Stats.max(r.throughput(), ThroughputRep::jobsPerSecond),
          Stats.median(r.throughput(), ThroughputRep::enqueueSeconds),
          ratio(r, x -> throughput(x), true)));
    }
    results.stream().filter(r -> troupe(r.target())).forEach(r -> b.append(String.format(
        Locale.ROOT, "%n%s: its run history (the `troupe_runs` projection, written in the"
            + " background) caught up %.1f s after the last job of workload 1 finished; workload 2"
            + " started only then. The peers have no such work.%n", label(r.target()),
        r.catchUpSeconds())));
    b.append("\nRepetitions: ").append(String.join("; ", results.stream().map(r ->
        label(r.target()) + " " + String.join(", ", r.throughput().stream().map(x ->
            String.format(Locale.ROOT, "%,.0f%s", x.jobsPerSecond(),
                x.complete() ? "" : " (incomplete)")).toList())).toList())).append(".\n\n");

    latencyTable(b, "2. Enqueue-to-start latency at " + Stats.whole(o.decimal("latency-rate", 200))
        + " jobs/s (ms, lower is better)", SystemResult::startLatency);
    latencyTable(b, "3. Call to first progress message at " + Stats.whole(o.decimal("message-rate", 20))
        + " calls/s (ms, lower is better)", SystemResult::firstMessage);

    if (!durable.isEmpty()) {
      b.append("### 4. Killed mid-drain (SIGKILL), restarted on the same database\n\n");
      b.append("| system / storage | jobs | in the ledger at the kill | distinct after restart |"
          + " lost | duplicated | all done after restart, s |\n|---|---:|---:|---:|---:|---:|---:|\n");
      for (DurableResult d : durable) {
        b.append(String.format(Locale.ROOT, "| %s | %,d | %,d | %,d | **%,d** | %,d | %s |%n",
            label(d.target()), d.enqueued(), d.doneAtKill(), d.distinctDone(), d.lost(),
            d.duplicated(), Double.isNaN(d.recoverySeconds()) ? "—"
                : String.format(Locale.ROOT, "%.1f", d.recoverySeconds())));
      }
      b.append('\n');
    }

    b.append("### Load average (1, 5, 15 min) at the start and end of each workload\n\n");
    b.append("| system / storage | workload | at start | at end |\n|---|---|---|---|\n");
    for (SystemResult r : results) {
      r.load().forEach((w, l) -> b.append("| ").append(label(r.target())).append(" | ").append(w)
          .append(" | ").append(l.start()).append(" | ").append(l.end()).append(" |\n"));
    }
    for (DurableResult d : durable) {
      b.append("| ").append(label(d.target())).append(" | kill and restart | ")
          .append(d.load().start()).append(" | ").append(d.load().end()).append(" |\n");
    }
    b.append('\n');

    b.append("### Notes\n\n");
    for (String n : notes()) {
      b.append("- ").append(n).append('\n');
    }
    b.append('\n').append(SECTION.end()).append('\n');
    return b.toString();
  }

  private void latencyTable(StringBuilder b, String title,
      java.util.function.Function<SystemResult, List<LatencyRep>> reps) {
    b.append("### ").append(title).append("\n\n");
    b.append("| system / storage | p50 min | median | max | p99 min | median | max | max seen |"
        + " missing / failed | Troupe/peer p99 (median) |\n"
        + "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n");
    for (SystemResult r : results) {
      List<LatencyRep> l = reps.apply(r);
      b.append(String.format(Locale.ROOT, "| %s | %s | %s | %s | %s | **%s** | %s | %s | %d / %d"
              + " | %s |%n", label(r.target()), ms(Stats.min(l, LatencyRep::p50Ms)),
          ms(Stats.median(l, LatencyRep::p50Ms)), ms(Stats.max(l, LatencyRep::p50Ms)),
          ms(Stats.min(l, LatencyRep::p99Ms)), ms(p99(l)), ms(Stats.max(l, LatencyRep::p99Ms)),
          ms(Stats.max(l, LatencyRep::maxMs)),
          l.stream().mapToLong(LatencyRep::missing).sum(),
          l.stream().mapToLong(LatencyRep::failed).sum(),
          ratio(r, x -> p99(reps.apply(x)), false)));
    }
    b.append('\n');
  }

  /** Troupe's figure over the peer's (same storage), or "—" for Troupe's own rows. */
  private String ratio(SystemResult peer, ToDoubleFunction<SystemResult> f, boolean higherBetter) {
    if (troupe(peer.target())) {
      return "—";
    }
    return troupeFor(peer).map(t -> {
      double r = f.applyAsDouble(t) / f.applyAsDouble(peer);
      boolean ahead = higherBetter ? r > 1 : r < 1;
      return String.format(Locale.ROOT, "%s× (%s)", r < 0.01 ? String.format(Locale.ROOT, "%.4f", r)
          : String.format(Locale.ROOT, "%.2f", r), ceiling(peer.target()) ? "Troupe / H2 against"
          + " the ceiling" : ahead ? "Troupe ahead" : "Troupe behind");
    }).orElse("no Troupe run to compare");
  }

  /** What the figures say against the aims, with how far off each miss is. */
  List<String> notes() {
    List<String> notes = new ArrayList<>();
    double busiest = Stream.concat(results.stream().flatMap(r -> r.load().values().stream()),
            durable.stream().map(DurableResult::load))
        .flatMap(l -> Stream.of(l.start(), l.end()))
        .mapToDouble(Machine::oneMinute).max().orElse(Double.NaN);
    if (busiest > QUIET_LOAD) {
      notes.add(String.format(Locale.ROOT, "**Load**: the 1-minute load average reached %.1f on"
          + " %d cores during this run (table above). It counts every runnable thread: the"
          + " measured system's own and PostgreSQL's backends as well as any other work, so a"
          + " high figure at the end of a workload shows how hard that system drove the machine;"
          + " one already high at the start of a system's first workload means other work ran.",
          busiest, Machine.cores()));
    }
    for (String storage : List.of("pg", "h2")) {
      Optional<SystemResult> t = troupeOn(storage);
      Optional<SystemResult> best = results.stream()
          .filter(r -> !troupe(r.target()) && !ceiling(r.target())
              && storageOf(r.target()).equals(storage))
          .max(java.util.Comparator.comparingDouble(Report::throughput));
      if (t.isEmpty() || best.isEmpty()) {
        continue;
      }
      double ratio = throughput(t.get()) / throughput(best.get());
      notes.add(String.format(Locale.ROOT, "Workload 1 on %s: Troupe %,.0f jobs/s, the best peer"
              + " (%s) %,.0f jobs/s: %.2f×; aim ≥ %.0f×: %s.", "pg".equals(storage)
              ? "PostgreSQL" : "H2", throughput(t.get()), label(best.get().target()),
          throughput(best.get()), ratio, AIM_RATIO, ratio >= AIM_RATIO ? "met"
              : String.format(Locale.ROOT, "**missed**: Troupe would need %,.0f jobs/s, %.0f%%"
                  + " more", AIM_RATIO * throughput(best.get()),
                  100 * (AIM_RATIO * throughput(best.get()) / throughput(t.get()) - 1))));
    }
    results.stream().filter(r -> ceiling(r.target())).findFirst().ifPresent(c ->
        troupeOn("h2").ifPresent(t -> notes.add(String.format(Locale.ROOT, "The ceiling (Pekko,"
            + " nothing stored) ran %,.0f jobs/s; Troupe on H2 reaches %.1f%% of it: the price of"
            + " recording every job.", throughput(c), 100 * throughput(t) / throughput(c)))));
    for (SystemResult r : results) {
      if (!troupe(r.target())) {
        continue;
      }
      double p99 = p99(r.startLatency());
      notes.add(String.format(Locale.ROOT, "Workload 2, %s: p99 enqueue-to-start %.2f ms (median"
              + " of the repetitions); aim < %.0f ms: %s.", label(r.target()), p99, AIM_P99_MS,
          p99 < AIM_P99_MS ? "met" : String.format(Locale.ROOT, "**missed** by %.1f ms (%.1f×)",
              p99 - AIM_P99_MS, p99 / AIM_P99_MS)));
    }
    for (DurableResult d : durable) {
      if (troupe(d.target())) {
        notes.add(String.format(Locale.ROOT, "Workload 4, %s: %,d lost, %,d duplicated; aim zero"
            + " lost: %s.", label(d.target()), d.lost(), d.duplicated(),
            d.lost() == 0 && d.problem() == null ? "met" : "**missed**"));
      }
      if (d.problem() != null) {
        notes.add(label(d.target()) + ", workload 4: " + d.problem() + ".");
      }
    }
    for (Advantage a : advantages()) { // peers only: the ceiling is not a peer
      if (a.times() < 1) {
        notes.add(String.format(Locale.ROOT, "Troupe is behind %s on workload %s: the peer is"
            + " %.2f× better.", a.peer(), a.workload(), 1 / a.times()));
      }
    }
    for (SystemResult r : results) {
      r.problems().forEach(p -> notes.add(label(r.target()) + ": " + p + "."));
    }
    notes.add("What limits Troupe here (JFR profiles), and why the peers' latencies look as they"
        + " do: `bench/README.md`, section *Peer benchmark*.");
    return notes;
  }

  private Map<String, String> machine() {
    Map<String, String> m = new LinkedHashMap<>();
    m.put("CPU", Machine.cpu());
    m.put("cores (availableProcessors)", String.valueOf(Machine.cores()));
    m.put("memory", Machine.memory());
    m.put("OS", Machine.os());
    m.put("JDK", Machine.jdk());
    m.put("JVM flags of each system", String.join(" ", PeerBenchmark.childJvmFlags()));
    return m;
  }

  private static String ms(double v) {
    return Double.isNaN(v) ? "–" : String.format(Locale.ROOT, "%,.2f", v);
  }
}
