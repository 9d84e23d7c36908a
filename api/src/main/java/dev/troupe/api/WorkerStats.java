package dev.troupe.api;

import java.time.Instant;

/**
 * Statistics of one worker definition, derived from its persisted events, so they survive
 * restarts and count every run once. {@code runs} counts finished runs; {@code errors} those that
 * ended FAILED or TIMED_OUT. Mean and percentiles are over runs that started; percentiles are
 * over the most recent finished runs (see {@code troupe.worker.stats-window}). {@code running},
 * {@code queued} and {@code scheduled} count the runs that are so now (scheduled: waiting for
 * their start time).
 */
public record WorkerStats(
    String worker,
    long runs,
    long errors,
    long lastRunMs,
    long totalRuntimeMs,
    long succeeded,
    long failed,
    long timedOut,
    long cancelled,
    long retries,
    long running,
    long queued,
    long scheduled,
    double meanMs,
    long p50Ms,
    long p95Ms,
    long p99Ms,
    Instant lastRunAt)
    implements TroupeSerializable {

  /** Sums the stats of a definition's partitions into one. Percentiles take the worst one. */
  public WorkerStats plus(WorkerStats o) {
    double timed = timedRuns() + o.timedRuns();
    double mean = timed == 0 ? 0 : (totalRuntimeMs + o.totalRuntimeMs) / timed;
    Instant last = lastRunAt == null ? o.lastRunAt
        : o.lastRunAt == null || lastRunAt.isAfter(o.lastRunAt) ? lastRunAt : o.lastRunAt;
    long lastMs = last == lastRunAt ? lastRunMs : o.lastRunMs;
    return new WorkerStats(worker, runs + o.runs, errors + o.errors, lastMs,
        totalRuntimeMs + o.totalRuntimeMs, succeeded + o.succeeded, failed + o.failed,
        timedOut + o.timedOut, cancelled + o.cancelled, retries + o.retries,
        running + o.running, queued + o.queued, scheduled + o.scheduled, mean, Math.max(p50Ms, o.p50Ms),
        Math.max(p95Ms, o.p95Ms), Math.max(p99Ms, o.p99Ms), last);
  }

  /** How many runs the mean is over: those that started (mean = total / timed). */
  private double timedRuns() {
    return meanMs == 0 ? 0 : totalRuntimeMs / meanMs;
  }
}
