package dev.troupe.bench;

import static dev.troupe.bench.NodeBenchmark.AIM_P99_MS;
import static dev.troupe.bench.NodeBenchmark.EMIT;
import static dev.troupe.bench.core.Stats.ms;
import static dev.troupe.bench.core.Stats.msMax;
import static dev.troupe.bench.core.Stats.whole;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.WorkerStats;
import dev.troupe.bench.NodeBenchmark.Settings;
import dev.troupe.node.TroupeNode;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.javadsl.Sink;

/**
 * The node benchmark's {@code latency} workload: call-to-first-emitted-message of {@code
 * bench-emit} at fixed rates, from half the hot worker's median down by quarters while a rate is
 * too heavy (or at the rates of {@code --latency-rates}).
 */
final class LatencyWorkload {
  private LatencyWorkload() {}

  /** {@code overload} is null, or why the measurement was cut short (its percentiles are void). */
  record Latency(double targetRate, double achievedRate, long issued, long measured,
      long failed, boolean drained, Histogram firstMessage, Histogram accepted,
      String firstError, String reason, String overload) {}

  /**
   * The measurements of the workload: at the given rates, or from half of {@code hotMedian}
   * (2,000 calls/s when the hot worker did not run, NaN) down by quarters, at most 3 rates.
   */
  static List<Latency> measure(TroupeNode troupe, double hotMedian, Settings s,
      List<String> problems) throws Exception {
    Materializer mat = Materializer.matFromSystem(troupe.system());
    List<Latency> latency = new ArrayList<>();
    if (!s.latencyRates().isEmpty()) {
      for (double rate : s.latencyRates()) {
        latency.add(latency(troupe, mat, rate, s, "given rate", problems));
      }
    } else {
      double rate = Math.max(1, Math.floor((Double.isNaN(hotMedian) ? 2000 : hotMedian) / 2));
      String reason = "half the hot worker's median rate";
      for (int step = 0; step < 3; step++) {
        Latency l = latency(troupe, mat, rate, s, reason, problems);
        latency.add(l);
        String heavy = tooHeavy(l);
        if (heavy == null) {
          break;
        }
        boolean last = step == 2 || rate <= 25;
        String msg = String.format(Locale.ROOT, "call-to-first-message at %s calls/s: %s%s",
            whole(rate), heavy, last ? "" : "; measured again at a quarter of that rate");
        System.out.println("  " + msg);
        if (last) {
          break;
        }
        rate = Math.max(25, Math.floor(rate / 4));
        reason = "a quarter of the previous rate, which was too heavy";
      }
    }
    return latency;
  }

  /**
   * Calls {@code bench-emit} at {@code rate} per second (a pacer that catches up when late, so
   * that the rate holds), subscribes to each run's stream and records the time from call() to
   * the first {@code message} event; the first {@code latency-warmup-seconds} are not recorded.
   */
  private static Latency latency(TroupeNode troupe, Materializer mat, double rate, Settings s,
      String reason, List<String> problems) throws Exception {
    System.out.printf("  latency at %,.0f calls/s (%s): %d s warm-up, %d s measured%n", rate,
        reason, s.latencyWarmupSeconds(), s.latencySeconds());
    NodeHarness.awaitHistoryCaughtUp(troupe);
    Recorder firstMessage = new Recorder(3);
    Recorder accepted = new Recorder(3);
    AtomicLong done = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<Throwable> firstError = new AtomicReference<>();
    JsonNode payload = NodeHarness.payload();
    long warmupCalls = (long) (rate * s.latencyWarmupSeconds());
    long total = warmupCalls + (long) (rate * s.latencySeconds());
    long start = System.nanoTime();
    long measureStart = 0;
    long sent = 0;
    String overload = null;
    // more than two seconds of calls without their first message: the node cannot keep up and
    // the backlog only grows; stop rather than wait for a queue of many seconds to drain
    // (during the warm-up, while the JIT compiles, up to five seconds' worth)
    long maxBacklog = Math.max(1000, (long) (2 * rate));
    while (sent < total) {
      long backlog = sent - done.get() - failed.get();
      if (backlog > (sent < warmupCalls ? 5 * maxBacklog / 2 : maxBacklog)) {
        overload = String.format(Locale.ROOT, "overloaded: %,d calls were waiting for their first"
            + " message %.1f s after the first call (%s); cut short", backlog,
            (System.nanoTime() - start) / 1e9, sent < warmupCalls ? "in the warm-up"
                : "over 2 s worth of calls");
        break;
      }
      long due = Math.min(total, (long) ((System.nanoTime() - start) / 1e9 * rate) + 1);
      while (sent < due) {
        boolean measured = sent >= warmupCalls;
        if (sent == warmupCalls) {
          measureStart = System.nanoTime();
        }
        callAndSubscribe(troupe, mat, payload, measured, s, firstMessage, accepted, done, failed,
            firstError);
        sent++;
      }
      LockSupport.parkNanos(200_000);
    }
    long measureEnd = System.nanoTime();
    long issuedTotal = sent;
    long measuredCalls = Math.max(0, sent - warmupCalls);
    if (measureStart == 0) {
      measureStart = start;
    }
    // let the last calls get their first message
    long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(15);
    while (done.get() + failed.get() < issuedTotal && System.nanoTime() < drainDeadline) {
      Thread.sleep(5);
    }
    boolean drained = done.get() + failed.get() >= issuedTotal;
    // the next measurement starts on an idle node: every stream ended, no run left
    long idleDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(60);
    boolean idle = false;
    while (System.nanoTime() < idleDeadline) {
      if (done.get() + failed.get() >= issuedTotal) {
        try {
          WorkerStats st = troupe.stats(EMIT).toCompletableFuture().get(10, TimeUnit.SECONDS);
          if (st.running() == 0 && st.queued() == 0) {
            idle = true;
            break;
          }
        } catch (Exception e) {
          // the entity may be busy or restarting; try again
        }
      }
      Thread.sleep(50);
    }
    if (!idle) {
      String msg = String.format(Locale.ROOT, "latency at %s calls/s: the node was not idle 60 s"
          + " after the last call (%d of %d streams ended); the next measurement overlaps it",
          whole(rate), done.get() + failed.get(), issuedTotal);
      System.out.println("    " + msg);
      problems.add(msg);
    }
    double achieved = measuredCalls / ((measureEnd - measureStart) / 1e9);
    Histogram fm = firstMessage.getIntervalHistogram();
    Histogram acc = accepted.getIntervalHistogram();
    Throwable e = firstError.get();
    Latency l = new Latency(rate, achieved, measuredCalls, fm.getTotalCount(), failed.get(),
        drained, fm, acc, e == null ? null : NodeHarness.describe(e), reason, overload);
    if (overload != null) {
      System.out.println("    " + overload);
    }
    System.out.printf("    achieved %,.0f calls/s; call-to-first-message p50 %s ms, p99 %s ms,"
            + " max %s ms (%,d measured); call accepted p50 %s ms, p99 %s ms; failed %d%s%n",
        achieved, ms(fm, 50), ms(fm, 99), msMax(fm), fm.getTotalCount(), ms(acc, 50), ms(acc, 99),
        failed.get(), drained ? "" : "; NOT all first messages arrived within 15 s after the last call");
    if (e != null) {
      System.out.println("      first error: " + l.firstError());
    }
    return l;
  }

