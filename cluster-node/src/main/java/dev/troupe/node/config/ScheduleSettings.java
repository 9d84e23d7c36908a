package dev.troupe.node.config;

import com.typesafe.config.Config;
import java.time.Duration;

/**
 * The {@code troupe.schedules.*} settings of a node (defaults: cluster-node's reference.conf).
 *
 * @param misfireThreshold how late a fire time may be and still start its own run; older ones are
 *     missed and follow the schedule's misfire policy
 * @param maxCatchUp fire times written in one go when a schedule catches up (the rest follow)
 * @param recentRuns fires each schedule keeps and shows
 * @param retryMin first wait before a fire's call of its worker is tried again
 * @param retryMax longest wait between such tries
 * @param snapshotEvery a snapshot every N events; older events of a schedule are deleted
 */
public record ScheduleSettings(Duration misfireThreshold, int maxCatchUp, int recentRuns,
    Duration retryMin, Duration retryMax, int snapshotEvery) {

  public ScheduleSettings {
    if (maxCatchUp < 1 || recentRuns < 1 || snapshotEvery < 1) {
      throw new IllegalArgumentException("troupe.schedules.max-catch-up, recent-runs and"
          + " snapshot-every must be at least 1");
    }
  }

  public static ScheduleSettings fromConfig(Config root) {
    Config c = root.getConfig("troupe.schedules");
    return new ScheduleSettings(c.getDuration("misfire-threshold"), c.getInt("max-catch-up"),
        c.getInt("recent-runs"), c.getDuration("call-retry.min"),
        c.getDuration("call-retry.max"), c.getInt("snapshot-every"));
  }
}
