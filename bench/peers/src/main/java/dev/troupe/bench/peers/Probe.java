package dev.troupe.bench.peers;

import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.LongAdder;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/**
 * Where job bodies report to the harness in the same JVM: every start (matched against the time
 * its job was enqueued, when the harness asked for that) and every end.
 */
final class Probe {
  private static final LongAdder FINISHED = new LongAdder();
  private static final ConcurrentHashMap<String, Long> ENQUEUED_AT = new ConcurrentHashMap<>();
  /** Enqueue-to-start in µs of the jobs registered with {@link #expectStart}. */
  private static final Recorder START_LATENCY = new Recorder(3);

  private Probe() {}

  /** The harness enqueued (or is about to enqueue) job {@code id} at {@code nanoTime}. */
  static void expectStart(String id, long nanoTime) {
    ENQUEUED_AT.put(id, nanoTime);
  }

  static void started(String id) {
    Long t0 = ENQUEUED_AT.remove(id);
    if (t0 != null) {
      START_LATENCY.recordValue(Math.max(1, (System.nanoTime() - t0) / 1000));
    }
  }

  static void finished() {
    FINISHED.increment();
  }

  /** Job bodies that ran to their end in this JVM. */
  static long finishedCount() {
    return FINISHED.sum();
  }

  /** Enqueue-to-start latencies recorded since the last call (µs), and forgets them. */
  static Histogram takeStartLatencies() {
    return START_LATENCY.getIntervalHistogram();
  }

  /** Jobs registered with {@link #expectStart} that have not started yet. */
  static int awaitingStart() {
    return ENQUEUED_AT.size();
  }

  /** Jobs registered with {@link #expectStart} that have not started; forgets them. */
  static int dropNotStarted() {
    int n = ENQUEUED_AT.size();
    ENQUEUED_AT.clear();
    return n;
  }
}
