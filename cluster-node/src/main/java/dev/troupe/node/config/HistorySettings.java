package dev.troupe.node.config;

import com.typesafe.config.Config;
import java.time.Duration;

/** The {@code troupe.history.*} settings of a node (defaults: cluster-node's reference.conf). */
public record HistorySettings(
    boolean enabled,
    int batchSize,
    long batchBytes,
    Duration batchWindow,
    Duration tailCheckInterval,
    int poolSize,
    Duration minBackoff,
    Duration maxBackoff,
    double randomFactor) {

  /** The dispatcher of the history's JDBC calls: reads, and the projection's writes. */
  public static final String DISPATCHER = "troupe.history.dispatcher";

  public HistorySettings {
    if (batchSize < 1 || poolSize < 1 || batchBytes < 1) {
      throw new IllegalArgumentException("troupe.history.batch-size, batch-bytes and pool-size"
          + " must be at least 1, were " + batchSize + ", " + batchBytes + " and " + poolSize);
    }
  }

  public static HistorySettings fromConfig(Config root) {
    Config c = root.getConfig("troupe.history");
    return new HistorySettings(
        c.getBoolean("enabled"),
        c.getInt("batch-size"),
        c.getBytes("batch-bytes"),
        c.getDuration("batch-window"),
        c.getDuration("tail-check-interval"),
        c.getInt("pool-size"),
        c.getDuration("restart-backoff.min"),
        c.getDuration("restart-backoff.max"),
        c.getDouble("restart-backoff.random-factor"));
  }
}
