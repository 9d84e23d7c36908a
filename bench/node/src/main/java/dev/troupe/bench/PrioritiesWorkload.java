package dev.troupe.bench;

import dev.troupe.api.CallOptions;
import dev.troupe.bench.Scenario.Finding;
import dev.troupe.bench.Scenario.Settings;
import dev.troupe.node.TroupeNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Random;
import java.util.concurrent.CompletableFuture;

/**
 * {@code priorities}: what priorities and concurrency keys cost the no-op drain. One definition,
 * {@code bench-prio} (a no-op, as {@code bench-noop}), drained as the hot worker is, by calls
 * without options and by calls each with a random priority (0 to 9) and one of {@code prio-keys}
 * concurrency keys (a fixed random sequence), in turns ({@link Paired}); reports both medians
 * and their ratio, against the aim that the second is within 10 % of the first.
 */
final class PrioritiesWorkload {
  static final String PRIO = "bench-prio";
  /** The aim: runs with priorities and keys at least this share of the plain rate. */
  static final double AIM = 0.9;

  private PrioritiesWorkload() {}

  static String method(Settings x, NodeBenchmark.Settings s) {
    return String.format(Locale.ROOT, "*priorities*: `bench-prio` (a no-op) drained as the hot"
        + " worker is, by calls without options and by calls with a random priority (0-9) and one"
        + " of %d concurrency keys each (a fixed random sequence): a warm-up of %,d runs of each,"
        + " then %d rounds of %,d runs of each, the variant going first alternating. Aim: with"
        + " priorities and keys at least %.0f %% of the rate without.", x.prioKeys(),
        x.prioWarmup(), s.reps(), x.prioRuns(), AIM * 100);
  }

  static Finding run(TroupeNode troupe, Settings x, NodeBenchmark.Settings s,
      List<String> problems) throws Exception {
    troupe.register(PRIO, NodeHarness.WORKER,
        ctx -> CompletableFuture.completedFuture(ctx.payload()));
    List<CallOptions> combos = new ArrayList<>();
    for (int p = CallOptions.MIN_PRIORITY; p <= CallOptions.MAX_PRIORITY; p++) {
      for (int k = 0; k < x.prioKeys(); k++) {
        combos.add(CallOptions.NONE.withPriority(p).withConcurrencyKey("tenant-" + k));
      }
    }
    Random random = new Random(17);
    int[] pick = random.ints(Math.max(x.prioRuns(), x.prioWarmup()), 0, combos.size()).toArray();
    Paired.Result r = Paired.measure(troupe, s, x.prioRuns(), x.prioWarmup(),
        new Paired.Variant("without options", List.of(PRIO), i -> CallOptions.NONE),
        new Paired.Variant("priorities and keys", List.of(PRIO), i -> combos.get(pick[i])),
        problems);
    String note = String.format(Locale.ROOT, "priorities: with random priorities and %d"
            + " concurrency keys %,.0f runs/s against %,.0f without (%.0f %%): the aim of %.0f %%"
            + " %s.", x.prioKeys(), r.medianB(), r.medianA(), 100 * r.ratio(), AIM * 100,
        r.ratio() >= AIM ? "is met" : "is **not met**");
    return new Finding("priorities", "Priorities and concurrency keys against none", r.table(),
        List.of(note));
  }
}
