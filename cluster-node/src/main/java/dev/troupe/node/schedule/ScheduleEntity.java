package dev.troupe.node.schedule;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.troupe.api.Schedule;
import dev.troupe.api.TroupeException;
import dev.troupe.api.TroupeSerializable;
import dev.troupe.node.entity.Failures;
import dev.troupe.node.entity.WorkerEntity.Refused;
import java.time.Instant;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;

/**
 * The protocol of a schedule entity: one named schedule, sharded (entity id: its name) and
 * event-sourced (persistence id {@code schedule|<name>}), behaviour in {@link ScheduleCore}. It
 * arms a timer for its next fire time; at a fire it writes the fire first, then calls the worker
 * with the idempotency key {@code schedule:<name>:<fireTime>}, so each fire time starts one run,
 * also when the call is retried or the fire is replayed after a crash on another node.
 *
 * <p>Every public command replies: a {@link Reply}, or {@code Done} for {@link Wake}.
 */
public final class ScheduleEntity {
  private ScheduleEntity() {}

  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "schedule");

  /** The idempotency key of the run of a fire. */
  static String idempotencyKey(String name, ScheduleState.Pending fire) {
    return "schedule:" + name + (fire.manual() ? ":trigger:" : ":") + fire.fireTime();
  }

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Put.class, name = "put"),
    @JsonSubTypes.Type(value = Get.class, name = "get"),
    @JsonSubTypes.Type(value = Pause.class, name = "pause"),
    @JsonSubTypes.Type(value = Resume.class, name = "resume"),
    @JsonSubTypes.Type(value = Delete.class, name = "delete"),
    @JsonSubTypes.Type(value = Trigger.class, name = "trigger"),
    @JsonSubTypes.Type(value = Wake.class, name = "wake"),
    @JsonSubTypes.Type(value = Tick.class, name = "tick"),
    @JsonSubTypes.Type(value = CallDone.class, name = "call-done"),
    @JsonSubTypes.Type(value = CallFailed.class, name = "call-failed"),
    @JsonSubTypes.Type(value = CallAgain.class, name = "call-again"),
    @JsonSubTypes.Type(value = Stop.class, name = "stop")
  })
  public sealed interface Command extends TroupeSerializable {}

  /** The messages that never leave the schedule's node. */
  sealed interface Internal extends Command {}

  // public commands

  /** Create or replace the schedule (its name is the entity's); replies {@link Current}. */
  public record Put(Schedule schedule, ActorRef<Reply> replyTo) implements Command {}

  /** Replies {@link Current} or {@link Missing}. */
  public record Get(ActorRef<Reply> replyTo) implements Command {}

  public record Pause(ActorRef<Reply> replyTo) implements Command {}

  public record Resume(ActorRef<Reply> replyTo) implements Command {}

  /** Replies {@link Deleted} or {@link Missing}; the entity then stops. */
  public record Delete(ActorRef<Reply> replyTo) implements Command {}

  /** Start one run now; replies {@link Triggered} once it is recorded, or {@link Failed}. */
  public record Trigger(ActorRef<Reply> replyTo) implements Command {}

  /** Start the entity (after a restart of the cluster) so that it arms its timer. */
  public record Wake(ActorRef<Done> replyTo) implements Command {}

  // replies

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Current.class, name = "current"),
    @JsonSubTypes.Type(value = Missing.class, name = "missing"),
    @JsonSubTypes.Type(value = Deleted.class, name = "deleted"),
    @JsonSubTypes.Type(value = Triggered.class, name = "triggered"),
    @JsonSubTypes.Type(value = Failed.class, name = "failed")
  })
  public sealed interface Reply extends TroupeSerializable {}

  /** The schedule as it stands, with its next fire times (none while paused). */
  public record Current(Schedule schedule, boolean paused, List<Instant> nextFireTimes,
      List<ScheduleState.Fire> recent) implements Reply {}

  /** No schedule of this name exists. */
  public record Missing(String name) implements Reply {}

  public record Deleted(String name) implements Reply {}

  /**
   * The run a trigger started, recorded: its id and its trace id, as the run's own (null when it
   * is not traced).
   */
  public record Triggered(String runId, String traceId) implements Reply {}

  /** A trigger that could not start its run, refused as the worker entity answered. */
  public record Failed(Refused refusal) implements Reply {
    /** The API's exception for this failure. */
    public TroupeException exception() {
      return Failures.toException(refusal);
    }
  }

  // internal

  /** The timer: fire what is due, then arm it for the next fire time. */
  enum Tick implements Internal { INSTANCE }

  record CallDone(ScheduleState.Pending fire, String runId, String traceId) implements Internal {}

  /** The run of {@code fire} could not be started. */
  record CallFailed(ScheduleState.Pending fire, Refused refusal) implements Internal {}

  /** The backoff after a failed call ended: call again. */
  record CallAgain(ScheduleState.Pending fire) implements Internal {}

  /** Sharding's stop message (passivation, hand-off). */
  enum Stop implements Internal { INSTANCE }
}
