package dev.troupe.bench;

import dev.troupe.bench.HttpBench.Settings;
import dev.troupe.bench.HttpBench.Sse;
import dev.troupe.bench.HttpBench.SseWindow;
import dev.troupe.bench.HttpLoad.Client;
import dev.troupe.bench.core.Machine;
import dev.troupe.bench.core.Stats;
import java.net.http.HttpResponse;
import java.util.ArrayList;
import java.util.List;
import java.util.Locale;
import java.util.Optional;
import java.util.concurrent.Flow;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;
import java.util.concurrent.locks.LockSupport;
import org.HdrHistogram.Histogram;
import org.HdrHistogram.Recorder;

/** The HTTP benchmark's SSE workload: time to first message of streamed calls. */
final class SseWorkload {

  private SseWorkload() {}

  /**
   * Calls the emitting worker with {@code Accept: text/event-stream} at {@code sse-rate} per
   * second from one pacing thread (it catches up when late, so the rate holds), follows each
   * stream to its end and records the time from sending to the first complete {@code message}
   * frame; the warm-up is not recorded, then each repetition is a window of {@code seconds}.
   */
  static Sse run(Client client, Settings s, List<String> problems) throws Exception {
    String notIdle = HttpLoad.awaitIdle(client, s.emit());
    String notIdleNoop = HttpLoad.awaitIdle(client, s.noop());
    if (notIdle != null || notIdleNoop != null) {
      problems.add("sse: the node was not idle before the workload ("
          + Optional.ofNullable(notIdle).orElse(notIdleNoop) + ")");
    }
    double rate = s.sseRate();
    System.out.printf("  SSE time to first message at %,.0f calls/s: %d s warm-up, %d × %d s%n", rate,
        s.warmupSeconds(), s.reps(), s.seconds());
    String path = "/api/v1/workers/" + s.emit() + "/runs";
    AtomicLong finished = new AtomicLong();
    AtomicLong errors = new AtomicLong();
    AtomicReference<String> firstError = new AtomicReference<>();
    List<SseWindow> reps = new ArrayList<>();
    long warmupCalls = (long) (rate * s.warmupSeconds());
    long perRep = (long) (rate * s.seconds());
    long total = warmupCalls + perRep * s.reps();
    // more than five seconds of calls without their end: the node cannot keep up at this rate
    long maxBacklog = Math.max(500, (long) (5 * rate));
    Recorder[] windows = new Recorder[s.reps()];
    for (int i = 0; i < windows.length; i++) {
      windows[i] = new Recorder(3);
    }
    long[] windowStart = new long[s.reps() + 1];
    long[] windowErrors = new long[s.reps() + 1];
    String overload = null;
    long cpu0 = 0;
    long start = System.nanoTime();
    long sent = 0;
    while (sent < total) {
      long backlog = sent - finished.get();
      if (backlog > maxBacklog) {
        overload = String.format(Locale.ROOT, "overloaded: %,d streams had not ended %.1f s after"
            + " the first call (over 5 s worth of calls); cut short", backlog, (System.nanoTime() - start) / 1e9);
        break;
      }
      long due = Math.min(total, (long) ((System.nanoTime() - start) / 1e9 * rate) + 1);
      while (sent < due) {
        int window = sent < warmupCalls ? -1 : (int) ((sent - warmupCalls) / perRep);
        if (window >= 0 && (sent - warmupCalls) % perRep == 0) {
          if (window == 0) {
            cpu0 = Machine.processCpuNanos();
          }
          windowStart[window] = System.nanoTime();
          windowErrors[window] = errors.get();
        }
        Recorder into = window < 0 ? null : windows[window];
        FirstMessage first = new FirstMessage();
        long t0 = System.nanoTime();
        client.http.sendAsync(client.post(path, true).build(),
                HttpResponse.BodyHandlers.fromLineSubscriber(first, FirstMessage::at, null))
            .whenComplete((r, e) -> {
              if (e == null && r.statusCode() == 200 && r.body() > 0) {
                if (into != null) {
                  into.recordValue(Math.max(1, (r.body() - t0) / 1000));
                }
              } else {
                errors.incrementAndGet();
                firstError.compareAndSet(null, e != null ? NodeHarness.describe(e)
                    : r.statusCode() != 200 ? "status " + r.statusCode()
                    : "the stream ended without a message event");
              }
              finished.incrementAndGet();
            });
        sent++;
      }
      LockSupport.parkNanos(200_000);
    }
    long end = System.nanoTime();
    double cpuCores = cpu0 == 0 ? 0 : (double) (Machine.processCpuNanos() - cpu0) / (end - windowStart[0]);
    long drainDeadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(30);
    while (finished.get() < sent && System.nanoTime() < drainDeadline) {
      Thread.sleep(5);
    }
    if (finished.get() < sent) {
      problems.add(String.format(Locale.ROOT, "sse: %,d of %,d streams had not ended 30 s after the"
          + " last call", sent - finished.get(), sent));
    }
    windowStart[s.reps()] = end;
    windowErrors[s.reps()] = errors.get();
    if (overload == null) {
      for (int i = 0; i < s.reps(); i++) {
        Histogram h = windows[i].getIntervalHistogram();
        double seconds = (windowStart[i + 1] - windowStart[i]) / 1e9;
        SseWindow w = new SseWindow(perRep, perRep / seconds, h, windowErrors[i + 1] - windowErrors[i]);
        reps.add(w);
        System.out.printf("    rep %d: %,d calls at %,.0f/s; first message p50 %s ms, p99 %s ms,"
                + " max %s ms; errors %d%n", i + 1, h.getTotalCount(), w.achievedRate(),
            Stats.ms(h, 50), Stats.ms(h, 99), Stats.msMax(h), w.errors());
      }
      System.out.printf("    this JVM used %.2f cores%n", cpuCores);
    } else {
      System.out.println("    " + overload);
    }
    if (firstError.get() != null) {
      problems.add("sse: " + errors.get() + " calls failed, first: " + firstError.get());
    }
    return new Sse(rate, reps, errors.get(), firstError.get(), overload, cpuCores);
  }

  /** Reads a stream's lines; notes when its first {@code message} frame is complete. */
  static final class FirstMessage implements Flow.Subscriber<String> {
    private volatile long at;
    private String event;

    @Override
    public void onSubscribe(Flow.Subscription subscription) {
      subscription.request(Long.MAX_VALUE);
    }

    @Override
    public void onNext(String line) {
      if (line.startsWith("event:")) {
        event = line.substring(6).trim();
      } else if (line.isEmpty()) {
        if (at == 0 && "message".equals(event)) {
          at = System.nanoTime();
        }
        event = null;
      }
    }

    @Override
    public void onError(Throwable t) {
      // the response's stage fails with it
    }

    @Override
    public void onComplete() {
      // the response's stage completes with at()
    }

    /** {@link System#nanoTime()} when the first message frame was complete, or 0. */
    long at() {
      return at;
    }
  }
}
