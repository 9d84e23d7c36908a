package dev.troupe.node.entity;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.RunError;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.TroupeSerializable;
import dev.troupe.api.WorkerStats;
import dev.troupe.node.run.Granted;
import dev.troupe.node.run.Outcome;
import dev.troupe.node.run.RunActor;
import dev.troupe.persistence.JsonBytes;
import dev.troupe.persistence.RunSpec;
import dev.troupe.persistence.StepRecord;
import dev.troupe.persistence.history.PageCursor;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.stream.SourceRef;

/**
 * The protocol of a worker entity: one worker definition (or one partition of it), a sharded,
 * event-sourced entity that owns the definition's queue, its concurrency limit, its runs and its
 * statistics. The public commands are what a caller may send, through sharding; every one of them
 * replies. The {@link Internal} ones pass between the entity's front, its event-sourced core
 * ({@link EntityCore}) and its run actors on the node that hosts it.
 *
 * <p>Each command that can be refused has a sealed reply: its answer or a {@link Refused}, a value
 * with a {@link Refused.Reason} that crosses nodes as it is and becomes the API's exception on the
 * caller's side ({@link Failures}).
 */
public final class WorkerEntity {
  private WorkerEntity() {}

  /**
   * The journal's name of worker entities: their persistence ids are {@code worker|<entityId>},
   * whatever their entity type (a definition that gains a role keeps its journal).
   */
  public static final String JOURNAL_NAME = "worker";