  private static void callAndSubscribe(TroupeNode troupe, Materializer mat, JsonNode payload,
      boolean measured, Settings s, Recorder firstMessage, Recorder accepted, AtomicLong done,
      AtomicLong failed, AtomicReference<Throwable> firstError) {
    String sink = s.latencySink();
    long t0 = System.nanoTime();
    CompletionStage<RunHandle> call;
    try {
      call = troupe.call(EMIT, payload);
    } catch (RuntimeException e) {
      call = CompletableFuture.failedFuture(e);
    }
    AtomicLong firstAt = new AtomicLong();
    java.util.function.Function<RunHandle, CompletionStage<Boolean>> subscribe = h -> {
      if (measured) {
        accepted.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
      }
      if ("head".equals(sink)) {
        // takes the first message and cancels the rest of the stream
        return h.messages().filter(ev -> RunEvent.MESSAGE.equals(ev.type()))
            .runWith(Sink.head(), mat)
            .thenApply(ev -> {
              firstAt.compareAndSet(0, System.nanoTime());
              return true;
            });
      }
      // follows the stream to its end (as an SSE client would), timing its first message
      return h.messages().runWith(Sink.foreach(ev -> {
        if (RunEvent.MESSAGE.equals(ev.type())) {
          firstAt.compareAndSet(0, System.nanoTime());
        }
      }), mat).thenApply(d -> firstAt.get() != 0);
    };
    // "sync": subscribe in the call stage's own continuation, which runs on whichever thread
    // completes it (the worker entity's, as it is); "async": hop to the actor system's dispatcher
    CompletionStage<Boolean> followed = "sync".equals(s.latencyCallback())
        ? call.thenCompose(subscribe)
        : call.thenComposeAsync(subscribe, troupe.system().executionContext());
    followed.whenComplete((gotMessage, e) -> {
      if (e == null && !gotMessage) {
        e = new IllegalStateException("the run's stream ended without a message event");
      }
      if (e != null) {
        failed.incrementAndGet();
        firstError.compareAndSet(null, e);
        return;
      }
      if (measured) {
        firstMessage.recordValue(Math.max(1, (firstAt.get() - t0) / 1000));
      }
      done.incrementAndGet();
    });
  }

  /** Why a latency measurement shows the subscription per run cannot keep up, or null. */
  static String tooHeavy(Latency l) {
    if (l.overload() != null) {
      return l.overload();
    }
    if (!l.drained()) {
      return "first messages were still missing 15 s after the last call";
    }
    if (l.achievedRate() < 0.9 * l.targetRate()) {
      return "the pacer reached only " + whole(l.achievedRate()) + " calls/s";
    }
    if (l.failed() > 0) {
      return l.failed() + " calls or subscriptions failed";
    }
    if (l.firstMessage().getValueAtPercentile(99) / 1000.0 > AIM_P99_MS) {
      return "p99 " + ms(l.firstMessage(), 99) + " ms is over " + whole(AIM_P99_MS) + " ms";
    }
    return null;
  }
}
