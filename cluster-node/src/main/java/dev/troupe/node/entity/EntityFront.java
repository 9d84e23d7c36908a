package dev.troupe.node.entity;

import dev.troupe.node.config.TroupeSettings;
import dev.troupe.node.tracing.EntitySpan;
import dev.troupe.persistence.JsonBytes;
import dev.troupe.persistence.RunIds;
import java.util.ArrayDeque;
import java.util.ArrayList;
import java.util.IdentityHashMap;
import java.util.List;
import java.util.Map;
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
 *
 * <p>A batch whose write failed with nothing written (the journal's serializer rejected it, or the
 * database refused it, but no other node took its sequence number) is not lost: its commands are
 * decided again one at a time, before anything else, so that the good ones are written and the one
 * the journal will not write is refused alone ({@link Isolation}).
 *
 * <p>A traced call (its spec names the call's span) gets the span of the entity's recording of it
 * here, from its arrival to the answer of its batch ({@link EntitySpan}); the spec the core
 * records names that span instead. Batches are answered in order, so a batch still unanswered
 * when a later one is answered never will be (its write failed): its spans end as lost then.
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
  private final Isolation isolation;
  private final StrayCheck stray;
  private int pendingCalls;
  private long pendingCallBytes;
  private long inFlight;
  /** When the batch in flight was handed over ({@link System#nanoTime()}), and its commands. */
  private long inFlightSince;
  private List<WorkerEntity.Command> inFlightBatch = List.of();
  private long batches;
  private boolean stopping;
  /** The core has handed its runs over: the front stops once the commands left are decided. */
  private boolean handedOff;
  /** The spans of traced calls waiting for their batch, by the call the core gets. */
  private final Map<WorkerEntity.Command, EntitySpan> waitingSpans = new IdentityHashMap<>();
  /** The batches handed over with traced calls, oldest first, until they are answered. */
  private final ArrayDeque<TracedBatch> tracedBatches = new ArrayDeque<>();

  private record TracedBatch(long number, int commands, List<EntitySpan> spans) {}

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
    this.isolation = new Isolation(entityId, worker, services.metrics(), ctx.getLog());
    this.stray = new StrayCheck(entityId, worker, services, ctx, timers);
    this.core = ctx.spawn(core.apply(ctx.getSelf()), "journal");
    ctx.watch(this.core);
    services.entities().add(ctx.getSelf());
  }

  @Override
  public Receive<WorkerEntity.Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(WorkerEntity.BatchDone.class, this::onBatchDone)
        .onMessage(WorkerEntity.BatchTimedOut.class, this::onTimedOut)
        .onMessage(WorkerEntity.CoreRecovered.class, this::onCoreRecovered)
        .onMessage(WorkerEntity.Stop.class, s -> onStop())
        .onMessage(WorkerEntity.HandedOff.class, h -> onHandedOff())
        .onMessage(WorkerEntity.Unregistered.class, u -> onUnregistered())
        .onMessage(WorkerEntity.Stray.class, s -> watchStray())
        .onMessage(WorkerEntity.CheckStray.class, c -> checkStray())
        .onMessage(WorkerEntity.StrayChecked.class, this::onStrayChecked)
        .onMessage(WorkerEntity.Command.class, this::onCommand)
        .onSignal(Terminated.class, t -> Behaviors.stopped())
        .onSignal(PostStop.class, s -> {
          services.entities().remove(getContext().getSelf());
          services.metrics().forget(entityId);
          unanswered("the worker entity stopped before it answered");
          return this;
        })
        .build();
  }

  private Behavior<WorkerEntity.Command> onCommand(WorkerEntity.Command c) {
    if (handedOff && c instanceof WorkerEntity.Internal) {
      dropLate(c);
      return this;
    }
    if (c instanceof WorkerEntity.Call || c instanceof WorkerEntity.SlotsFreed) {
      stray.sign(); // from a node with the worker (a stray runs nothing here to free slots)
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
      pending.add(traced(call));
    } else {
      pending.add(c);
    }
    return inFlight == 0 ? flush() : this;
  }

  /** {@code call} as the core gets it: when traced, with the spec naming the entity's span. */
  private WorkerEntity.Call traced(WorkerEntity.Call call) {
    EntitySpan span = services.runs().tracing().entity(worker, entityId, call.spec());
    if (span == EntitySpan.NONE) {
      return call;
    }
    WorkerEntity.Call recorded = call.withSpec(span.traced(call.spec()));
    waitingSpans.put(recorded, span);
    return recorded;
  }

  private Behavior<WorkerEntity.Command> onBatchDone(WorkerEntity.BatchDone d) {
    if (d.number() == inFlight && d.written()) {
      services.metrics().journalWrite(worker, inFlightBatch.size(),
          System.nanoTime() - inFlightSince);
      isolation.written();
    }
    answered(d.number());
    return onBatchEnded(d.number());
  }

  /**
   * Ends the spans of batch {@code number}, answered, and of the batches before it, which no
   * answer will follow: their write failed.
   */
  private void answered(long number) {
    while (!tracedBatches.isEmpty() && tracedBatches.peek().number() <= number) {
      TracedBatch b = tracedBatches.poll();
      for (EntitySpan span : b.spans()) {
        if (b.number() == number) {
          span.answered(b.commands());
        } else {
          span.lost("the batch of the call was not written");
        }
      }
    }
  }

  /** Ends the spans of every call not answered yet, lost for {@code reason}. */
  private void unanswered(String reason) {
    tracedBatches.forEach(b -> b.spans().forEach(span -> span.lost(reason)));
    tracedBatches.clear();
    waitingSpans.values().forEach(span -> span.lost(reason));
    waitingSpans.clear();
  }

  /**
   * The core recovered: when it restarted because the write of the batch in flight failed with
   * nothing written, for a reason other than a taken sequence number, that batch's commands are
   * isolated ({@link Isolation}); a batch written after all is not tried again.
   */
  private Behavior<WorkerEntity.Command> onCoreRecovered(WorkerEntity.CoreRecovered r) {
    if (r.failedBatch() != 0 && r.failedBatch() == inFlight && !r.written()
        && r.refusal() != null) {
      isolation.failed(inFlightBatch, r.refusal());
    }
    return onBatchEnded(inFlight);
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

  private Behavior<WorkerEntity.Command> watchStray() {
    stray.watch();
    return this;
  }

  private Behavior<WorkerEntity.Command> checkStray() {
    stray.check();
    return this;
  }

  /** A stray with no member announcing its worker for the grace passivates, unless it moves. */
  private Behavior<WorkerEntity.Command> onStrayChecked(WorkerEntity.StrayChecked c) {
    if (!stopping && stray.passivates(c)) {
      passivate.accept(getContext().getSelf());
    }
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
    WorkerEntity.Command suspect = isolation.next();
    if (suspect != null) {
      return handOver(List.of(suspect)); // a traced call's span stays with its failed batch
    }
    if (pending.isEmpty()) {
      return handedOff ? Behaviors.stopped() : this;
    }
    int n = Math.min(pending.size(), settings.maxBatch());
    List<WorkerEntity.Command> batch = new ArrayList<>(n);
    List<EntitySpan> spans = null;
    long bytes = 0;
    while (batch.size() < n) {
      long size = dataBytes(pending.peek());
      if (!batch.isEmpty() && bytes + size > settings.maxBatchBytes()) {
        break; // the rest follows in the next write, at once
      }
      bytes += size;
      WorkerEntity.Command c = pending.poll();
      if (c instanceof WorkerEntity.Call call) {
        pendingCalls--;
        pendingCallBytes -= call.payloadBytes();
        EntitySpan span = waitingSpans.isEmpty() ? null : waitingSpans.remove(call);
        if (span != null) {
          spans = spans == null ? new ArrayList<>() : spans;
          spans.add(span);
        }
      }
      batch.add(c);
    }
    if (spans != null) {
      tracedBatches.add(new TracedBatch(batches + 1, batch.size(), spans));
    }
    return handOver(batch);
  }

  /**
   * The run data a command brings into a journal write, as JSON bytes: a call's payload, an
   * outcome's result, a checkpoint's or an emitted event's data ({@code
   * troupe.worker.max-batch-bytes} bounds their sum in one write).
   */
  private static long dataBytes(WorkerEntity.Command c) {
    if (c instanceof WorkerEntity.Call call) {
      return call.payloadBytes();
    } else if (c instanceof WorkerEntity.AttemptOutcome o) {
      return JsonBytes.of(o.result());
    } else if (c instanceof WorkerEntity.SaveCheckpoint cp) {
      return JsonBytes.of(cp.data());
    } else if (c instanceof WorkerEntity.Emit e) {
      return JsonBytes.of(e.data());
    }
    return 0;
  }

  /** Hands {@code batch} over to the core as the next batch, with its timeout. */
  private Behavior<WorkerEntity.Command> handOver(List<WorkerEntity.Command> batch) {
    inFlight = ++batches;
    inFlightSince = System.nanoTime();
    inFlightBatch = batch;
    core.tell(new WorkerEntity.Batch(batch, inFlight, getContext().getSelf()));
    timers.startSingleTimer("batch", new WorkerEntity.BatchTimedOut(inFlight),
        settings.batchTimeout());
    return this;
  }
}
