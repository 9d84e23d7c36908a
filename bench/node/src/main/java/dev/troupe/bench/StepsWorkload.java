package dev.troupe.bench;

import dev.troupe.api.CallOptions;
import dev.troupe.bench.Scenario.Finding;
import dev.troupe.bench.Scenario.Settings;
import dev.troupe.node.TroupeNode;
import java.util.List;
import java.util.Locale;

/**
 * {@code steps}: what durable steps cost. Two blocking handlers (Troupe's blocking dispatcher),
 * {@code bench-steps-none}, which returns at once, and {@code bench-steps}, which makes {@code
 * steps} durable {@code ctx.step} calls (each returns a small number) and returns; each drained
 * as the hot worker is, in turns ({@link Paired}). Reports both medians and their ratio.
 */
final class StepsWorkload {
  static final String NONE = "bench-steps-none";
  static final String STEPS = "bench-steps";

  private StepsWorkload() {}

  static String method(Settings x, NodeBenchmark.Settings s) {
    return String.format(Locale.ROOT, "*steps*: two blocking handlers (Troupe's blocking"
        + " dispatcher), `bench-steps-none` returning at once and `bench-steps` making %d durable"
        + " `ctx.step` calls (each journaled before it returns) first; each drained as the hot"
        + " worker is: a warm-up of %,d runs of each, then %d rounds of %,d runs of each, the"
        + " variant going first alternating.", x.steps(), warmup(x), s.reps(), x.stepsRuns());
  }

  static Finding run(TroupeNode troupe, Settings x, NodeBenchmark.Settings s,
      List<String> problems) throws Exception {
    troupe.registerBlocking(NONE, NodeHarness.WORKER, ctx -> ctx.newObject());
    int steps = x.steps();
    troupe.registerBlocking(STEPS, NodeHarness.WORKER, ctx -> {
      int sum = 0;
      for (int j = 0; j < steps; j++) {
        int value = j;
        sum += ctx.step("step-" + j, Integer.class, () -> value);
      }
      return ctx.newObject().put("sum", sum);
    });
    Paired.Result r = Paired.measure(troupe, s, x.stepsRuns(), warmup(x),
        new Paired.Variant("no steps", List.of(NONE), i -> CallOptions.NONE),
        new Paired.Variant(steps + " steps", List.of(STEPS), i -> CallOptions.NONE),
        problems);
    String note = String.format(Locale.ROOT, "steps: a blocking handler with %d durable steps"
        + " ran %,.0f runs/s against %,.0f without steps (ratio %.2f).", steps, r.medianB(),
        r.medianA(), r.ratio());
    return new Finding("steps", "Durable steps against none", r.table(), List.of(note));
  }

  private static int warmup(Settings x) {
    return Math.max(1, x.stepsRuns() / 4);
  }
}
