package dev.troupe.bench.peers;

import static dev.troupe.bench.core.Stats.millis;

import dev.troupe.bench.peers.Results.LatencyRep;
import dev.troupe.bench.peers.Results.ThroughputRep;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** Workloads 1 to 3 on one started {@link JobSystem}, in this JVM. */
final class Measure {
  /** Threads that enqueue paced jobs, so that a synchronous enqueue never holds the pacer. */
  static final int ENQUEUE_THREADS = 4;

  private final JobSystem sys;
  private final List<String> problems;
  private int batch;

  Measure(JobSystem sys, List<String> problems) {
    this.sys = sys;
    this.problems = problems;
  }

  // workload 1

  /**
   * Enqueues {@code n} no-op jobs through the system's bulk path and times from the first enqueue
   * until every job body has run and the system's own books count them all finished.
   */
  ThroughputRep drain(int n, int timeoutSeconds) throws Exception {
    String prefix = "t" + (batch++) + "-";
    List<String> ids = ids(prefix, n);
    long bodies = Probe.finishedCount();
    long books = sys.finishedCount();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(timeoutSeconds);
    long t0 = System.nanoTime();
    sys.enqueueAll(JobKind.NOOP, ids);
    long enqueued = System.nanoTime();
    boolean complete = await(() -> Probe.finishedCount() - bodies >= n, 2, deadline)
        && await(() -> sys.finishedCount() - books >= n, 10, deadline);
    long t1 = System.nanoTime();
    double seconds = (t1 - t0) / 1e9;
    long done = Math.min(n, Probe.finishedCount() - bodies);
    if (!complete) {
      problems.add(String.format("workload 1: only %,d of %,d jobs finished within %d s", done, n,
          timeoutSeconds));
    }
    ThroughputRep r = new ThroughputRep(n, complete, seconds, done / seconds,
        (enqueued - t0) / 1e9);
    System.out.printf("    %,d jobs in %.2f s = %,.0f jobs/s (enqueued in %.2f s)%s%n", n, seconds,
        r.jobsPerSecond(), r.enqueueSeconds(), complete ? "" : " INCOMPLETE");
    return r;
  }

  // workloads 2 and 3

  /**
   * Enqueues no-op jobs at {@code rate} per second for {@code seconds} and records the time from
   * each job's intended enqueue time to its body starting (the pacer's schedule, so a late pacer
   * or a slow enqueue counts against the system, not in its favour).
   */
  LatencyRep startLatency(double rate, int seconds, boolean measured) throws Exception {
    String prefix = "l" + (batch++) + "-";
    Probe.takeStartLatencies();
    AtomicLong failed = new AtomicLong();
    AtomicReference<Throwable> firstError = new AtomicReference<>();
    long issued = pace(rate, seconds, (i, at) -> {
      String id = prefix + i;
      if (measured) {
        Probe.expectStart(id, at);
      }
      return sys.enqueue(JobKind.NOOP, id);
    }, failed, firstError);
    await(() -> Probe.awaitingStart() == 0, 5, System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
    long missing = Probe.dropNotStarted();
    Histogram h = Probe.takeStartLatencies();
    return latencyRep("enqueue-to-start", rate, issued, h, missing, failed.get(),
        firstError.get(), measured);
  }

  /**
   * Calls {@link JobKind#PROGRESS} jobs at {@code rate} per second for {@code seconds} and records
   * the time from each call's intended time to the caller seeing its first progress message.
   */
  LatencyRep firstMessage(double rate, int seconds, boolean measured) throws Exception {
    String prefix = "m" + (batch++) + "-";
    Recorder rec = new Recorder(3);
    AtomicLong seen = new AtomicLong();
    AtomicLong failed = new AtomicLong();
    AtomicReference<Throwable> firstError = new AtomicReference<>();
    long issued = pace(rate, seconds, (i, at) -> sys.callAndAwaitFirstMessage(prefix + i)
        .thenRun(() -> {
          rec.recordValue(Math.max(1, (System.nanoTime() - at) / 1000));
          seen.incrementAndGet();
        }), failed, firstError);
    await(() -> seen.get() + failed.get() >= issued, 5,
        System.nanoTime() + TimeUnit.SECONDS.toNanos(30));
    Histogram h = rec.getIntervalHistogram();
    return latencyRep("call-to-first-message", rate, issued, h,
        Math.max(0, issued - seen.get() - failed.get()), failed.get(), firstError.get(), measured);
  }

  /** A call of the paced workloads: job number {@code i}, intended at {@code at} (nanoTime). */
  interface PacedCall {
    CompletionStage<?> call(long i, long at);
  }

  /** Issues calls on a fixed schedule from a pool of {@value #ENQUEUE_THREADS} threads. */
  private long pace(double rate, int seconds, PacedCall call, AtomicLong failed,
      AtomicReference<Throwable> firstError) throws Exception {
    ExecutorService pool = Executors.newFixedThreadPool(ENQUEUE_THREADS);
    long total = (long) (rate * seconds);
    long start = System.nanoTime();
    try {
      for (long i = 0; i < total; i++) {
        long at = start + (long) (i * 1e9 / rate);
        long wait = at - System.nanoTime();
        if (wait > 0) {
          LockSupport.parkNanos(wait);
        }
        long n = i;
        pool.execute(() -> {
          try {
            call.call(n, at).whenComplete((v, e) -> {
              if (e != null) {
                failed.incrementAndGet();
                firstError.compareAndSet(null, e);
              }
            });
          } catch (RuntimeException e) {
            failed.incrementAndGet();
            firstError.compareAndSet(null, e);
          }
        });
      }
    } finally {
      pool.shutdown();
      pool.awaitTermination(60, TimeUnit.SECONDS);
    }
    return total;
  }

  private LatencyRep latencyRep(String what, double rate, long issued, Histogram h, long missing,
      long failed, Throwable firstError, boolean measured) {
    LatencyRep r = new LatencyRep(rate, h.getTotalCount(), missing, failed, millis(h, 50), millis(h, 90),
        millis(h, 99), h.getTotalCount() == 0 ? Double.NaN : h.getMaxValue() / 1000.0);
    System.out.printf("    %s%s at %,.0f/s: %,d calls, %,d measured, p50 %.2f ms, p99 %.2f ms,"
            + " max %.2f ms; missing %d, failed %d%n", measured ? "" : "warm-up ", what, rate,
        issued, r.measured(), r.p50Ms(), r.p99Ms(), r.maxMs(), missing, failed);
    if (measured && (missing > 0 || failed > 0)) {
      problems.add(String.format("%s at %,.0f/s: %d of %d jobs never got there within 30 s,"
              + " %d calls failed%s", what, rate, missing, issued, failed,
          firstError == null ? "" : " (first: " + firstError + ")"));
    }
    return r;
  }

  interface Check {
    boolean ok() throws Exception;
  }

  /** Polls {@code check} every {@code pollMs} until it holds or the deadline passes. */
  static boolean await(Check check, long pollMs, long deadline) throws Exception {
    while (!check.ok()) {
      if (System.nanoTime() > deadline) {
        return false;
      }
      Thread.sleep(pollMs);
    }
    return true;
  }

  static List<String> ids(String prefix, int n) {
    List<String> out = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      out.add(prefix + i);
    }
    return out;
  }
}
