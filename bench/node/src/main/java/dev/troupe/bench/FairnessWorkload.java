package dev.troupe.bench;

import static dev.troupe.bench.core.Stats.ms;
import static dev.troupe.bench.core.Stats.msMax;

import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.CallOptions;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import dev.troupe.bench.Scenario.Finding;
import dev.troupe.bench.Scenario.Settings;
import dev.troupe.node.TroupeNode;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;

/**
 * {@code fairness}: does one tenant's backlog hold up another's runs? Definition {@code
 * bench-fair} ({@code maxConcurrent} {@code fair-concurrency}, {@code maxConcurrentPerKey} {@code
 * fair-per-key} or none when 0; the handler waits {@code fair-work-ms} with {@code ctx.delay}).
 * Tenant A's {@code fair-runs} calls with concurrency key "A" are all accepted first; then tenant
 * B calls once every {@code fair-interval-ms} with key "B" while A's runs are still queued. B's
 * wait is the time from each B call to its handler's start, as p50/p99/max (next to the node's
 * own {@code startedAt - createdAt}, which is 0 when a run is accepted and started in one journal
 * write); A's backlog when B began and A's drain rate say what a first-in-first-out queue
 * would have made B wait.
 */
final class FairnessWorkload {
  static final String FAIR = "bench-fair";

  private FairnessWorkload() {}

  /** A B call: when it was made, and its finished run. */
  private record BRun(long called, RunResult result) {}

  static String method(Settings x) {
    return String.format(Locale.ROOT, "*fairness*: `bench-fair` with `maxConcurrent` %d and %s;"
        + " its handler waits %d ms (`ctx.delay`). Tenant A's %,d calls with concurrency key `A`"
        + " are accepted first (at most `in-flight` not yet accepted); then tenant B calls once"
        + " every %d ms with key `B` while A's runs are still queued. *B's wait* is the time from"
        + " each B call to its handler's start; *recorded* is the node's `startedAt − createdAt`"
        + " of the same runs (0 when a run is accepted and started in one journal write).",
        x.fairConcurrency(), x.fairPerKey() > 0 ? "`maxConcurrentPerKey` " + x.fairPerKey()
            : "no `maxConcurrentPerKey` (keys served round-robin)", x.fairWorkMs(), x.fairRuns(),
        x.fairIntervalMs());
  }

