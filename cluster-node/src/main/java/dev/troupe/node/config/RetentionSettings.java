package dev.troupe.node.config;

import com.typesafe.config.Config;
import com.typesafe.config.ConfigValueType;
import java.time.Duration;
import java.util.Optional;

/**
 * What the node keeps and for how long (defaults: cluster-node's reference.conf): {@code
 * troupe.history.retention}, the age after which finished runs and their stored streams are
 * purged from the history (empty: kept for ever), and {@code troupe.history.purge.*}, whether
 * journal entries that a snapshot and the history both cover are deleted, how often the purge
 * runs and how many rows one batch deletes at most.
 */
public record RetentionSettings(
    Optional<Duration> historyAge,
    boolean journal,
    Duration interval,
    int batchSize) {

  public RetentionSettings {
    if (batchSize < 1) {
      throw new IllegalArgumentException("troupe.history.purge.batch-size must be at least 1,"
          + " was " + batchSize);
    }
    if (interval.isNegative() || interval.isZero()) {
      throw new IllegalArgumentException("troupe.history.purge.interval must be positive, was "
          + interval);
    }
    if (historyAge.isPresent() && (historyAge.get().isNegative() || historyAge.get().isZero())) {
      historyAge = Optional.empty();
    }
  }

  /** Whether the purge has anything to do. */
  public boolean enabled() {
    return journal || historyAge.isPresent();
  }

  public static RetentionSettings fromConfig(Config root) {
    Config h = root.getConfig("troupe.history");
    Optional<Duration> age = h.getValue("retention").valueType() == ConfigValueType.BOOLEAN
        || "off".equalsIgnoreCase(h.getString("retention"))
        ? Optional.empty() : Optional.of(h.getDuration("retention"));
    Config p = h.getConfig("purge");
    return new RetentionSettings(age, p.getBoolean("journal"), p.getDuration("interval"),
        p.getInt("batch-size"));
  }
}
