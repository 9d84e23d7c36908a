package dev.troupe.persistence;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.RunError;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * One run as its entity knows it; immutable, every change returns a copy. {@code streamSeq} is
 * the highest sequence number its stream has used: the last persisted one of a durable stream,
 * the last reserved one ({@link WorkerEvent.StreamReserved}) of a non-durable one (0 in snapshots
 * written before streams were persisted). {@code steps} are its durable steps in the order they
 * first ran, each as last recorded; {@code cancelling} once a cancel waits for their compensations
 * ({@link WorkerEvent.CancelRequested}); {@code failing}, the error the run ends FAILED with once
 * its compensations ran, when it failed for good with no attempt to run them ({@link
 * WorkerEvent.FailureCompensationRequested}; null otherwise, and in records written before).
 * {@code summarized}: a finished run kept without its payload, result and checkpoint ({@link
 * #summary}); every other record has them as recorded.
 */
public record RunRecord(
    String runId,
    RunStatus status,
    int attempts,
    long epoch,
    JsonNode payload,
    long timeoutMs,
    String idempotencyKey,
    List<String> tags,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    JsonNode result,
    RunError error,
    JsonNode checkpoint,
    long streamSeq,
    RunSpec spec,
    List<StepRecord> steps,
    boolean cancelling,
    boolean summarized,
    RunError failing) {

  public RunRecord {
    payload = summarized ? null : payload; // a snapshot reads a summary's JSON null as NullNode
    result = result == null || result.isNull() ? null : result; // JSON null and no result are one
    checkpoint = checkpoint == null || checkpoint.isNull() ? null : checkpoint;
    tags = tags == null ? List.of() : List.copyOf(tags);
    spec = spec == null ? RunSpec.DEFAULT : spec; // snapshots written before runs had a spec
    steps = steps == null ? List.of() : List.copyOf(steps);
  }

  /**
   * The run that {@code e} accepted, no attempt yet: {@code WAITING} when it has dependencies,
   * else {@code SCHEDULED} when its start time is after the moment it was accepted, else queued
   * (a start time in the past means now).
   */
  public static RunRecord accepted(WorkerEvent.RunAccepted e) {
    RunStatus status = !e.spec().dependsOn().isEmpty() ? RunStatus.WAITING
        : notYetDue(e.spec(), e.at()) ? RunStatus.SCHEDULED : RunStatus.QUEUED;
    return new RunRecord(e.runId(), status, 0, 0, e.payload(), e.timeoutMs(), e.idempotencyKey(),
        e.tags(), e.at(), null, null, null, null, null, 0, e.spec(), List.of(), false, false,
        null);
  }

  private static boolean notYetDue(RunSpec spec, Instant at) {
    return spec.scheduledFor() != null && spec.scheduledFor().isAfter(at);
  }

  /**
   * This run after {@code event}, one of its lifecycle events: the one transition of a run, which
   * the worker entity's state and the run history both apply. Returns this same record when the
   * event changes nothing: a finished run never changes, and an interruption of a run that is
   * not executing (queued or scheduled) leaves it as it is, and so does a {@code RunDue} of a run no longer scheduled,
   * and a hand-over of a run that is not running.
   *
   * @throws IllegalArgumentException for a {@code RunAccepted} (it makes a record: {@link
   *     #accepted}) or a {@code Recorded} batch (its events apply one by one)
   */
  public RunRecord next(WorkerEvent event) {
    if (status.isTerminal()) {
      return this;
    }
    if (event instanceof WorkerEvent.RunDue) {
      return status == RunStatus.SCHEDULED ? withStatus(RunStatus.QUEUED, error) : this;
    } else if (event instanceof WorkerEvent.AttemptStarted e) {
      return started(e.attempt(), e.epoch(), e.at());
    } else if (event instanceof WorkerEvent.AttemptFailed e) {
      return withStatus(RunStatus.RETRYING, e.error());
    } else if (event instanceof WorkerEvent.Checkpointed e) {
      return withCheckpoint(e.data());
    } else if (event instanceof WorkerEvent.RunInterrupted) {
      return isExecuting() ? withStatus(RunStatus.QUEUED, error) : this;
    } else if (event instanceof WorkerEvent.AttemptHandedOver) {
      return status == RunStatus.RUNNING ? handedOver() : this;
    } else if (event instanceof WorkerEvent.RunFinished e) {
      return finished(e.status(), e.result(), e.error(), e.at());
    } else if (event instanceof WorkerEvent.RunStreamed e) {
      return withStreamSeq(e.seq());
    } else if (event instanceof WorkerEvent.StreamReserved e) {
      return withStreamSeq(e.upTo());
    } else if (event instanceof WorkerEvent.DependenciesMet e) {
      return status != RunStatus.WAITING ? this
          : withStatus(notYetDue(spec, e.at()) ? RunStatus.SCHEDULED : RunStatus.QUEUED, error);
    } else if (event instanceof WorkerEvent.StepRecorded e) {
      return withStep(e.step());
    } else if (event instanceof WorkerEvent.CancelRequested) {
      return new RunRecord(runId, status, attempts, epoch, payload, timeoutMs, idempotencyKey,
          tags, createdAt, startedAt, finishedAt, result, error, checkpoint, streamSeq, spec, steps,
          true, false, failing);
    } else if (event instanceof WorkerEvent.FailureCompensationRequested e) {
      return new RunRecord(runId, status, attempts, epoch, payload, timeoutMs, idempotencyKey,
          tags, createdAt, startedAt, finishedAt, result, error, checkpoint, streamSeq, spec, steps,
          cancelling, false, e.error());
    }
    throw new IllegalArgumentException(event.getClass().getSimpleName()
        + " is not a change of an existing run");
  }

  private RunRecord started(int attempt, long newEpoch, Instant at) {
    return new RunRecord(runId, RunStatus.RUNNING, attempt, newEpoch, payload, timeoutMs,
        idempotencyKey, tags, createdAt, startedAt == null ? at : startedAt, null, null, error,
        checkpoint, streamSeq, spec, steps, cancelling, false, failing);
  }

  /**
   * The number of the run's next attempt: one more than its last, except for an attempt that only
   * runs the compensations of a run failing for good ({@code failing}), which is no retry.
   */
  public int nextAttempt() {
    return failing != null ? attempts : attempts + 1;
  }

  /** Queued again with its running attempt given back: {@link #nextAttempt} is that attempt. */
  private RunRecord handedOver() {
    return new RunRecord(runId, RunStatus.QUEUED, failing != null ? attempts : attempts - 1, epoch,
        payload, timeoutMs, idempotencyKey, tags, createdAt, startedAt, finishedAt, result, error,
        checkpoint, streamSeq, spec, steps, cancelling, false, failing);
  }

  private RunRecord withStatus(RunStatus s, RunError err) {
    return new RunRecord(runId, s, attempts, epoch, payload, timeoutMs, idempotencyKey, tags,
        createdAt, startedAt, finishedAt, result, err, checkpoint, streamSeq, spec, steps,
        cancelling, false, failing);
  }

  private RunRecord withCheckpoint(JsonNode data) {
    return new RunRecord(runId, status, attempts, epoch, payload, timeoutMs, idempotencyKey, tags,
        createdAt, startedAt, finishedAt, result, error, data, streamSeq, spec, steps, cancelling,
        false, failing);
  }

  /** With the stream's highest used sequence number raised to {@code seq} (never lowered). */
  private RunRecord withStreamSeq(long seq) {
    return seq <= streamSeq ? this : new RunRecord(runId, status, attempts, epoch, payload,
        timeoutMs, idempotencyKey, tags, createdAt, startedAt, finishedAt, result, error,
        checkpoint, seq, spec, steps, cancelling, false, failing);
  }

  /** With {@code step} in place of the step of its name, or after the others if it is new. */
  private RunRecord withStep(StepRecord step) {
    List<StepRecord> changed = new ArrayList<>(steps);
    int i = 0;
    while (i < changed.size() && !changed.get(i).name().equals(step.name())) {
      i++;
    }
    if (i < changed.size()) {
      changed.set(i, step);
    } else {
      changed.add(step);
    }
    return new RunRecord(runId, status, attempts, epoch, payload, timeoutMs, idempotencyKey, tags,
        createdAt, startedAt, finishedAt, result, error, checkpoint, streamSeq, spec, changed,
        cancelling, false, failing);
  }

  /** The recorded step {@code name}, if any. */
  public Optional<StepRecord> step(String name) {
    return steps.stream().filter(s -> s.name().equals(name)).findFirst();
  }

  /** This run ended; its steps' results go (no attempt reads them again). */
  public RunRecord finished(RunStatus s, JsonNode res, RunError err, Instant at) {
    return new RunRecord(runId, s, attempts, epoch, payload, timeoutMs, idempotencyKey, tags,
        createdAt, startedAt, at, res, err, checkpoint, streamSeq, spec,
        steps.stream().map(StepRecord::withoutResult).toList(), cancelling, false, failing);
  }

  /**
   * This finished run as its entity keeps it when its data is large: status, times, attempts,
   * error, tags, spec and steps, without payload, result and checkpoint ({@link #summarized}).
   * The run history holds the whole run.
   */
  public RunRecord summary() {
    return new RunRecord(runId, status, attempts, epoch, null, timeoutMs, idempotencyKey, tags,
        createdAt, startedAt, finishedAt, null, error, null, streamSeq, spec, steps, cancelling,
        true, failing);
  }

  /** From the first attempt's start to the finish; null until both are known. */
  public Long durationMs() {
    return startedAt == null || finishedAt == null
        ? null : Duration.between(startedAt, finishedAt).toMillis();
  }

  /**
   * True once the run only waits for its compensations (a cancel or a failure for good is
   * recorded): its next attempt runs no new step, and a lost attempt is no retry of its handler.
   */
  @JsonIgnore
  public boolean isCompensating() {
    return cancelling || failing != null;
  }

  /** True while an attempt is executing or waiting for its retry. */
  @JsonIgnore
  public boolean isExecuting() {
    return status == RunStatus.RUNNING || status == RunStatus.RETRYING;
  }

  public RunResult toResult(String worker) {
    return new RunResult(runId, worker, status, attempts, createdAt, startedAt, finishedAt,
        durationMs(), payload, result, status.isTerminal() ? error : null, tags, spec.priority(),
        spec.concurrencyKey(), spec.scheduledFor(), spec.schedule(), spec.rerunOf(),
        spec.parentRunId(), List.of(), steps.stream().map(StepRecord::toView).toList(), List.of(),
        spec.traceId());
  }
}
