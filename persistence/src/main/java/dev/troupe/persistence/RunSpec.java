package dev.troupe.persistence;

import com.fasterxml.jackson.annotation.JsonIgnore;
import dev.troupe.api.CallOptions;
import dev.troupe.api.ScheduleRef;
import dev.troupe.api.TroupeSerializable;
import java.time.Instant;
import java.util.List;

/**
 * How and when a run is to start, and where it came from: fixed when the run is accepted, part
 * of its {@link WorkerEvent.RunAccepted} event. Events written before these options existed read
 * back as {@link #DEFAULT}.
 *
 * @param priority {@link CallOptions#MIN_PRIORITY} to {@link CallOptions#MAX_PRIORITY}
 * @param concurrencyKey the fairness and per-key limit key, or null
 * @param scheduledFor the instant the run becomes due, or null for at once
 * @param dependsOn runs that must succeed before this one is queued
 * @param parentRunId the run whose handler started this one as a child, or null
 * @param rerunOf the finished run this one re-runs, or null
 * @param schedule the schedule fire that started this run, or null
 * @param depth how many child calls deep the run is: 0 for a run that no handler started
 * @param detached for a child run: it goes on when its parent is cancelled
 * @param traceParent the span context of the call that made the run, as a W3C {@code
 *     traceparent} value ({@code 00-<trace id>-<span id>-<flags>}): the parent of each of its
 *     attempts' spans, on whatever node runs them; null when tracing was off when the run was
 *     accepted (and in events written before it existed)
 */
public record RunSpec(int priority, String concurrencyKey, Instant scheduledFor,
    List<String> dependsOn, String parentRunId, String rerunOf, ScheduleRef schedule, int depth,
    boolean detached, String traceParent) implements TroupeSerializable {
  public static final RunSpec DEFAULT =
      new RunSpec(CallOptions.DEFAULT_PRIORITY, null, null, List.of(), null, null, null);

  public RunSpec {
    dependsOn = dependsOn == null ? List.of() : List.copyOf(dependsOn);
  }

  /** A spec of a run that no handler started (depth 0). */
  public RunSpec(int priority, String concurrencyKey, Instant scheduledFor,
      List<String> dependsOn, String parentRunId, String rerunOf, ScheduleRef schedule) {
    this(priority, concurrencyKey, scheduledFor, dependsOn, parentRunId, rerunOf, schedule, 0,
        false, null);
  }

  /** A spec without a trace context (tracing off). */
  public RunSpec(int priority, String concurrencyKey, Instant scheduledFor,
      List<String> dependsOn, String parentRunId, String rerunOf, ScheduleRef schedule, int depth,
      boolean detached) {
    this(priority, concurrencyKey, scheduledFor, dependsOn, parentRunId, rerunOf, schedule, depth,
        detached, null);
  }

  /**
   * The trace id of {@link #traceParent}, 32 lowercase hex digits, or null when the run has no
   * trace context.
   */
  @JsonIgnore
  public String traceId() {
    return traceParent == null || traceParent.length() < 35 ? null : traceParent.substring(3, 35);
  }

  /** This spec with {@code parent} (a W3C {@code traceparent} value, or null) as its trace context. */
  public RunSpec withTraceParent(String parent) {
    return new RunSpec(priority, concurrencyKey, scheduledFor, dependsOn, parentRunId, rerunOf,
        schedule, depth, detached, parent);
  }

  public RunSpec withScheduledFor(Instant at) {
    return new RunSpec(priority, concurrencyKey, at, dependsOn, parentRunId, rerunOf, schedule,
        depth, detached, traceParent);
  }

  /**
   * The spec of a child run of {@code runId}, itself {@code parentDepth} calls deep; a {@code
   * detached} child goes on when its parent is cancelled.
   */
  public RunSpec withParent(String runId, int parentDepth, boolean detach) {
    return new RunSpec(priority, concurrencyKey, scheduledFor, dependsOn, runId, rerunOf,
        schedule, parentDepth + 1, detach, traceParent);
  }

  public RunSpec withRerunOf(String runId) {
    return new RunSpec(priority, concurrencyKey, scheduledFor, dependsOn, parentRunId, runId,
        schedule, depth, detached, traceParent);
  }

  public RunSpec withSchedule(ScheduleRef ref) {
    return new RunSpec(priority, concurrencyKey, scheduledFor, dependsOn, parentRunId, rerunOf,
        ref, depth, detached, traceParent);
  }

  /**
   * The spec a call with {@code options} gets when accepted at {@code now}: a delay becomes the
   * instant it ends.
   */
  public static RunSpec of(CallOptions options, Instant now) {
    Instant due = options.runAt() != null ? options.runAt()
        : options.delay() != null ? now.plus(options.delay()) : null;
    return new RunSpec(options.effectivePriority(), options.concurrencyKey(), due,
        options.dependsOn(), null, null, null);
  }
}
