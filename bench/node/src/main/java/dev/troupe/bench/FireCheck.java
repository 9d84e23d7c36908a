package dev.troupe.bench;

import dev.troupe.api.ScheduleInfo;
import dev.troupe.api.ScheduleRun;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;

/**
 * Whether every fire time of the {@code schedules} workload started exactly one run, from what
 * the schedules list ({@link ScheduleInfo#recentRuns()}, the newest {@code
 * troupe.schedules.recent-runs} fires) and the runs the handler saw (by run id):
 *
 * <ul>
 *   <li>{@code withoutRun}: fires that name no run (their error says why);
 *   <li>{@code sameFireTime}: fires of one schedule at the same fire time;
 *   <li>{@code missed}: fire times without a fire, between a schedule's first and last, before
 *       its first (one period after all schedules were put) or after its last (until the pause);
 *   <li>{@code sharedRunIds}: fires naming a run another fire names too;
 *   <li>{@code notStarted} / {@code startedTwice}: listed runs the handler never saw, or saw more
 *       than once;
 *   <li>{@code unlisted}: runs the handler saw that no fire lists (only meaningful when no
 *       schedule holds as many fires as it keeps: {@code full} counts those that do).
 * </ul>
 */
record FireCheck(long schedules, long fires, long withoutRun, long sameFireTime, long missed,
    long sharedRunIds, long notStarted, long startedTwice, long unlisted, long full,
    String firstError) {

  /** How long after its fire time a fire may still be under way when the schedules are paused. */
  private static final Duration MARGIN = Duration.ofSeconds(2);

  static FireCheck of(List<ScheduleInfo> infos, Map<String, Integer> started, int period,
      Instant putsDone, Instant pausing, int kept) {
    long fires = 0;
    long withoutRun = 0;
    long same = 0;
    long missed = 0;
    long shared = 0;
    long notStarted = 0;
    long twice = 0;
    long full = 0;
    String firstError = null;
    Set<String> listed = new HashSet<>();
    Instant lastDue = pausing.minus(MARGIN);
    for (ScheduleInfo info : infos) {
      List<ScheduleRun> runs = info.recentRuns();
      fires += runs.size();
      boolean isFull = runs.size() >= kept;
      full += isFull ? 1 : 0;
      List<Instant> times = new ArrayList<>(runs.stream().map(ScheduleRun::fireTime).toList());
      times.sort(null);
      if (times.isEmpty()) {
        missed += periods(putsDone, lastDue, period);
      } else {
        missed += isFull ? 0 : periods(putsDone, times.get(0), period);
        missed += periods(times.get(times.size() - 1), lastDue, period);
        for (int i = 1; i < times.size(); i++) {
          long gap = Duration.between(times.get(i - 1), times.get(i)).toSeconds();
          if (gap == 0) {
            same++;
          } else {
            missed += Math.max(0, gap / period - 1);
          }
        }
      }
      for (ScheduleRun r : runs) {
        if (r.runId() == null) {
          withoutRun++;
          firstError = firstError == null ? r.error() : firstError;
          continue;
        }
        if (!listed.add(r.runId())) {
          shared++;
        }
        Integer n = started.get(r.runId());
        if (n == null) {
          notStarted++;
        } else if (n > 1) {
          twice++;
        }
      }
    }
    long unlisted = started.keySet().stream().filter(id -> !listed.contains(id)).count();
    return new FireCheck(infos.size(), fires, withoutRun, same, missed, shared, notStarted, twice,
        unlisted, full, firstError);
  }

  /** Whole periods from {@code a} to {@code b} (0 when {@code b} is not later). */
  private static long periods(Instant a, Instant b, int period) {
    return Math.max(0, Duration.between(a, b).toSeconds() / period);
  }

  /** Whether every fire time checked started exactly one run. */
  boolean exact() {
    return withoutRun == 0 && sameFireTime == 0 && missed == 0 && sharedRunIds == 0
        && notStarted == 0 && startedTwice == 0 && (unlisted == 0 || full > 0);
  }

  /** What the check found, in words. */
  String summary() {
    String scope = String.format(Locale.ROOT, "%,d fire times of %,d schedules checked", fires,
        schedules) + (full > 0 ? String.format(Locale.ROOT, " (%,d schedules held as many fires"
        + " as they keep: their older fires are not checked)", full) : "");
    if (exact()) {
      return scope + ": each started exactly one run";
    }
    return scope + String.format(Locale.ROOT, ": %d without a run%s, %d twice at one fire time,"
            + " %d fire times missed, %d run ids shared, %d runs never started, %d started twice,"
            + " %d runs started that no fire lists", withoutRun,
        firstError == null ? "" : " (first: " + firstError + ")", sameFireTime, missed,
        sharedRunIds, notStarted, startedTwice, unlisted);
  }
}
