package dev.troupe.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * A run as users see it (field names are part of the HTTP contract). While the run is going,
 * {@code finishedAt}, {@code durationMs}, {@code result} and {@code error} are null.
 *
 * @param durationMs from the first attempt's start to the finish; null if it never started
 * @param priority 0 (lowest) to 9, {@link CallOptions#DEFAULT_PRIORITY} unless the call said
 * @param concurrencyKey the call's fairness key, or null
 * @param scheduledFor the instant a delayed run became or becomes due, or null
 * @param schedule the schedule fire that started the run, or null
 * @param rerunOf the run this one re-runs, or null
 * @param parentRunId the run whose handler started this one, or null
 * @param children the runs this one's handler started, oldest first, as far as the run history
 *     knows them (it follows the journal shortly behind); empty where not looked up
 * @param steps the run's durable steps in the order they first ran (empty when it has none)
 * @param rerunBy the runs that re-run this one, oldest first, as far as the run history knows
 *     them (it follows the journal shortly behind); empty where not looked up
 * @param traceId the OpenTelemetry trace id of the run (32 lowercase hex digits): its call's
 *     span, its attempts' and its child runs' are in this trace; null when tracing was off on
 *     the node that accepted the run
 */
public record RunResult(
    String runId,
    String worker,
    RunStatus status,
    int attempts,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    Long durationMs,
    JsonNode payload,
    JsonNode result,
    RunError error,
    List<String> tags,
    int priority,
    String concurrencyKey,
    Instant scheduledFor,
    ScheduleRef schedule,
    String rerunOf,
    String parentRunId,
    List<String> children,
    List<RunStep> steps,
    List<String> rerunBy,
    String traceId)
    implements TroupeSerializable {
  public RunResult {
    result = result == null || result.isNull() ? null : result; // JSON null and no result are one
    tags = tags == null ? List.of() : List.copyOf(tags);
    children = children == null ? List.of() : List.copyOf(children);
    steps = steps == null ? List.of() : List.copyOf(steps);
    rerunBy = rerunBy == null ? List.of() : List.copyOf(rerunBy);
  }

  /** A run without a trace id. */
  public RunResult(String runId, String worker, RunStatus status, int attempts, Instant createdAt,
      Instant startedAt, Instant finishedAt, Long durationMs, JsonNode payload, JsonNode result,
      RunError error, List<String> tags, int priority, String concurrencyKey,
      Instant scheduledFor, ScheduleRef schedule, String rerunOf, String parentRunId,
      List<String> children, List<RunStep> steps, List<String> rerunBy) {
    this(runId, worker, status, attempts, createdAt, startedAt, finishedAt, durationMs, payload,
        result, error, tags, priority, concurrencyKey, scheduledFor, schedule, rerunOf,
        parentRunId, children, steps, rerunBy, null);
  }

  /** A run without its re-runs looked up. */
  public RunResult(String runId, String worker, RunStatus status, int attempts, Instant createdAt,
      Instant startedAt, Instant finishedAt, Long durationMs, JsonNode payload, JsonNode result,
      RunError error, List<String> tags, int priority, String concurrencyKey,
      Instant scheduledFor, ScheduleRef schedule, String rerunOf, String parentRunId,
      List<String> children, List<RunStep> steps) {
    this(runId, worker, status, attempts, createdAt, startedAt, finishedAt, durationMs, payload,
        result, error, tags, priority, concurrencyKey, scheduledFor, schedule, rerunOf,
        parentRunId, children, steps, List.of());
  }

  /** A run without its children looked up, and without steps. */
  public RunResult(String runId, String worker, RunStatus status, int attempts, Instant createdAt,
      Instant startedAt, Instant finishedAt, Long durationMs, JsonNode payload, JsonNode result,
      RunError error, List<String> tags, int priority, String concurrencyKey,
      Instant scheduledFor, ScheduleRef schedule, String rerunOf, String parentRunId) {
    this(runId, worker, status, attempts, createdAt, startedAt, finishedAt, durationMs, payload,
        result, error, tags, priority, concurrencyKey, scheduledFor, schedule, rerunOf,
        parentRunId, List.of(), List.of());
  }

  /** A run without any of the call options that came after tags: the default priority, no key. */
  public RunResult(String runId, String worker, RunStatus status, int attempts, Instant createdAt,
      Instant startedAt, Instant finishedAt, Long durationMs, JsonNode payload, JsonNode result,
      RunError error, List<String> tags) {
    this(runId, worker, status, attempts, createdAt, startedAt, finishedAt, durationMs, payload,
        result, error, tags, CallOptions.DEFAULT_PRIORITY, null, null, null, null, null, List.of(),
        List.of());
  }

  /** This run with {@code ids} as its children. */
  public RunResult withChildren(List<String> ids) {
    return new RunResult(runId, worker, status, attempts, createdAt, startedAt, finishedAt,
        durationMs, payload, result, error, tags, priority, concurrencyKey, scheduledFor,
        schedule, rerunOf, parentRunId, ids, steps, rerunBy, traceId);
  }

  /** This run with {@code ids} as the runs that re-run it. */
  public RunResult withRerunBy(List<String> ids) {
    return new RunResult(runId, worker, status, attempts, createdAt, startedAt, finishedAt,
        durationMs, payload, result, error, tags, priority, concurrencyKey, scheduledFor,
        schedule, rerunOf, parentRunId, children, steps, ids, traceId);
  }

  @JsonIgnore
  public boolean isFinished() {
    return status.isTerminal();
  }
}
