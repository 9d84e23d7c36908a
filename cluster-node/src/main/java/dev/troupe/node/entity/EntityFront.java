package dev.troupe.node.entity;

import dev.troupe.node.config.TroupeSettings;
import dev.troupe.persistence.RunIds;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.List;
import java.util.function.Consumer;
import java.util.function.Function;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.Terminated;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;

/**
 * The group commit in front of a {@link EntityCore}: while the entity writes one batch, the
 * front gathers the commands that arrive, then hands them over as the next batch. A busy worker
 * thus pays one journal write per batch rather than one per command. Bounded: past {@code
 * troupe.worker.intake-buffer} waiting calls, or {@code troupe.worker.max-active-payload-bytes}
 * of their payloads, new calls are rejected at once. Each batch that the core wrote to the
 * journal is measured here ({@link dev.troupe.node.metrics.TroupeMetrics#journalWrite}): its
 * commands, and the time from handing it over to its confirmation, under the worker's name (never
 * the partition's).
 *
 * <p>Sharding's {@link WorkerEntity.Stop} (the entity moves, or is passivated) starts a hand-off
 * ({@link Stopping}): the core is told first, before anything waiting, that nothing starts any
 * more; batches go on while the running attempts may finish, for {@code
 * troupe.worker.handoff-grace} at most, after which the core hands the others over. Once it has
 * written that ({@link WorkerEntity.HandedOff}), the reports of attempts that are no longer this
 * entity's are dropped (a checkpoint or step waiting for its write is refused), what callers sent
 * before the stop is still decided, and the front stops: the runs' emits cannot keep it, and the
 * calls that sharding holds for the moving entity, waiting.
 */
final class EntityFront extends AbstractBehavior<WorkerEntity.Command> {

