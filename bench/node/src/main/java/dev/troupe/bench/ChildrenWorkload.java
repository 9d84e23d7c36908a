package dev.troupe.bench;

import static dev.troupe.bench.core.Stats.ms;
import static dev.troupe.bench.core.Stats.msMax;

import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.bench.Scenario.Finding;
import dev.troupe.bench.Scenario.Settings;
import dev.troupe.node.TroupeNode;
import java.util.Collections;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * {@code children}: fan-out and fan-in. A parent ({@code bench-parent}, asynchronous) starts
 * {@code children} child runs of the no-op {@code bench-child} with {@code ctx.callAll} (all at
 * once) and returns how many succeeded once they have all finished. {@code parents} parents are
 * called with at most {@code parents-in-flight} not yet finished (a closed loop), after a warm-up
 * of a tenth as many. Reports the children finished per second (and all runs, parents too) over
 * the measured parents, and each parent's end-to-end latency from {@code call()} to its result,
 * p50/p99/max.
 */
final class ChildrenWorkload {
  static final String PARENT = "bench-parent";
  static final String CHILD = "bench-child";

  private ChildrenWorkload() {}

  static String method(Settings x) {
    return String.format(Locale.ROOT, "*children*: `bench-parent` starts %d runs of the no-op"
        + " `bench-child` with `ctx.callAll` (all at once) and returns once they have all"
        + " finished. %,d parents, at most %d not yet finished (the next is called when one"
        + " finishes), after a warm-up of %,d; *children/s* is the parents' children over the"
        + " time from the first measured call to the last parent's result, *latency* is each"
        + " parent's `call()` to its result.", x.children(), x.parents(), x.parentsInFlight(),
        warmup(x));
  }

  static Finding run(TroupeNode troupe, Settings x, NodeBenchmark.Settings s,
      List<String> problems) throws Exception {
    int k = x.children();
    troupe.register(CHILD, NodeHarness.WORKER,
        ctx -> CompletableFuture.completedFuture(ctx.payload()));
    troupe.register(PARENT, NodeHarness.WORKER, ctx -> ctx.callAll(CHILD,
        Collections.nCopies(k, ctx.newObject()), k).thenApply(rs -> ctx.newObject()
        .put("succeeded", rs.stream().filter(r -> r.status() == RunStatus.SUCCEEDED).count())));
    AtomicLong bad = new AtomicLong();
    Recorder latency = new Recorder(3);
    Calls warm = Calls.run(warmup(x), x.parentsInFlight(), i -> parent(troupe, k, null, bad),
        s.repTimeoutSeconds());
    System.out.printf("    warm-up: %,d parents finished%n", warm.completed());
    latency.reset();
    bad.set(0);
    long t0 = System.nanoTime();
    Calls calls = Calls.run(x.parents(), x.parentsInFlight(), i -> parent(troupe, k, latency, bad),
        s.repTimeoutSeconds());
    double seconds = (calls.lastCompletionNanos() - t0) / 1e9;
    Histogram h = latency.getIntervalHistogram();
    long done = calls.completed();
    double childRate = done * k / seconds;
    double allRate = done * (k + 1) / seconds;
    System.out.printf("    %,d parents × %d children in %.2f s: %,.0f children/s (%,.0f runs/s);"
            + " parent latency p50 %s ms, p99 %s ms, max %s ms; failed %d, incomplete %d%n", done,
        k, seconds, childRate, allRate, ms(h, 50), ms(h, 99), msMax(h), calls.failed(), bad.get());
    if (calls.failed() > 0 || bad.get() > 0 || done < x.parents()) {
      problems.add(String.format(Locale.ROOT, "children: of %,d parents %,d finished, %,d failed"
          + " (first: %s), %,d did not succeed with all their children", x.parents(), done,
          calls.failed(), calls.firstError(), bad.get()));
    }
    String table = "| parents | children each | parents in flight | children/s | all runs/s |"
        + " parent latency p50 ms | p99 ms | max ms |\n|---:|---:|---:|---:|---:|---:|---:|---:|\n"
        + String.format(Locale.ROOT, "| %,d | %d | %d | **%,.0f** | %,.0f | %s | **%s** | %s |%n",
            x.parents(), k, x.parentsInFlight(), childRate, allRate, ms(h, 50), ms(h, 99),
            msMax(h));
    String note = String.format(Locale.ROOT, "children: %,.0f child runs/s with %d parents of %d"
        + " children in flight; a parent took p50 %s ms, p99 %s ms from its call to its result.",
        childRate, x.parentsInFlight(), k, ms(h, 50), ms(h, 99));
    return new Finding("children", "Fan-out and fan-in (ctx.callAll)", table, List.of(note));
  }

  /** Calls a parent and completes with its result, recorded in {@code latency} unless null. */
  private static CompletionStage<RunResult> parent(TroupeNode troupe, int k, Recorder latency,
      AtomicLong bad) {
    long t0 = System.nanoTime();
    return troupe.call(PARENT, NodeHarness.payload()).thenCompose(RunHandle::result)
        .thenApply(r -> {
          if (latency != null) {
            latency.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
          }
          if (r.status() != RunStatus.SUCCEEDED || r.result() == null
              || r.result().path("succeeded").asInt() != k) {
            bad.incrementAndGet();
          }
          return r;
        });
  }

  private static int warmup(Settings x) {
    return Math.max(1, x.parents() / 10);
  }
}
