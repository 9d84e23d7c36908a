package dev.troupe.bench;

import dev.troupe.api.CallOptions;
import dev.troupe.bench.Scenario.Finding;
import dev.troupe.bench.Scenario.Settings;
import dev.troupe.node.TroupeNode;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;

/**
 * {@code due-at-once}: {@code due-runs} runs of a no-op definition ({@code bench-due}) called with
 * {@link CallOptions#runAt} set to one instant {@code due-lead-seconds} after the first call. The
 * handler notes the wall-clock time it is invoked; the harness reports the time from the instant
 * to the first start (the aim: within 100 ms) and to the last, and the drain rate: runs divided by
 * the time from the instant until {@code Troupe.stats(..).runs()} (polled every {@code poll-ms})
 * counts them all finished, next to the hot worker's median of the same run when it ran.
 */
final class DueAtOnceWorkload {
  static final String DUE = "bench-due";
  static final double AIM_FIRST_START_MS = 100;

  private DueAtOnceWorkload() {}

  static String method(Settings x) {
    return String.format(Locale.ROOT, "*due-at-once*: %,d calls of `bench-due` (a no-op) with"
        + " `CallOptions.runAt` set to one instant %d s after the first call (at most `in-flight`"
        + " calls not yet accepted); the handler notes the wall-clock time it starts. *First start*"
        + " and *last start* are measured from the instant; *drained* is the time from the instant"
        + " until `Troupe.stats(..).runs()` counts every run finished, and the drain rate is the"
        + " runs over it, next to the hot worker's median of the same run when `hot` ran too. Aim:"
        + " first start within %.0f ms.", x.dueRuns(), x.dueLeadSeconds(), AIM_FIRST_START_MS);
  }

  static Finding run(TroupeNode troupe, Settings x, NodeBenchmark.Settings s, double hotMedian,
      List<String> problems) throws Exception {
    AtomicLong firstStart = new AtomicLong(Long.MAX_VALUE);
    AtomicLong lastStart = new AtomicLong(Long.MIN_VALUE);
    troupe.register(DUE, NodeHarness.WORKER, ctx -> {
      long now = micros(Instant.now());
      firstStart.accumulateAndGet(now, Math::min);
      lastStart.accumulateAndGet(now, Math::max);
      return CompletableFuture.completedFuture(ctx.payload());
    });
    // the definition's entity starts with a first run, which is not measured
    troupe.run(DUE, NodeHarness.payload()).toCompletableFuture().get(60, TimeUnit.SECONDS);
    firstStart.set(Long.MAX_VALUE);
    lastStart.set(Long.MIN_VALUE);
    long base = NodeBenchmark.finishedRuns(troupe, List.of(DUE));
    int n = x.dueRuns();
    Instant at = Instant.now().plusSeconds(x.dueLeadSeconds()).truncatedTo(ChronoUnit.MILLIS);
    long t0 = System.nanoTime();
    CallOptions options = CallOptions.NONE.runAt(at);
    Calls calls = Calls.run(n, s.inFlight(),
        i -> troupe.call(DUE, NodeHarness.payload(), options),
        x.dueLeadSeconds() + s.repTimeoutSeconds());
    double acceptSeconds = (calls.lastCompletionNanos() - t0) / 1e9;
    System.out.printf("    %,d calls accepted in %.2f s (the instant is %d s after the first),"
        + " failed %d%n", calls.completed(), acceptSeconds, x.dueLeadSeconds(), calls.failed());
    if (calls.failed() > 0) {
      problems.add("due-at-once: " + calls.failed() + " calls failed, first: " + calls.firstError());
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(x.dueLeadSeconds()
        + s.repTimeoutSeconds());
    long finished = 0;
    while (finished < calls.completed() && System.nanoTime() < deadline) {
      Thread.sleep(s.pollMs());
      finished = NodeBenchmark.finishedRuns(troupe, List.of(DUE)) - base;
    }
    Instant drainedAt = Instant.now();
    boolean complete = finished >= calls.completed();
    double drainSeconds = (micros(drainedAt) - micros(at)) / 1e6;
    boolean started = firstStart.get() != Long.MAX_VALUE;
    double firstMs = started ? (firstStart.get() - micros(at)) / 1e3 : Double.NaN;
    double lastMs = started ? (lastStart.get() - micros(at)) / 1e3 : Double.NaN;
    double rate = finished / drainSeconds;
    boolean lateAccept = acceptSeconds > x.dueLeadSeconds();
    System.out.printf("    first start %+.1f ms after the instant, last %+.1f ms; %,d finished"
            + " %.2f s after it: %,.0f runs/s%s%n", firstMs, lastMs, finished, drainSeconds, rate,
        complete ? "" : " INCOMPLETE");
    List<String> notes = new ArrayList<>();
    if (firstMs < 0) {
      notes.add(String.format(Locale.ROOT, "due-at-once: a run started %.1f ms **before** its"
          + " instant.", -firstMs));
    }
    if (lateAccept) {
      notes.add(String.format(Locale.ROOT, "due-at-once: accepting the calls took %.1f s, longer"
          + " than the %d s lead: runs were still being called when the first became due, so the"
          + " figures are not those of runs all due at once (raise `due-lead-seconds`).",
          acceptSeconds, x.dueLeadSeconds()));
    }
    if (!complete) {
      problems.add(String.format(Locale.ROOT, "due-at-once: only %,d of %,d runs finished", finished,
          calls.completed()));
    }
    notes.add(String.format(Locale.ROOT, "due-at-once: first start %.1f ms after the instant: the"
        + " aim of %.0f ms %s; drained at %,.0f runs/s%s.", firstMs, AIM_FIRST_START_MS,
        firstMs <= AIM_FIRST_START_MS ? "is met" : "is **not met**", rate,
        Double.isNaN(hotMedian) ? " (the hot worker did not run: select `hot` as well to compare)"
            : String.format(Locale.ROOT, ", %.2f× the hot worker's %,.0f runs/s", rate / hotMedian,
                hotMedian)));
    String table = "| runs | lead s | calls accepted in s | first start after the instant ms |"
        + " last start ms | all finished after s | drain runs/s | hot worker runs/s | drain / hot"
        + " | failed calls |\n|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        + String.format(Locale.ROOT, "| %,d | %d | %.2f | **%.1f** | %.1f | %.2f | **%,.0f** | %s"
            + " | %s | %d |%n", n, x.dueLeadSeconds(), acceptSeconds, firstMs, lastMs,
        drainSeconds, rate, Double.isNaN(hotMedian) ? "—" : String.format(Locale.ROOT, "%,.0f",
            hotMedian), Double.isNaN(hotMedian) ? "—" : String.format(Locale.ROOT, "%.2f",
            rate / hotMedian), calls.failed());
    return new Finding("due-at-once", "Runs due at the same instant", table, notes);
  }

  private static long micros(Instant t) {
    return TimeUnit.SECONDS.toMicros(t.getEpochSecond()) + t.getNano() / 1000;
  }
}
