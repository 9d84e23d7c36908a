package dev.troupe.persistence;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.RunError;
import dev.troupe.api.RunStatus;
import dev.troupe.api.TroupeSerializable;
import java.time.Instant;
import java.util.List;

/**
 * What a worker entity writes to its journal: the lifecycle of its runs. Events are facts in the
 * past tense and are never changed once written; a new field gets a default and, when its meaning
 * changes, a {@code JacksonMigration} (see docs/decisions.md). The golden files under
 * persistence's test resources hold serialized events of every version.
 */
@JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
@JsonSubTypes({
  @JsonSubTypes.Type(value = WorkerEvent.RunAccepted.class, name = "accepted"),
  @JsonSubTypes.Type(value = WorkerEvent.RunDue.class, name = "due"),
  @JsonSubTypes.Type(value = WorkerEvent.AttemptStarted.class, name = "attempt-started"),
  @JsonSubTypes.Type(value = WorkerEvent.AttemptFailed.class, name = "attempt-failed"),
  @JsonSubTypes.Type(value = WorkerEvent.Checkpointed.class, name = "checkpointed"),
  @JsonSubTypes.Type(value = WorkerEvent.RunInterrupted.class, name = "interrupted"),
  @JsonSubTypes.Type(value = WorkerEvent.AttemptHandedOver.class, name = "attempt-handed-over"),
  @JsonSubTypes.Type(value = WorkerEvent.RunFinished.class, name = "finished"),
  @JsonSubTypes.Type(value = WorkerEvent.Recorded.class, name = "recorded"),
  @JsonSubTypes.Type(value = WorkerEvent.RunStreamed.class, name = "streamed"),
  @JsonSubTypes.Type(value = WorkerEvent.StreamReserved.class, name = "stream-reserved"),
  @JsonSubTypes.Type(value = WorkerEvent.DependenciesMet.class, name = "dependencies-met"),
  @JsonSubTypes.Type(value = WorkerEvent.StepRecorded.class, name = "step-recorded"),
  @JsonSubTypes.Type(value = WorkerEvent.CancelRequested.class, name = "cancel-requested"),
  @JsonSubTypes.Type(value = WorkerEvent.FailureCompensationRequested.class,
      name = "failure-compensation-requested")
})
public sealed interface WorkerEvent extends TroupeSerializable {

  /**
   * A call was accepted; the run waits in the queue, {@code WAITING} for the runs its spec
   * depends on, or, when its spec's {@code scheduledFor} is after {@code at}, {@code SCHEDULED}
   * until then.
   */
  record RunAccepted(String runId, JsonNode payload, long timeoutMs, String idempotencyKey,
      List<String> tags, Instant at, RunSpec spec) implements WorkerEvent {
    public RunAccepted {
      spec = spec == null ? RunSpec.DEFAULT : spec; // written before runs had a spec
    }

    /** A run to start at once, with the default priority and no key. */
    public RunAccepted(String runId, JsonNode payload, long timeoutMs, String idempotencyKey,
        List<String> tags, Instant at) {
      this(runId, payload, timeoutMs, idempotencyKey, tags, at, RunSpec.DEFAULT);
    }
  }

  /** A scheduled run became due: it leaves the scheduled runs and waits in the queue. */
  record RunDue(String runId, Instant at) implements WorkerEvent {}

  /** Attempt {@code attempt} of a run started; {@code epoch} fences every older attempt. */
  record AttemptStarted(String runId, int attempt, long epoch, Instant at) implements WorkerEvent {}

  /** An attempt failed transiently and the run will be retried after a backoff. */
  record AttemptFailed(String runId, int attempt, RunError error, Instant at)
      implements WorkerEvent {}

  /** A running attempt saved its progress. */
  record Checkpointed(String runId, long epoch, JsonNode data, Instant at) implements WorkerEvent {}

  /** The attempt in flight was lost with its node or entity; the run waits again, first in line. */
  record RunInterrupted(String runId, Instant at) implements WorkerEvent {}

  /**
   * Attempt {@code attempt} (of {@code epoch}) was still running when its entity's hand-off grace
   * ended (the entity moves to another node): the entity stopped it, then wrote this. The attempt
   * is given back: the run waits again first in line, and its next owner runs it as the same
   * attempt (from its last checkpoint, with its recorded steps), since a move is no failure of
   * the run. The handler may thus run twice as the same attempt (execution is at-least-once).
   */
  record AttemptHandedOver(String runId, int attempt, long epoch, Instant at)
      implements WorkerEvent {}

  /** The run reached its terminal status. */
  record RunFinished(String runId, RunStatus status, JsonNode result, RunError error, Instant at)
      implements WorkerEvent {
    public RunFinished {
      result = result == null || result.isNull() ? null : result; // Jackson reads null as NullNode
    }
  }

  /**
   * Several events written as one journal entry: the group commit of one batch of commands, so a
   * busy definition pays one journal round trip per batch instead of one per event.
   */
  record Recorded(List<WorkerEvent> events) implements WorkerEvent {}

  /**
   * Event {@code seq} of a run's durable stream (its definition has {@code durableStream} on):
   * written before any subscriber sees it, so a replay from the journal (or from the run history's
   * {@code troupe_run_events}, projected from it) equals what live subscribers saw. {@code
   * eventType} is a {@code RunEvent} type ("type" names the event's own type id). The terminal
   * {@code result} or {@code error} event has no {@code data} here: its data is the finished run,
   * which the {@code RunFinished} right after it and the run's history row already hold.
   */
  record RunStreamed(String runId, long seq, String eventType, JsonNode data, Instant at)
      implements WorkerEvent {
    public RunStreamed {
      data = data == null || data.isNull() ? null : data; // Jackson reads null as NullNode
    }
  }

  /**
   * The run's stream is not durable, and the session that numbers its events on the writing node
   * may use sequence numbers up to {@code upTo}: a session on a later node (after a restart or a
   * failover) starts after it, so it never reuses a number that a client may hold.
   */
  record StreamReserved(String runId, long upTo, Instant at) implements WorkerEvent {}

  /** Every run a {@code WAITING} run depends on has succeeded: it waits in the queue now. */
  record DependenciesMet(String runId, Instant at) implements WorkerEvent {}

  /**
   * A durable step of attempt {@code epoch} changed: it succeeded (with its result), failed, or
   * its compensation ran. {@code step} is the step's whole record after the change; it replaces
   * the run's record of the step of that name.
   */
  record StepRecorded(String runId, long epoch, StepRecord step, Instant at)
      implements WorkerEvent {}

  /**
   * A run with steps to compensate was cancelled: it stays active while an attempt runs its
   * compensations (the one in flight, or the next one), then ends CANCELLED.
   */
  record CancelRequested(String runId, Instant at) implements WorkerEvent {}

  /**
   * A run with steps to compensate failed for good without an attempt to compensate them (its
   * last attempt was lost): it stays active while one more attempt, which runs no new step,
   * runs its compensations, then ends FAILED with {@code error}.
   */
  record FailureCompensationRequested(String runId, RunError error, Instant at)
      implements WorkerEvent {}
}
