package dev.troupe.node.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValue;
import dev.troupe.api.WorkerNames;
import dev.troupe.persistence.WorkerState;
import java.time.Duration;
import java.util.Map;
import java.util.TreeMap;

/** The {@code troupe.*} settings of a node, read once from its config (defaults: reference.conf). */
public record TroupeSettings(
    String env,
    boolean discoverModules,
    Duration askTimeout,
    long maxPayloadBytes,
    JsonLimits json,
    DataBytes output,
    Duration resultTimeout,
    Duration resultRecheck,
    Duration resultRetryPause,
    Duration maxScheduleAhead,
    int maxExecutingRuns,
    long nodeMaxActivePayloadBytes,
    Map<String, Integer> workerLimits,
    boolean selfJoin,
    int maxBatch,
    long maxBatchBytes,
    int duePerBatch,
    int intakeBuffer,
    long maxActivePayloadBytes,
    int maxResultWaiters,
    Duration batchTimeout,
    Duration handoffGrace,
    Duration strayCheck,
    Duration strayGrace,
    WorkerState.Limits limits,
    int snapshotEvery,
    boolean resumeInterruptedRuns,
    int replayBuffer,
    int subscriberBuffer,
    int maxSubscribers,
    int retainedStreams,
    int maxUnwrittenEmits,
    Duration storageWait,
    int storagePage,
    Duration drainTimeout,
    boolean requeueAfterDrain) {

  public TroupeSettings {
    workerLimits = workerLimits == null ? Map.of() : Map.copyOf(workerLimits);
    if (maxActivePayloadBytes < maxPayloadBytes || nodeMaxActivePayloadBytes < maxPayloadBytes) {
      throw new IllegalArgumentException("troupe.worker.max-active-payload-bytes ("
          + maxActivePayloadBytes + ") and troupe.node.max-active-payload-bytes ("
          + nodeMaxActivePayloadBytes + ") must be at least troupe.call.max-payload-bytes ("
          + maxPayloadBytes + ")");
    }
    if (maxBatchBytes < 1) {
      throw new IllegalArgumentException("troupe.worker.max-batch-bytes must be at least 1, was "
          + maxBatchBytes);
    }
    if (maxResultWaiters < 1) {
      throw new IllegalArgumentException("troupe.worker.max-result-waiters must be at least 1,"
          + " was " + maxResultWaiters);
    }
    if (duePerBatch < 1) {
      throw new IllegalArgumentException("troupe.worker.due-per-batch must be at least 1, was "
          + duePerBatch);
    }
    if (strayCheck.isNegative() || strayCheck.isZero() || strayGrace.isNegative()) {
      throw new IllegalArgumentException("troupe.worker.stray-check must be positive and"
          + " troupe.worker.stray-grace not negative, were " + strayCheck + " and " + strayGrace);
    }
    if (maxUnwrittenEmits < 1 || storagePage < 1) {
      throw new IllegalArgumentException("troupe.worker.stream.max-unwritten-emits and"
          + " troupe.worker.stream.storage-page must be at least 1, were " + maxUnwrittenEmits
          + " and " + storagePage);
    }
  }

  public static TroupeSettings fromConfig(Config root) {
    Config c = root.getConfig("troupe");
    Config w = c.getConfig("worker");
    Config s = w.getConfig("stream");
    return new TroupeSettings(
        c.getString("env"),
        c.getBoolean("discover-modules"),
        c.getDuration("ask-timeout"),
        c.getBytes("call.max-payload-bytes"),
        JsonLimits.fromConfig(root),
        DataBytes.fromConfig(c),
        c.getDuration("call.result-timeout"),
        c.getDuration("call.result-recheck"),
        c.getDuration("call.result-retry-pause"),
        c.getDuration("call.max-schedule-ahead"),
        c.getInt("node.max-executing-runs"),
        c.getBytes("node.max-active-payload-bytes"),
        workerLimits(c.getConfig("node.worker-limits")),
        c.getBoolean("node.self-join"),
        w.getInt("max-batch"),
        w.getBytes("max-batch-bytes"),
        w.getInt("due-per-batch"),
        w.getInt("intake-buffer"),
        w.getBytes("max-active-payload-bytes"),
        w.getInt("max-result-waiters"),
        w.getDuration("batch-timeout"),
        w.getDuration("handoff-grace"),
        w.getDuration("stray-check"),
        w.getDuration("stray-grace"),
        new WorkerState.Limits(w.getInt("retained-finished-runs"), w.getInt("stats-window"),
            // summaries are read whole from the history: without it runs are kept whole
            c.getBoolean("history.enabled") ? w.getBytes("retained-run-bytes") : Long.MAX_VALUE),
        w.getInt("snapshot-every"),
        w.getBoolean("resume-interrupted-runs"),
        s.getInt("replay-buffer"),
        s.getInt("subscriber-buffer"),
        s.getInt("max-subscribers"),
        s.getInt("retained-streams"),
        s.getInt("max-unwritten-emits"),
        s.getDuration("storage-wait"),
        s.getInt("storage-page"),
        c.getDuration("shutdown.drain-timeout"),
        afterDrain(c.getString("shutdown.after-drain")));
  }

  /**
   * {@code troupe.node.worker-limits}: worker name → the most of its runs executing on this node
   * (quote a name with a '#' or a '.'; worker names have neither).
   */
  private static Map<String, Integer> workerLimits(Config limits) {
    Map<String, Integer> out = new TreeMap<>();
    for (Map.Entry<String, ConfigValue> e : limits.root().entrySet()) {
      String name = e.getKey();
      try {
        WorkerNames.validate(name);
      } catch (RuntimeException ex) {
        throw new IllegalArgumentException("troupe.node.worker-limits: " + ex.getMessage());
      }
      Object n = e.getValue().unwrapped();
      if (!(n instanceof Integer i) || i < 1) {
        throw new IllegalArgumentException("troupe.node.worker-limits." + name
            + " must be a whole number of at least 1, was " + e.getValue().render());
      }
      out.put(name, i);
    }
    return Map.copyOf(out);
  }

  private static boolean afterDrain(String value) {
    return switch (value) {
      case "requeue" -> true;
      case "cancel" -> false;
      default -> throw new IllegalArgumentException(
          "troupe.shutdown.after-drain must be requeue or cancel, was '" + value + "'");
    };
  }
}
