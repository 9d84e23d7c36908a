package dev.troupe.node.schedule;

import dev.troupe.api.Schedule;
import dev.troupe.api.TroupeSerializable;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;

/**
 * One schedule as its events leave it.
 *
 * @param schedule the definition, or null when the schedule does not exist (never did, or deleted)
 * @param after fire times at or before this are done with (fired, skipped, or before the
 *     schedule was defined or resumed)
 * @param pending fires written whose run is not known to be started yet: started again (by the
 *     same idempotency key) after a crash
 * @param recent the latest fires, newest first, at most {@code keep}
 */
public record ScheduleState(Schedule schedule, boolean paused, Instant after,
    List<Pending> pending, List<Fire> recent) implements TroupeSerializable {
  public static final ScheduleState EMPTY =
      new ScheduleState(null, false, Instant.EPOCH, List.of(), List.of());

  /** A fire whose run is not started yet. */
  public record Pending(Instant fireTime, boolean manual) implements TroupeSerializable {}

  /** A fire and its run (or why it has none). */
  public record Fire(Instant fireTime, String runId, String error) implements TroupeSerializable {}

  public ScheduleState {
    pending = List.copyOf(pending);
    recent = List.copyOf(recent);
  }

  public boolean exists() {
    return schedule != null;
  }

  /** The state after {@code e}; {@code keep} bounds the recent fires. */
  public ScheduleState apply(ScheduleEvent e, int keep) {
    if (e instanceof ScheduleEvent.Defined d) {
      boolean wasPaused = exists() && paused;
      Instant from = exists() && after.isAfter(d.at()) ? after : d.at();
      return new ScheduleState(d.schedule(), wasPaused, from, exists() ? pending : List.of(),
          exists() ? recent : List.of());
    } else if (e instanceof ScheduleEvent.Paused) {
      return new ScheduleState(schedule, true, after, pending, recent);
    } else if (e instanceof ScheduleEvent.Resumed r) {
      return new ScheduleState(schedule, false, later(after, r.at()), pending, recent);
    } else if (e instanceof ScheduleEvent.Fired f) {
      List<Pending> p = new ArrayList<>(pending);
      p.add(new Pending(f.fireTime(), f.manual()));
      return new ScheduleState(schedule, paused, f.manual() ? after : later(after, f.fireTime()),
          p, recent);
    } else if (e instanceof ScheduleEvent.Skipped s) {
      return new ScheduleState(schedule, paused, later(after, s.upTo()), pending, recent);
    } else if (e instanceof ScheduleEvent.RunStarted r) {
      return done(new Pending(r.fireTime(), r.manual()), new Fire(r.fireTime(), r.runId(), null), keep);
    } else if (e instanceof ScheduleEvent.FireFailed f) {
      return done(new Pending(f.fireTime(), f.manual()), new Fire(f.fireTime(), null, f.error()),
          keep);
    } else if (e instanceof ScheduleEvent.Deleted) {
      return EMPTY;
    }
    throw new IllegalArgumentException("unknown schedule event " + e);
  }

  private ScheduleState done(Pending fired, Fire fire, int keep) {
    List<Pending> p = new ArrayList<>(pending);
    p.remove(fired);
    List<Fire> r = new ArrayList<>(recent.size() + 1);
    r.add(fire);
    r.addAll(recent.subList(0, Math.min(recent.size(), keep - 1)));
    return new ScheduleState(schedule, paused, after, p, r);
  }

  public boolean isPending(Pending fire) {
    return pending.contains(fire);
  }

  private static Instant later(Instant a, Instant b) {
    return a.isAfter(b) ? a : b;
  }
}
