package dev.troupe.bench.peers;

import java.util.List;
import java.util.Map;

/** What a measuring child JVM hands back to the harness, as JSON. */
final class Results {
  private Results() {}

  /** One repetition of workload 1: first enqueue to last completion the system recorded. */
  record ThroughputRep(int jobs, boolean complete, double seconds, double jobsPerSecond,
      double enqueueSeconds) {}

  /** One repetition of a latency workload, in milliseconds. */
  record LatencyRep(double rate, long measured, long missing, long failed, double p50Ms,
      double p90Ms, double p99Ms, double maxMs) {}

  /** The 1-minute/5-minute/15-minute load averages when a workload started and ended. */
  record Load(String start, String end) {}

  /**
   * {@code catchUpSeconds}: how long the system's background work took to catch up after
   * workload 1 had finished (before workload 2 started).
   */
  record SystemResult(String target, String version, String storage, String durability,
      String configuration, String progressChannel, List<ThroughputRep> throughput,
      double catchUpSeconds, List<LatencyRep> startLatency, List<LatencyRep> firstMessage,
      Map<String, Load> load, List<String> problems) {}

  /** Workload 4 for one system: counted in the ledger after a SIGKILL and a restart. */
  record DurableResult(String target, int enqueued, long doneAtKill, long distinctDone,
      long rows, long lost, long duplicated, double recoverySeconds, Load load, String problem) {}
}
