package dev.troupe.bench;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.CallOptions;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerContext;
import dev.troupe.bench.Scenario.Finding;
import dev.troupe.bench.Scenario.Settings;
import dev.troupe.bench.core.Stats;
import dev.troupe.node.TroupeNode;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.TimeUnit;
import org.HdrHistogram.Histogram;

/**
 * {@code steps}: what durable steps cost. Two blocking handlers (virtual threads or the pool),
 * {@code bench-steps-none}, which returns at once, and {@code bench-steps}, which makes {@code
 * steps} durable {@code ctx.step} calls (each returns a small number) and returns; each drained
 * as the hot worker is, in turns ({@link Paired}). Reports both medians and their ratio. Then
 * the end-to-end latency of a workflow of {@code workflow-steps} no-op steps ({@code
 * bench-workflow}) and of a run without steps, each called and awaited one at a time ({@link
 * dev.troupe.api.Troupe#run}), in turns: p50, p99 and max of each.
 */
final class StepsWorkload {
  static final String NONE = "bench-steps-none";
  static final String STEPS = "bench-steps";
  static final String WORKFLOW = "bench-workflow";

  private StepsWorkload() {}

  static String method(Settings x, NodeBenchmark.Settings s) {
    return String.format(Locale.ROOT, "*steps*: two blocking handlers (on virtual threads"
        + " when the JVM has them, else Troupe's blocking dispatcher), `bench-steps-none` returning at once and `bench-steps` making %d durable"
        + " `ctx.step` calls (each journaled before it returns) first; each drained as the hot"
        + " worker is: a warm-up of %,d runs of each, then %d rounds of %,d runs of each, the"
        + " variant going first alternating. Then `bench-workflow` (%d durable steps) and"
        + " `bench-steps-none`, each called and awaited one at a time (`Troupe.run`, no other"
        + " load), in turns: %,d runs of each after %,d of each as warm-up; the latency from the"
        + " call to its result.", x.steps(), warmup(x), s.reps(), x.stepsRuns(),
        x.workflowSteps(), x.workflowRuns(), workflowWarmup(x));
  }

  static Finding run(TroupeNode troupe, Settings x, NodeBenchmark.Settings s,
      List<String> problems) throws Exception {
    troupe.registerBlocking(NONE, NodeHarness.WORKER, ctx -> ctx.newObject());
    int steps = x.steps();
    troupe.registerBlocking(STEPS, NodeHarness.WORKER, ctx -> steps(ctx, steps));
    troupe.registerBlocking(WORKFLOW, NodeHarness.WORKER, ctx -> steps(ctx, x.workflowSteps()));
    Paired.Result r = Paired.measure(troupe, s, x.stepsRuns(), warmup(x),
        new Paired.Variant("no steps", List.of(NONE), i -> CallOptions.NONE),
        new Paired.Variant(steps + " steps", List.of(STEPS), i -> CallOptions.NONE),
        problems);
    String note = String.format(Locale.ROOT, "steps: a blocking handler with %d durable steps"
        + " ran %,.0f runs/s against %,.0f without steps (ratio %.2f).", steps, r.medianB(),
        r.medianA(), r.ratio());
    Histogram plain = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
    Histogram workflow = new Histogram(TimeUnit.MINUTES.toMicros(1), 3);
    sequential(troupe, workflowWarmup(x), new Histogram(3), new Histogram(3), problems);
    sequential(troupe, x.workflowRuns(), plain, workflow, problems);
    String table = r.table() + String.format(Locale.ROOT, "%n| one at a time | runs | p50 ms"
        + " | p99 ms | max ms |%n|---|---:|---:|---:|---:|%n| no steps | %,d | %s | %s | %s |%n"
        + "| %d steps | %,d | %s | %s | %s |%n", plain.getTotalCount(), Stats.ms(plain, 50),
        Stats.ms(plain, 99), Stats.msMax(plain), x.workflowSteps(), workflow.getTotalCount(),
        Stats.ms(workflow, 50), Stats.ms(workflow, 99), Stats.msMax(workflow));
    String latency = String.format(Locale.ROOT, "steps: a workflow of %d durable steps, called"
        + " and awaited one at a time, took %s ms p50 and %s ms p99 end to end, against %s ms"
        + " and %s ms for a run without steps.", x.workflowSteps(), Stats.ms(workflow, 50),
        Stats.ms(workflow, 99), Stats.ms(plain, 50), Stats.ms(plain, 99));
    return new Finding("steps", "Durable steps against none", table, List.of(note, latency));
  }

  private static JsonNode steps(WorkerContext ctx, int steps) {
    int sum = 0;
    for (int j = 0; j < steps; j++) {
      int value = j;
      sum += ctx.step("step-" + j, Integer.class, () -> value);
    }
    return ctx.newObject().put("sum", sum);
  }

  /** {@code n} runs of each, one at a time, in turns; each latency (µs) into its histogram. */
  private static void sequential(TroupeNode troupe, int n, Histogram plain, Histogram workflow,
      List<String> problems) throws Exception {
    for (int i = 0; i < n; i++) {
      for (String worker : i % 2 == 0 ? List.of(NONE, WORKFLOW) : List.of(WORKFLOW, NONE)) {
        long start = System.nanoTime();
        RunResult r = troupe.run(worker, NodeHarness.payload()).toCompletableFuture()
            .get(60, TimeUnit.SECONDS);
        (worker.equals(NONE) ? plain : workflow).recordValue((System.nanoTime() - start) / 1_000);
        if (r.status() != RunStatus.SUCCEEDED && problems.size() < 20) {
          problems.add(worker + " run " + r.runId() + " ended " + r.status());
        }
      }
    }
  }

  private static int workflowWarmup(Settings x) {
    return Math.max(1, x.workflowRuns() / 5);
  }

  private static int warmup(Settings x) {
    return Math.max(1, x.stepsRuns() / 4);
  }
}
