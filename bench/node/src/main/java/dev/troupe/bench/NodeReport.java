package dev.troupe.bench;

import static dev.troupe.bench.NodeBenchmark.AIM_P99_MS;
import static dev.troupe.bench.core.Stats.ms;
import static dev.troupe.bench.core.Stats.msMax;
import static dev.troupe.bench.core.Stats.whole;

import dev.troupe.bench.LatencyWorkload.Latency;
import dev.troupe.bench.NodeBenchmark.DbReport;
import dev.troupe.bench.NodeBenchmark.Settings;
import dev.troupe.bench.NodeBenchmark.Throughput;
import dev.troupe.bench.core.DocsSection;
import dev.troupe.bench.core.Postgres;
import java.time.ZonedDateTime;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Optional;

/** The node benchmark's section of {@code docs/benchmarks.md}: method, tables and notes. */
final class NodeReport {
  private NodeReport() {}

  static String markdown(Settings s, Map<String, String> machine, ZonedDateTime started,
      List<DbReport> reports) {
    StringBuilder b = new StringBuilder();
    b.append(s.section().start()).append('\n');
    b.append("## ").append(s.title()).append("\n\n");
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
            + " history projection has caught up with the earlier workloads.\n",
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
    Scenario.methods(s).forEach(m -> b.append("- ").append(m).append('\n'));
    b.append('\n');
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
      for (Scenario.Finding f : r.findings()) {
        b.append("#### ").append(f.title()).append(" (`").append(f.workload()).append("`)\n\n")
            .append(f.table()).append('\n');
      }
    }
    b.append("### Notes\n\n");
    b.append("Where the time goes (a JFR profile, and the runtime failures seen) is in"
        + " `bench/README.md`.\n\n");
    List<String> notes = notes(reports);
    for (String n : notes) {
      b.append("- ").append(n).append('\n');
    }
    b.append(s.section().end()).append('\n');
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
      r.findings().forEach(f -> f.notes().forEach(n -> notes.add(r.name() + ", " + n)));
      r.problems().forEach(notes::add);
    }
    return notes;
  }

  private static String verdict(double measured, double aim) {
    return measured >= aim ? "met" : String.format(Locale.ROOT, "missed (%.0f%%)", 100 * measured / aim);
  }
}
