package dev.troupe.api;

import java.time.Instant;
import java.util.List;

/**
 * A schedule as it stands: its definition, whether it is paused, its next fire times (none while
 * paused) and its most recent fires, newest first.
 */
public record ScheduleInfo(Schedule schedule, boolean paused, List<Instant> nextFireTimes,
    List<ScheduleRun> recentRuns) implements TroupeSerializable {
  public ScheduleInfo {
    nextFireTimes = List.copyOf(nextFireTimes);
    recentRuns = List.copyOf(recentRuns);
  }
}