  /**
   * Entities of definitions without a role; those with role r are of type {@code workers-r}. Each
   * is a shard of its own; versions that hashed entity ids into shared shards named the types
   * {@code worker} and {@code worker-r}: a new name, so that the shards those versions remembered
   * (under the old names) are never started with entities that now belong to other shards.
   */
  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "workers");

  /** The entity type of definitions with {@code role} (null: any node): its own sharding region. */
  public static EntityTypeKey<Command> keyFor(String role) {
    return role == null ? KEY : EntityTypeKey.create(Command.class, KEY.name() + "-" + role);
  }

  /** Every message a worker entity (or its front) accepts. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Call.class, name = "call"),
    @JsonSubTypes.Type(value = Cancel.class, name = "cancel"),
    @JsonSubTypes.Type(value = CancelChildren.class, name = "cancel-children"),
    @JsonSubTypes.Type(value = GetRun.class, name = "get-run"),
    @JsonSubTypes.Type(value = GetActive.class, name = "get-active"),
    @JsonSubTypes.Type(value = GetActivePage.class, name = "get-active-page"),
    @JsonSubTypes.Type(value = GetStats.class, name = "get-stats"),
    @JsonSubTypes.Type(value = Subscribe.class, name = "subscribe"),
    @JsonSubTypes.Type(value = AwaitResult.class, name = "await-result"),
    @JsonSubTypes.Type(value = Drain.class, name = "drain"),
    @JsonSubTypes.Type(value = CancelExecuting.class, name = "cancel-executing"),
    @JsonSubTypes.Type(value = RequeueExecuting.class, name = "requeue-executing"),
    @JsonSubTypes.Type(value = Stop.class, name = "stop"),
    @JsonSubTypes.Type(value = HandOff.class, name = "hand-off"),
    @JsonSubTypes.Type(value = HandOver.class, name = "hand-over"),
    @JsonSubTypes.Type(value = HandedOff.class, name = "handed-off"),
    @JsonSubTypes.Type(value = AttemptOutcome.class, name = "attempt-outcome"),
    @JsonSubTypes.Type(value = RequestNextAttempt.class, name = "next-attempt"),
    @JsonSubTypes.Type(value = SaveCheckpoint.class, name = "save-checkpoint"),
    @JsonSubTypes.Type(value = Emit.class, name = "emit"),
    @JsonSubTypes.Type(value = SlotsFreed.class, name = "slots-freed"),
    @JsonSubTypes.Type(value = Wake.class, name = "wake"),
    @JsonSubTypes.Type(value = Batch.class, name = "batch"),
    @JsonSubTypes.Type(value = BatchDone.class, name = "batch-done"),
    @JsonSubTypes.Type(value = BatchTimedOut.class, name = "batch-timed-out"),
    @JsonSubTypes.Type(value = CoreRecovered.class, name = "core-recovered"),
    @JsonSubTypes.Type(value = Resume.class, name = "resume"),
    @JsonSubTypes.Type(value = Unregistered.class, name = "unregistered"),
    @JsonSubTypes.Type(value = Stray.class, name = "stray"),
    @JsonSubTypes.Type(value = CheckStray.class, name = "check-stray"),
    @JsonSubTypes.Type(value = StrayChecked.class, name = "stray-checked"),
    @JsonSubTypes.Type(value = ChildStopped.class, name = "child-stopped"),
    @JsonSubTypes.Type(value = DependencyEnded.class, name = "dependency-ended"),
    @JsonSubTypes.Type(value = RecordStep.class, name = "record-step")
  })
  public sealed interface Command extends TroupeSerializable {}

  // replies

  /** The answer to a {@link Call}. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Accepted.class, name = "accepted"),
    @JsonSubTypes.Type(value = Refused.class, name = "refused")
  })
  public sealed interface CallReply extends TroupeSerializable permits Accepted, Refused {}

  /** The answer to a {@link Cancel}. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Cancelled.class, name = "cancelled"),
    @JsonSubTypes.Type(value = Refused.class, name = "refused")
  })
  public sealed interface CancelReply extends TroupeSerializable permits Cancelled, Refused {}

  /** The answer to a {@link GetRun} or an {@link AwaitResult}. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = RunFound.class, name = "run"),
    @JsonSubTypes.Type(value = Refused.class, name = "refused")
  })
  public sealed interface RunReply extends TroupeSerializable permits RunFound, Refused {}

  /** The answer to a {@link Subscribe}. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = StreamOpened.class, name = "stream"),
    @JsonSubTypes.Type(value = Refused.class, name = "refused")
  })
  public sealed interface StreamReply extends TroupeSerializable permits StreamOpened, Refused {}

  /** The answer to a write a run actor asks for (a checkpoint, a step). */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Written.class, name = "written"),
    @JsonSubTypes.Type(value = Refused.class, name = "refused")
  })
  public sealed interface WriteReply extends TroupeSerializable permits Written, Refused {}

  /**
   * A command the entity did not carry out, and why: nothing was recorded for it. The {@code
   * message} is for the client and names what was refused.
   */
  public record Refused(Reason reason, String message)
      implements CallReply, CancelReply, RunReply, StreamReply, WriteReply {

    /** Why a command was refused; each becomes one of the API's exceptions. */
    public enum Reason { UNKNOWN_WORKER, UNKNOWN_RUN, SUMMARIZED, RUN_FINISHED, QUEUE_FULL,
      OVERLOADED, SHUTTING_DOWN, UNAVAILABLE, NO_NODE_FOR_ROLE, INVALID }
  }

  /** The run was cancelled (the cancellation is written). */
  public enum Cancelled implements CancelReply { INSTANCE }

  /** The run as its entity knows it. */
  public record RunFound(RunResult run) implements RunReply {}

  /** The run's events, to be consumed once, from the node that holds the stream. */
  public record StreamOpened(SourceRef<RunEvent> events) implements StreamReply {}

  /** The write is durable. */
  public enum Written implements WriteReply { INSTANCE }

  /** The messages that never leave the entity's node. */
  sealed interface Internal extends Command {}

  // public commands

  /**
   * Start a run; replies {@link Accepted} once it is written, or an error. A call that reaches the
   * entity after {@code giveUpAtMillis} (epoch ms; 0 for never), e.g. one that sharding held while
   * the entity moved to another node, is refused unrecorded: its caller has already been told that
   * it failed. {@code payloadBytes}: the payload's size as JSON, as the caller measured it
   * (measured here when not given: 0, as from a node of an earlier version).
   */
  public record Call(JsonNode payload, long timeoutMs, String idempotencyKey, List<String> tags,
      RunSpec spec, long giveUpAtMillis, ActorRef<CallReply> replyTo,
      long payloadBytes) implements Command {

    public Call {
      payloadBytes = payloadBytes > 0 ? payloadBytes : JsonBytes.of(payload);
    }

    /** This call with {@code s} as its spec. */
    public Call withSpec(RunSpec s) {
      return new Call(payload, timeoutMs, idempotencyKey, tags, s, giveUpAtMillis, replyTo,
          payloadBytes);
    }

    /** A call whose payload is measured here. */
    public Call(JsonNode payload, long timeoutMs, String idempotencyKey, List<String> tags,
        RunSpec spec, long giveUpAtMillis, ActorRef<CallReply> replyTo) {
      this(payload, timeoutMs, idempotencyKey, tags, spec, giveUpAtMillis, replyTo, 0);
    }

    /** A call to run at once, with the default priority, without a deadline. */
    public Call(JsonNode payload, long timeoutMs, String idempotencyKey, List<String> tags,
        ActorRef<CallReply> replyTo) {
      this(payload, timeoutMs, idempotencyKey, tags, RunSpec.DEFAULT, 0, replyTo);
    }
  }

  /**
   * A run was accepted; {@code existing} when an idempotency key matched an earlier run. {@code
   * status} is the run's status when the call was answered: {@code SCHEDULED} for a run whose
   * start time is ahead, else {@code QUEUED} for a new run (it may have started already), or the
   * existing run's status then. {@code traceId}: the run's trace id ({@code RunSpec.traceId}),
   * null for an untraced run (and from a node of an earlier version).
   */
  public record Accepted(String runId, boolean existing, RunStatus status, String traceId)
      implements CallReply {
    public Accepted {
      status = status == null ? RunStatus.QUEUED : status; // from a node of an earlier version
    }

    public Accepted(String runId, boolean existing) {
      this(runId, existing, RunStatus.QUEUED, null);
    }
  }

  /** Cancel an active run; an error when it has finished or is unknown. */
  public record Cancel(String runId, ActorRef<CancelReply> replyTo) implements Command {}

  /**
   * Cancel the unfinished runs of this entity that the cancelled run {@code parentRunId} started
   * as children and that are not detached; replies how many.
   */
  public record CancelChildren(String parentRunId, ActorRef<ChildrenCancelled> replyTo)
      implements Command {}

  public record ChildrenCancelled(int count) implements TroupeSerializable {}

  /** The run as its entity knows it (active or among the retained finished ones). */
  public record GetRun(String runId, ActorRef<RunReply> replyTo)
      implements Command {}

  public record GetActive(ActorRef<ActiveRuns> replyTo) implements Command {}

  /**
   * A page's worth of the entity's active runs for a list without a status, which the facade
   * merges with the run history's page: those that pass the query's status (if any), parent, tag
   * and creation-time filters and come after its cursor (a run history cursor, {@link
   * PageCursor}), newest first, at most one more than its limit, so that the asker knows whether
   * more follow. Bounded by the limit, the answer stays small however many runs are queued.
   */
  public record GetActivePage(RunQuery query, ActorRef<ActiveRuns> replyTo) implements Command {
    /** The runs of {@code active} that this command asks for. */
    public List<RunResult> select(Collection<RunResult> active) {
      PageCursor after = query.cursor() == null ? null : PageCursor.decode(query.cursor());
      return active.stream()
          .filter(r -> query.status() == null || r.status() == query.status())
          .filter(r -> query.parent() == null || query.parent().equals(r.parentRunId()))
          .filter(query::tagAndTimeMatch)
          .filter(r -> after == null || after.precedes(r))
          .sorted(PageCursor.NEWEST_FIRST).limit(query.limit() + 1L).toList();
    }
  }

  public record ActiveRuns(List<RunResult> runs) implements TroupeSerializable {}

  public record GetStats(ActorRef<WorkerStats> replyTo) implements Command {}

  /** Replies with a stream of the run's events after {@code afterSeq}. */
  public record Subscribe(String runId, long afterSeq,
      ActorRef<StreamReply> replyTo) implements Command {}

  /** Replies with the run once it has finished. */
  public record AwaitResult(String runId, ActorRef<RunReply> replyTo)
      implements Command {}

  /** Stop starting runs (the node is stopping); replies once none is executing. */
  public record Drain(ActorRef<Done> replyTo) implements Command {}

  /** Cancel every executing run with {@code reason}; replies once that is written. */
  public record CancelExecuting(String reason, ActorRef<Done> replyTo) implements Command {}

  /**
   * Give up every executing run's attempt on this node and queue the run again, first in line
   * (failed instead when no attempt is left): it goes on wherever the entity runs next. Replies
   * once that is written.
   */
  public record RequeueExecuting(String reason, ActorRef<Done> replyTo) implements Command {}

  /**
   * Sharding's hand-off message (the entity moves to another node, or is passivated): the entity
   * starts nothing more, lets its running attempts finish for {@code troupe.worker.handoff-grace},
   * hands the others over and stops ({@link EntityFront}).
   */
  public enum Stop implements Command { INSTANCE }

  // internal: from run actors, the front and the core itself

  /** A run actor reports how attempt {@code epoch} ended. */
  record AttemptOutcome(String runId, long epoch, Outcome outcome, JsonNode result, RunError error)
      implements Internal {}

  /** A restarted run actor asks for its next attempt after the failed attempt {@code epoch}. */
  record RequestNextAttempt(String runId, long epoch, ActorRef<Granted> replyTo)
      implements Internal {}

  record SaveCheckpoint(String runId, long epoch, JsonNode data,
      ActorRef<WriteReply> replyTo) implements Internal {}

  /** A durable step of attempt {@code epoch} changed; replies once it is written. */
  record RecordStep(String runId, long epoch, StepRecord step,
      ActorRef<WriteReply> replyTo) implements Internal {}

  /**
   * An event a handler emitted (a message or a log line) on a durable stream: the entity numbers
   * it, writes it with its batch and only then hands it to the run's stream. Ignored once the
   * attempt {@code epoch} is superseded.
   */
  record Emit(String runId, long epoch, String type, JsonNode data, Instant at) implements Internal {}

  /**
   * The front got {@link Stop}: no run or retry starts here any more; once no attempt runs here
   * (or at {@link HandOver}) the runs are handed over and the front is told {@link HandedOff}.
   */
  enum HandOff implements Internal { INSTANCE }

  /** The hand-off's grace is over: the attempts still running here are stopped and handed over. */
  enum HandOver implements Internal { INSTANCE }

  /** The core has written the hand-over of its runs: the front stops. */
  enum HandedOff implements Internal { INSTANCE }

  /** Node slots were released: try to start queued runs. */
  enum SlotsFreed implements Internal { INSTANCE }

  /**
   * The entity's timer: a scheduled run is due, or a rate limit allows the next start. The
   * decision after it promotes the due runs and starts what may start.
   */
  enum Wake implements Internal { INSTANCE }

  /** Commands gathered by the front while the previous write was in flight. */
  record Batch(List<Command> commands, long number, ActorRef<Command> replyTo)
      implements Internal {}

  /** Batch {@code number} is decided; {@code written}: its events were written to the journal. */
  record BatchDone(long number, boolean written) implements Internal {}

  record BatchTimedOut(long number) implements Internal {}

  /**
   * The core (re)covered its state: a batch that was in flight when it restarted after a failed
   * write will never be answered, so the front must not wait for it. {@code failedBatch}: the
   * batch whose write failed just before (0: none, or a write of the core's own); {@code written}:
   * recovery found that write in the journal after all (its commands must not be tried again);
   * {@code refusal}: why the journal refused it, for the callers of a command isolated as its
   * cause ({@link Isolation}), or null when the failure is not one to isolate (a sequence number
   * taken by another node: {@link OwnerFence}).
   */
  record CoreRecovered(long failedBatch, boolean written, String refusal) implements Internal {
    static final CoreRecovered CLEAN = new CoreRecovered(0, false, null);
  }

  /**
   * The core recovered an entity that has never written anything, of a worker this node does not
   * have: the front passivates it, so that it is not remembered and started again for nothing.
   */
  enum Unregistered implements Internal { INSTANCE }

  /**
   * The core recovered an entity with a journal, of a worker this node does not have: the front
   * looks, every {@code troupe.worker.stray-check}, whether any member announces it ({@link
   * StrayCheck}).
   */
  enum Stray implements Internal { INSTANCE }

  /** The front's timer of a stray entity: time to look whether any member announces its worker. */
  enum CheckStray implements Internal { INSTANCE }

  /**
   * A majority of the members {@code answered}, and {@code announced} the stray entity's worker or
   * not, asked after the front's {@code signs}th sign of the worker ({@link StrayCheck}).
   */
  record StrayChecked(long signs, boolean answered, boolean announced) implements Internal {}

  /** After recovery: resume the runs that were executing, then start queued ones. */
  enum Resume implements Internal { INSTANCE }

  /** A run actor stopped; without an outcome, its attempt failed. */
  record ChildStopped(String runId, ActorRef<RunActor.Command> child) implements Internal {}

  /**
   * Run {@code dependency}, which the waiting run {@code runId} depends on, ended with status
   * {@code endedAs} (a {@code RunStatus} name), or is not known anywhere (null).
   */
  record DependencyEnded(String runId, String dependency, String endedAs) implements Internal {}
}
