package dev.troupe.node.entity;

import dev.troupe.api.RateLimit;
import dev.troupe.persistence.ReadyQueue;
import dev.troupe.persistence.RunRecord;
import dev.troupe.persistence.WorkerState;
import java.time.Instant;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.Iterator;
import java.util.List;
import java.util.Map;

/**
 * A worker entity's record of its recent attempt starts, for its {@link RateLimit}: the start
 * times within the last window, one sliding window for the definition or one per concurrency key.
 * At most {@code starts} times are kept per window, so its memory is bounded by the limit and the
 * keys that started runs within the last window. Memory only: after a restart it is seeded from
 * the start times of the runs the entity holds. Used on the entity's thread only.
 */
final class StartWindows {
  /** The window of a limit that is not per key. */
  private static final String DEFINITION = "\u0000definition";

  private final Map<String, ArrayDeque<Long>> windows = new HashMap<>();
  private long lastSweep;

  /** Whether {@code limit} allows a start at {@code now} in the window of {@code lane}. */
  boolean allows(RateLimit limit, String lane, Instant now) {
    ArrayDeque<Long> w = window(limit, lane, now);
    return w == null || w.size() < limit.starts();
  }

  /** When the window of {@code lane}, full now, allows its next start. */
  Instant nextAllowed(RateLimit limit, String lane, Instant now) {
    ArrayDeque<Long> w = window(limit, lane, now);
    return w == null || w.isEmpty() ? now
        : Instant.ofEpochMilli(w.peekFirst() + limit.per().toMillis());
  }

  /** An attempt of a run of {@code lane} started at {@code at}. */
  void started(RateLimit limit, String lane, Instant at) {
    String key = key(limit, lane);
    ArrayDeque<Long> w = windows.computeIfAbsent(key, k -> new ArrayDeque<>());
    w.addLast(at.toEpochMilli());
    while (w.size() > limit.starts()) {
      w.pollFirst(); // only the newest starts matter once the window is full
    }
    sweep(limit, at);
  }

  void clear() {
    windows.clear();
  }

  /** The window of {@code lane} without its starts older than the limit's period; null if none. */
  private ArrayDeque<Long> window(RateLimit limit, String lane, Instant now) {
    String key = key(limit, lane);
    ArrayDeque<Long> w = windows.get(key);
    if (w != null) {
      prune(w, limit, now);
      if (w.isEmpty()) {
        windows.remove(key);
        return null;
      }
    }
    return w;
  }

  private static void prune(ArrayDeque<Long> w, RateLimit limit, Instant now) {
    long horizon = now.toEpochMilli() - limit.per().toMillis();
    while (!w.isEmpty() && w.peekFirst() <= horizon) {
      w.pollFirst();
    }
  }

  /** Now and then, the windows of keys that started nothing within a period are dropped. */
  private void sweep(RateLimit limit, Instant now) {
    if (windows.size() < 64 || now.toEpochMilli() - lastSweep < limit.per().toMillis()) {
      return;
    }
    lastSweep = now.toEpochMilli();
    for (Iterator<ArrayDeque<Long>> it = windows.values().iterator(); it.hasNext(); ) {
      ArrayDeque<Long> w = it.next();
      prune(w, limit, now);
      if (w.isEmpty()) {
        it.remove();
      }
    }
  }

  private static String key(RateLimit limit, String lane) {
    return limit.perKey() ? (lane == null ? ReadyQueue.NO_KEY : lane) : DEFINITION;
  }

  /**
   * After a restart, the windows made again from the runs the entity holds: the first start of
   * each active and retained finished run, oldest first.
   */
  void seed(WorkerState s, RateLimit limit) {
    clear();
    if (limit == null) {
      return;
    }
    List<RunRecord> started = new ArrayList<>();
    for (RunRecord r : s.activeRuns()) {
      if (r.startedAt() != null) {
        started.add(r);
      }
    }
    for (RunRecord r : s.finishedRuns()) {
      if (r.startedAt() != null) {
        started.add(r);
      }
    }
    started.sort(Comparator.comparing(RunRecord::startedAt));
    for (RunRecord r : started) {
      started(limit, ReadyQueue.laneOf(r.spec().concurrencyKey()), r.startedAt());
    }
  }
}
