package dev.troupe.persistence;

import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerStats;
import java.time.Instant;
import java.util.Arrays;
import java.util.List;
import org.pcollections.PVector;
import org.pcollections.TreePVector;

/**
 * The statistics arithmetic of one worker entity, folded from its finished runs. Percentiles are
 * over a window of the most recent durations, oldest first, at most {@code windowSize} long.
 */
public record Stats(
    long runs,
    long errors,
    long lastRunMs,
    long totalRuntimeMs,
    long timedRuns,
    long succeeded,
    long failed,
    long timedOut,
    long cancelled,
    long retries,
    Instant lastRunAt,
    List<Long> window) {

  public static final Stats EMPTY =
      new Stats(0, 0, 0, 0, 0, 0, 0, 0, 0, 0, null, TreePVector.empty());

  public Stats {
    window = window == null ? TreePVector.empty() : TreePVector.from(window);
  }

  Stats retried() {
    return new Stats(runs, errors, lastRunMs, totalRuntimeMs, timedRuns, succeeded, failed,
        timedOut, cancelled, retries + 1, lastRunAt, window);
  }

  Stats finished(RunRecord run, int windowSize) {
    RunStatus s = run.status();
    Long d = run.durationMs();
    PVector<Long> w = (PVector<Long>) window;
    if (d != null) {
      w = w.plus(d);
    }
    while (w.size() > windowSize) {
      w = w.minus(0); // oldest first; also trims a window whose size setting shrank
    }
    return new Stats(runs + 1,
        errors + (s == RunStatus.FAILED || s == RunStatus.TIMED_OUT ? 1 : 0),
        d == null ? lastRunMs : d,
        totalRuntimeMs + (d == null ? 0 : d),
        timedRuns + (d == null ? 0 : 1),
        succeeded + (s == RunStatus.SUCCEEDED ? 1 : 0),
        failed + (s == RunStatus.FAILED ? 1 : 0),
        timedOut + (s == RunStatus.TIMED_OUT ? 1 : 0),
        cancelled + (s == RunStatus.CANCELLED ? 1 : 0),
        retries,
        run.finishedAt(),
        w);
  }

  public WorkerStats toWorkerStats(String worker, long running, long queued, long scheduled) {
    long[] sorted = window.stream().mapToLong(Long::longValue).toArray();
    Arrays.sort(sorted);
    return new WorkerStats(worker, runs, errors, lastRunMs, totalRuntimeMs, succeeded, failed,
        timedOut, cancelled, retries, running, queued, scheduled,
        timedRuns == 0 ? 0 : (double) totalRuntimeMs / timedRuns,
        percentile(sorted, 0.50), percentile(sorted, 0.95), percentile(sorted, 0.99), lastRunAt);
  }

  private static long percentile(long[] sorted, double q) {
    if (sorted.length == 0) {
      return 0;
    }
    int rank = (int) Math.ceil(q * sorted.length);
    return sorted[Math.max(0, Math.min(sorted.length - 1, rank - 1))];
  }
}
