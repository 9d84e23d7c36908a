package dev.troupe.node.schedule;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.troupe.api.Schedule;
import dev.troupe.api.TroupeSerializable;
import java.time.Instant;

/**
 * The journal events of one schedule (persistence id {@code schedule|<name>}). Only its entity
 * reads them: no projection follows them.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = ScheduleEvent.Defined.class, name = "defined"),
  @JsonSubTypes.Type(value = ScheduleEvent.Paused.class, name = "paused"),
  @JsonSubTypes.Type(value = ScheduleEvent.Resumed.class, name = "resumed"),
  @JsonSubTypes.Type(value = ScheduleEvent.Fired.class, name = "fired"),
  @JsonSubTypes.Type(value = ScheduleEvent.Skipped.class, name = "skipped"),
  @JsonSubTypes.Type(value = ScheduleEvent.RunStarted.class, name = "run-started"),
  @JsonSubTypes.Type(value = ScheduleEvent.FireFailed.class, name = "fire-failed"),
  @JsonSubTypes.Type(value = ScheduleEvent.Deleted.class, name = "deleted")
})
public sealed interface ScheduleEvent extends TroupeSerializable {

  /** Created or replaced at {@code at}: fire times after {@code at} are its own. */
  record Defined(Schedule schedule, Instant at) implements ScheduleEvent {}

  record Paused(Instant at) implements ScheduleEvent {}

  /** Fire times after {@code at} fire again; those while it was paused never do. */
  record Resumed(Instant at) implements ScheduleEvent {}

  /**
   * A fire: its run is to be started (once, by idempotency key), before or after a crash.
   * {@code manual} for a trigger, which does not move the schedule's own fire times.
   */
  record Fired(Instant fireTime, boolean manual) implements ScheduleEvent {}

  /** Missed fire times up to {@code upTo} were dropped by the misfire policy skip. */
  record Skipped(Instant upTo) implements ScheduleEvent {}

  record RunStarted(Instant fireTime, boolean manual, String runId) implements ScheduleEvent {}

  /** The fire could not start a run, for good (its worker is gone, its payload refused). */
  record FireFailed(Instant fireTime, boolean manual, String error) implements ScheduleEvent {}

  record Deleted(Instant at) implements ScheduleEvent {}
}