  static Finding run(TroupeNode troupe, Settings x, NodeBenchmark.Settings s,
      List<String> problems) throws Exception {
    WorkerConfig cfg = NodeHarness.WORKER.withMaxConcurrent(x.fairConcurrency());
    cfg = x.fairPerKey() > 0 ? cfg.withMaxConcurrentPerKey(x.fairPerKey()) : cfg;
    Duration work = Duration.ofMillis(x.fairWorkMs());
    Map<String, Long> startedB = new ConcurrentHashMap<>();
    troupe.register(FAIR, cfg, ctx -> {
      if (ctx.payload().has("b")) {
        startedB.put(ctx.runId(), System.nanoTime());
      }
      return work.isZero() ? CompletableFuture.completedFuture(null)
          : ctx.delay(work).thenApply(done -> null);
    });
    troupe.run(FAIR, NodeHarness.payload()).toCompletableFuture().get(60, TimeUnit.SECONDS);
    long base = NodeBenchmark.finishedRuns(troupe, List.of(FAIR));
    CallOptions a = CallOptions.NONE.withConcurrencyKey("A");
    CallOptions b = CallOptions.NONE.withConcurrencyKey("B");
    long t0 = System.nanoTime();
    Calls calls = Calls.run(x.fairRuns(), s.inFlight(),
        i -> troupe.call(FAIR, NodeHarness.payload(), a), s.repTimeoutSeconds());
    double acceptSeconds = (calls.lastCompletionNanos() - t0) / 1e9;
    if (calls.failed() > 0) {
      problems.add("fairness: " + calls.failed() + " of A's calls failed, first: "
          + calls.firstError());
    }
    long backlog = troupe.stats(FAIR).toCompletableFuture().get(10, TimeUnit.SECONDS).queued();
    System.out.printf("    A: %,d calls accepted in %.2f s; %,d queued when B begins%n",
        calls.completed(), acceptSeconds, backlog);
    List<CompletableFuture<BRun>> bs = new ArrayList<>();
    ObjectNode bPayload = NodeHarness.JSON.createObjectNode().put("b", true);
    long interval = TimeUnit.MILLISECONDS.toNanos(x.fairIntervalMs());
    long next = System.nanoTime();
    long deadline = next + TimeUnit.SECONDS.toNanos(s.repTimeoutSeconds());
    long queued;
    do {
      long called = System.nanoTime();
      bs.add(troupe.call(FAIR, bPayload, b).thenCompose(h -> h.result()
          .thenApply(r -> new BRun(called, r))).toCompletableFuture());
      next += interval;
      LockSupport.parkNanos(Math.max(0, next - System.nanoTime()));
      queued = troupe.stats(FAIR).toCompletableFuture().get(10, TimeUnit.SECONDS).queued();
    } while (queued > 0 && System.nanoTime() < deadline);
    Histogram wait = new Histogram(3);
    Histogram recorded = new Histogram(3);
    long bFailed = 0;
    for (CompletableFuture<BRun> f : bs) {
      try {
        BRun br = f.get(s.repTimeoutSeconds(), TimeUnit.SECONDS);
        RunResult r = br.result();
        Long startedAt = startedB.get(r.runId());
        if (r.status() != RunStatus.SUCCEEDED || r.startedAt() == null || startedAt == null) {
          bFailed++;
        } else {
          wait.recordValue(Math.max(1, (startedAt - br.called()) / 1000));
          recorded.recordValue(Math.max(0, Duration.between(r.createdAt(), r.startedAt())
              .toNanos() / 1000));
        }
      } catch (Exception e) {
        bFailed++;
        problems.add("fairness: a B run failed: " + NodeHarness.describe(e));
      }
    }
    long finished = 0;
    long end = System.nanoTime() + TimeUnit.SECONDS.toNanos(s.repTimeoutSeconds());
    while (finished < calls.completed() + bs.size() && System.nanoTime() < end) {
      Thread.sleep(s.pollMs());
      finished = NodeBenchmark.finishedRuns(troupe, List.of(FAIR)) - base;
    }
    double drainSeconds = (System.nanoTime() - t0) / 1e9;
    double rate = finished / drainSeconds;
    System.out.printf("    B: %d runs, wait p50 %s ms, p99 %s ms, max %s ms (as the node recorded"
        + " it: p50 %s ms, max %s ms), failed %d; all %,d runs finished in %.2f s (%,.0f"
        + " runs/s)%n", bs.size(), ms(wait, 50), ms(wait, 99), msMax(wait), ms(recorded, 50),
        msMax(recorded), bFailed, finished, drainSeconds, rate);
    if (bFailed > 0) {
      problems.add("fairness: " + bFailed + " of B's runs did not succeed");
    }
    String table = "| A's runs (key A) | maxConcurrent / per key | handler ms | A's backlog when B"
        + " began | B's runs | B's wait p50 ms | p99 ms | max ms | recorded p50 / max ms | all"
        + " finished in s (runs/s) |\n|---:|---|---:|---:|---:|---:|---:|---:|---|---|\n"
        + String.format(Locale.ROOT, "| %,d | %d / %s | %d | %,d | %d | %s | **%s** | %s | %s /"
                + " %s | %.1f (%,.0f) |%n", x.fairRuns(), x.fairConcurrency(),
            x.fairPerKey() > 0 ? String.valueOf(x.fairPerKey()) : "none", x.fairWorkMs(), backlog,
            bs.size(), ms(wait, 50), ms(wait, 99), msMax(wait), ms(recorded, 50),
            msMax(recorded), drainSeconds, rate);
    String note = String.format(Locale.ROOT, "fairness: B's runs waited p50 %s ms, p99 %s ms, max"
        + " %s ms behind A's backlog of %,d runs, which a first-in-first-out queue would have made"
        + " about %.1f s at the %,.0f runs/s the definition drained.", ms(wait, 50), ms(wait, 99),
        msMax(wait), backlog, backlog / rate, rate);
    return new Finding("fairness", "One tenant's backlog and another's wait", table,
        List.of(note));
  }
}