  /**
   * @param passivate asks sharding to stop this entity for good (not remembered); given the
   *     front's own ref
   */
  static Behavior<WorkerEntity.Command> create(String entityId, EntityServices services,
      Consumer<ActorRef<WorkerEntity.Command>> passivate,
      Function<ActorRef<WorkerEntity.Command>, Behavior<WorkerEntity.Command>> core) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(t ->
        new EntityFront(ctx, t, entityId, services, passivate, core)));
  }

  private final String entityId;
  private final String worker;
  private final Consumer<ActorRef<WorkerEntity.Command>> passivate;
  private final EntityServices services;
  private final TroupeSettings settings;
  private final TimerScheduler<WorkerEntity.Command> timers;
  private final ActorRef<WorkerEntity.Command> core;
  private final ArrayDeque<WorkerEntity.Command> pending = new ArrayDeque<>();
  private int pendingCalls;
  private long pendingCallBytes;
  private long inFlight;
  /** When the batch in flight was handed over ({@link System#nanoTime()}), and its commands. */
  private long inFlightSince;
  private int inFlightCommands;
  private long batches;
  private boolean stopping;
  /** The core has handed its runs over: the front stops once the commands left are decided. */
  private boolean handedOff;

  private EntityFront(ActorContext<WorkerEntity.Command> ctx,
      TimerScheduler<WorkerEntity.Command> timers, String entityId, EntityServices services,
      Consumer<ActorRef<WorkerEntity.Command>> passivate,
      Function<ActorRef<WorkerEntity.Command>, Behavior<WorkerEntity.Command>> core) {
    super(ctx);
    this.entityId = entityId;
    this.worker = RunIds.workerOf(entityId);
    this.passivate = passivate;
    this.services = services;
    this.settings = services.settings();
    this.timers = timers;
    this.core = ctx.spawn(core.apply(ctx.getSelf()), "journal");
    ctx.watch(this.core);
    services.entities().add(ctx.getSelf());
  }

  @Override
  public Receive<WorkerEntity.Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(WorkerEntity.BatchDone.class, this::onBatchDone)
        .onMessage(WorkerEntity.BatchTimedOut.class, this::onTimedOut)
        .onMessage(WorkerEntity.CoreRecovered.class, r -> onBatchEnded(inFlight))
        .onMessage(WorkerEntity.Stop.class, s -> onStop())
        .onMessage(WorkerEntity.HandedOff.class, h -> onHandedOff())
        .onMessage(WorkerEntity.Unregistered.class, u -> onUnregistered())
        .onMessage(WorkerEntity.Command.class, this::onCommand)
        .onSignal(Terminated.class, t -> Behaviors.stopped())
        .onSignal(PostStop.class, s -> {
          services.entities().remove(getContext().getSelf());
          services.metrics().forget(entityId);
          return this;
        })
        .build();
  }

  private Behavior<WorkerEntity.Command> onCommand(WorkerEntity.Command c) {
    if (handedOff && c instanceof WorkerEntity.Internal) {
      dropLate(c);
      return this;
    }
    if (c instanceof WorkerEntity.Call call) {
      if (pendingCalls >= settings.intakeBuffer()) {
        call.replyTo().tell(new WorkerEntity.Refused(WorkerEntity.Refused.Reason.OVERLOADED,
            "worker entity is overloaded: " + pendingCalls
                + " calls wait for its journal (troupe.worker.intake-buffer)"));
        return this;
      }
      if (pendingCallBytes + call.payloadBytes() > settings.maxActivePayloadBytes()) {
        services.metrics().callRefused("troupe.worker.max-active-payload-bytes");
        call.replyTo().tell(new WorkerEntity.Refused(WorkerEntity.Refused.Reason.OVERLOADED,
            "worker entity is overloaded: calls with " + pendingCallBytes + " bytes of payloads wait for its"
            + " journal (troupe.worker.max-active-payload-bytes)"));
        return this;
      }
      pendingCalls++;
      pendingCallBytes += call.payloadBytes();
    }
    pending.add(c);
    return inFlight == 0 ? flush() : this;
  }

  private Behavior<WorkerEntity.Command> onBatchDone(WorkerEntity.BatchDone d) {
    if (d.number() == inFlight && d.written()) {
      services.metrics().journalWrite(worker, inFlightCommands, System.nanoTime() - inFlightSince);
    }
    return onBatchEnded(d.number());
  }

  private Behavior<WorkerEntity.Command> onBatchEnded(long number) {
    if (number != inFlight) {
      return this; // the answer to a batch given up on
    }
    inFlight = 0;
    timers.cancel("batch");
    return flush();
  }

  private Behavior<WorkerEntity.Command> onTimedOut(WorkerEntity.BatchTimedOut t) {
    if (t.number() == inFlight) {
      getContext().getLog().warn("batch {} was not confirmed within {}; moving on",
          t.number(), settings.batchTimeout());
    }
    return onBatchEnded(t.number());
  }

  private Behavior<WorkerEntity.Command> onUnregistered() {
    getContext().getLog().info("worker entity {} has no journal and its worker is not registered"
        + " on this node: passivated", entityId);
    passivate.accept(getContext().getSelf());
    return this;
  }

  /**
   * Starts the hand-off: the core holds its starts before deciding anything else; its grace ends
   * with a {@link WorkerEntity.HandOver} behind what waits then. A node that was downed stops at
   * once: the other nodes own its entities and runs already.
   */
  private Behavior<WorkerEntity.Command> onStop() {
    if (stopping) {
      return this;
    }
    stopping = true;
    if (NodeDrain.downed(services.system())) {
      return Behaviors.stopped();
    }
    timers.startSingleTimer("hand-over", WorkerEntity.HandOver.INSTANCE, settings.handoffGrace());
    pending.addFirst(WorkerEntity.HandOff.INSTANCE);
    return inFlight == 0 ? flush() : this;
  }

  private Behavior<WorkerEntity.Command> onHandedOff() {
    handedOff = true;
    timers.cancel("hand-over");
    pending.removeIf(c -> c instanceof WorkerEntity.Internal && dropLate(c));
    return inFlight == 0 ? flush() : this;
  }

  /**
   * A report of an attempt after the hand-over (none runs here any more): dropped, and a write it
   * waits for refused. True, for {@code removeIf}.
   */
  private boolean dropLate(WorkerEntity.Command c) {
    WorkerEntity.Refused late = new WorkerEntity.Refused(WorkerEntity.Refused.Reason.RUN_FINISHED,
        "the attempt was handed over with its worker entity, which moves to another node");
    if (c instanceof WorkerEntity.SaveCheckpoint s) {
      s.replyTo().tell(late);
    } else if (c instanceof WorkerEntity.RecordStep s) {
      s.replyTo().tell(late);
    }
    return true;
  }

  private Behavior<WorkerEntity.Command> flush() {
    if (pending.isEmpty()) {
      return handedOff ? Behaviors.stopped() : this;
    }
    int n = Math.min(pending.size(), settings.maxBatch());
    List<WorkerEntity.Command> batch = new ArrayList<>(n);
    for (int i = 0; i < n; i++) {
      WorkerEntity.Command c = pending.poll();
      if (c instanceof WorkerEntity.Call call) {
        pendingCalls--;
        pendingCallBytes -= call.payloadBytes();
      }
      batch.add(c);
    }
    inFlight = ++batches;
    inFlightSince = System.nanoTime();
    inFlightCommands = n;
    core.tell(new WorkerEntity.Batch(batch, inFlight, getContext().getSelf()));
    timers.startSingleTimer("batch", new WorkerEntity.BatchTimedOut(inFlight),
        settings.batchTimeout());
    return this;
  }
}
