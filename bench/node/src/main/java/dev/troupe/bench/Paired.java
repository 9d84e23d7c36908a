package dev.troupe.bench;

import dev.troupe.api.CallOptions;
import dev.troupe.bench.NodeBenchmark.Rep;
import dev.troupe.bench.NodeBenchmark.Settings;
import dev.troupe.bench.core.Stats;
import dev.troupe.node.TroupeNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.function.IntFunction;

/**
 * Two variants of a no-op drain measured in turns, as the hot worker is ({@link
 * NodeBenchmark#rep}): a warm-up of each, then {@code reps} rounds of one repetition of each, the
 * variant that goes first alternating from round to round, so that drift (the JIT, the run
 * history catching up) falls on both alike. Reports each variant's median and their ratio.
 */
final class Paired {
  /** One variant: a label, its definitions (round-robin), the options of call {@code i}. */
  record Variant(String label, List<String> workers, IntFunction<CallOptions> options) {}

  /** The repetitions of both variants; {@link #ratio} is b's median over a's. */
  record Result(Variant a, Variant b, int runs, List<Rep> repsA, List<Rep> repsB) {
    double medianA() {
      return Stats.median(repsA, Rep::runsPerSecond);
    }

    double medianB() {
      return Stats.median(repsB, Rep::runsPerSecond);
    }

    double ratio() {
      return medianB() / medianA();
    }

    /** A Markdown table: a row per variant with each repetition's runs/s and the median. */
    String table() {
      StringBuilder t = new StringBuilder("| variant | runs per rep | finished runs/s per rep"
          + " | median | failed calls |\n|---|---:|---|---:|---:|\n");
      row(t, a, repsA, medianA());
      row(t, b, repsB, medianB());
      return t.append(String.format(Locale.ROOT, "%nRatio of the medians (%s / %s): **%.2f**.%n",
          b.label(), a.label(), ratio())).toString();
    }

    private void row(StringBuilder t, Variant v, List<Rep> reps, double median) {
      t.append(String.format(Locale.ROOT, "| %s | %,d | %s | **%,.0f** | %d |%n", v.label(), runs,
          String.join(", ", reps.stream().map(r -> String.format(Locale.ROOT, "%,.0f%s",
              r.runsPerSecond(), r.complete() ? "" : " (incomplete)")).toList()), median,
          reps.stream().mapToLong(Rep::failedCalls).sum()));
    }
  }

  private Paired() {}

  static Result measure(TroupeNode troupe, Settings s, int runs, int warmup, Variant a,
      Variant b, List<String> problems) throws Exception {
    for (Variant v : List.of(a, b)) {
      Rep w = NodeBenchmark.rep(troupe, v.workers(), warmup, s, v.options());
      System.out.printf("    warm-up %s: %,d runs, %,.0f runs/s%n", v.label(), warmup,
          w.runsPerSecond());
    }
    List<Rep> repsA = new ArrayList<>();
    List<Rep> repsB = new ArrayList<>();
    for (int i = 1; i <= s.reps(); i++) {
      boolean aFirst = i % 2 == 1;
      for (Variant v : aFirst ? List.of(a, b) : List.of(b, a)) {
        Rep r = NodeBenchmark.rep(troupe, v.workers(), runs, s, v.options());
        (v == a ? repsA : repsB).add(r);
        System.out.printf("    rep %d %s: %,.0f runs/s finished, %,.0f calls/s accepted, failed"
            + " %d%s%n", i, v.label(), r.runsPerSecond(), r.acceptsPerSecond(), r.failedCalls(),
            r.complete() ? "" : ", INCOMPLETE: " + r.finished() + " finished");
        if (r.firstError() != null) {
          problems.add(v.label() + " rep " + i + ": " + r.failedCalls() + " calls failed, first: "
              + r.firstError());
        }
        if (!r.complete()) {
          problems.add(v.label() + " rep " + i + ": only " + r.finished() + " of " + runs
              + " runs finished within " + s.repTimeoutSeconds() + " s");
        }
      }
    }
    Result res = new Result(a, b, runs, repsA, repsB);
    System.out.printf("    median %s %,.0f runs/s, %s %,.0f runs/s, ratio %.2f%n", a.label(),
        res.medianA(), b.label(), res.medianB(), res.ratio());
    return res;
  }
}
