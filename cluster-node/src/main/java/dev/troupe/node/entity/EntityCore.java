package dev.troupe.node.entity;

import dev.troupe.persistence.RunClock;
import dev.troupe.persistence.RunHistory;
import dev.troupe.persistence.RunIds;
import dev.troupe.persistence.WorkerEvent;
import dev.troupe.persistence.WorkerState;
import java.time.Duration;
import java.time.Instant;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Objects;
import java.util.Set;
import java.util.function.BiConsumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.BackoffSupervisorStrategy;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.EventRejectedException;
import org.apache.pekko.persistence.typed.JournalPersistFailed;
import org.apache.pekko.persistence.typed.JournalPersistRejected;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The event-sourced core of a worker entity ({@link WorkerEntity} is its protocol).
 *
 * <p>Commands reach it in batches from its {@link EntityFront}: each batch is decided against the
 * state as it evolves ({@link Decision}), its events are written as one journal entry (group
 * commit), and only then are the replies sent and the run actors started. Nothing is acknowledged
 * before it is written; a failed or rejected write leaves the state unchanged and restarts the
 * core, which recovers from the journal: when nothing of the write was written, its run actors go
 * on and the front decides the batch's commands again one at a time, refusing only the one whose
 * own write fails ({@link FailedWrites}, {@link Isolation}). A write refused because another node
 * wrote its sequence number fences the whole node instead ({@link OwnerFence}), and a fenced node's
 * entities stop at their next command, recovered or not, without writing or starting anything.
 * Every attempt carries an epoch; an outcome, emit or checkpoint of a superseded attempt is
 * ignored.
 *
 * <p>Runs' streams: for a definition with {@code durableStream} (the default) every stream event
 * (status changes, emitted messages and logs, the terminal event) is written as a {@link
 * WorkerEvent.RunStreamed} with its sequence number in the batch that decides it, and reaches
 * subscribers only after that write; a run's {@code streamSeq} folds the last one, so a later
 * stream of the run, on this node or another, goes on after it. A non-durable stream is numbered
 * in memory, within a range reserved in the journal ({@link WorkerEvent.StreamReserved}) before it
 * issues any number.
 *
 * <p>Time: the entity has one timer, armed after every batch for the earliest instant at which
 * something will be due that no message announces: a scheduled run's start time, or the next
 * start a rate limit allows ({@link Attempts#wakeAt}). It then tells itself {@link
 * WorkerEntity.Wake}, and the decision on it promotes the due runs and starts what may start.
 * Timers live only in memory: after a restart or a failover, recovery ends with a decision that
 * promotes every run due meanwhile and arms the timer again.
 */
public final class EntityCore extends EventSourcedBehaviorWithEnforcedReplies<
    WorkerEntity.Command, WorkerEvent, WorkerState> {

  private static final Set<String> HISTORY_TAGS = Set.of(RunHistory.TAG);
  private static final String WAKE = "wake";
  /**
   * The longest the wake timer is set for at once: the scheduler takes delays of some 248 days at
   * most, and a start time may be further ahead; the entity then wakes and arms it again.
   */
  private static final Duration MAX_WAKE_DELAY = Duration.ofDays(1);

  private final String entityId;
  private final String worker;
  private final EntityServices services;
  private final ActorContext<WorkerEntity.Command> ctx;
  private final ActorRef<WorkerEntity.Command> front;
  private final RunHost host;
  private final Attempts attempts;
  private final Dependencies dependencies;
  private final Stopping stopping;
  private final FailedWrites writes;
  private final TimerScheduler<WorkerEntity.Command> timers;
  /** The instant the wake timer is armed for, or null when it is not armed. */
  private Instant armedFor;
  private final Map<Class<?>, BiConsumer<Decision, WorkerEntity.Command>> handlers = new HashMap<>();
  /** The state a batch's decision already computed, so the event handler need not fold again. */
  private Decided decided;

  private record Decided(WorkerState before, WorkerEvent event, WorkerState after) {}

  /**
   * The core of entity {@code entityId}, with its timer, in front of which {@code front} is. A
   * failed write restarts it (Pekko's {@code onPersistFailure}), a rejected one too (Pekko would
   * stop it): both keep the run actors, which {@link FailedWrites} lets go when they may not stay.
   */
  public static Behavior<WorkerEntity.Command> create(String entityId, EntityServices services,
      ActorRef<WorkerEntity.Command> front) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        Behaviors.supervise(new EntityCore(entityId, services, ctx, front, timers))
            .onFailure(EventRejectedException.class, restart())));
  }

  private static BackoffSupervisorStrategy restart() {
    return SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10),
        0.2).withStopChildren(false);
  }

  private EntityCore(String entityId, EntityServices services,
      ActorContext<WorkerEntity.Command> ctx, ActorRef<WorkerEntity.Command> front,
      TimerScheduler<WorkerEntity.Command> timers) {
    super(PersistenceId.of(WorkerEntity.JOURNAL_NAME, entityId), restart());
    this.entityId = entityId;
    this.worker = RunIds.workerOf(entityId);
    this.services = services;
    this.ctx = ctx;
    this.front = front;
    this.timers = timers;
    this.host = new RunHost(worker, services, ctx, front);
    this.attempts = new Attempts(worker, services, host, ctx.getLog());
    this.dependencies = new Dependencies(services, host, attempts, front, ctx.getLog());
    this.stopping = new Stopping(entityId, services, host, attempts, front, ctx.getLog());
    this.writes = new FailedWrites(entityId, ctx.getLog());
    Intake intake = new Intake(entityId, services, host, attempts, stopping, dependencies,
        ctx.getLog());
    on(WorkerEntity.Call.class, intake::onCall);
    on(WorkerEntity.Cancel.class, intake::onCancel);
    on(WorkerEntity.CancelChildren.class, intake::onCancelChildren);
    on(WorkerEntity.GetRun.class, intake::onGetRun);
    on(WorkerEntity.GetActive.class, intake::onGetActive);
    on(WorkerEntity.GetActivePage.class, intake::onGetActivePage);
    on(WorkerEntity.GetStats.class, intake::onGetStats);
    on(WorkerEntity.Subscribe.class, intake::onSubscribe);
    on(WorkerEntity.AwaitResult.class, intake::onAwait);
    on(WorkerEntity.AttemptOutcome.class, attempts::onOutcome);
    on(WorkerEntity.RequestNextAttempt.class, attempts::onNextAttempt);
    on(WorkerEntity.SaveCheckpoint.class, attempts::onCheckpoint);
    on(WorkerEntity.Emit.class, attempts::onEmit);
    on(WorkerEntity.RecordStep.class, attempts::onRecordStep);
    on(WorkerEntity.ChildStopped.class, attempts::onChildStopped);
    on(WorkerEntity.Drain.class, stopping::onDrain);
    on(WorkerEntity.CancelExecuting.class, stopping::onCancelExecuting);
    on(WorkerEntity.RequeueExecuting.class, stopping::onRequeueExecuting);
    on(WorkerEntity.HandOff.class, stopping::onHandOff);
    on(WorkerEntity.HandOver.class, stopping::onHandOver);
    on(WorkerEntity.DependencyEnded.class, dependencies::onDependencyEnded);
    on(WorkerEntity.Resume.class, dependencies::onResume); // and the batch dispatches
    on(WorkerEntity.Wake.class, (d, w) -> armedFor = null); // fired: arm it again after
    // SlotsFreed and Wake only make the batch dispatch()
  }

  private <C extends WorkerEntity.Command> void on(Class<C> type, BiConsumer<Decision, C> handler) {
    handlers.put(type, (d, c) -> handler.accept(d, type.cast(c)));
  }

  @Override
  public WorkerState emptyState() {
    return WorkerState.empty();
  }

  /**
   * Every journal entry (a single event or a {@code Recorded} batch) carries the run history's tag,
   * so the history projection reads them all; one tag row per entry, entries being batches.
   */
  @Override
  public Set<String> tagsFor(WorkerEvent event) {
    return HISTORY_TAGS;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(services.settings().snapshotEvery(), 2);
  }

  @Override
  public EventHandler<WorkerState, WorkerEvent> eventHandler() {
    return newEventHandlerBuilder().forAnyState().onAnyEvent(this::applyEvent);
  }

  private WorkerState applyEvent(WorkerState state, WorkerEvent event) {
    Decided d = decided;
    decided = null;
    if (d != null && d.event() == event && d.before() == state) {
      return d.after();
    }
    return state.apply(event, services.settings().limits());
  }

  @Override
  public SignalHandler<WorkerState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> recovered())
        .onSignal(JournalPersistFailed.class, (state, failed) -> onWriteFailed(failed.getFailure()))
        .onSignal(JournalPersistRejected.class, (state, rejected) ->
            writes.failed(rejected.getFailure(), true, false))
        .onSignal(PreRestart.instance(), state -> onRestart())
        .onSignal(PostStop.instance(), state -> letGo("its worker entity stopped"))
        .build();
  }

  private void onWriteFailed(Throwable failure) {
    boolean conflict = OwnerFence.isSequenceConflict(failure);
    writes.failed(failure, false, conflict);
    if (conflict) {
      OwnerFence.fence(services, entityId, failure, ctx.getLog());
    }
  }

  /** Restarting after a failed write or recovery: the runs stay if {@link FailedWrites} says so. */
  private void onRestart() {
    if (writes.keepRuns()) {
      host.rollBack("its worker entity restarted");
      forget();
    } else {
      letGo("its worker entity restarted");
    }
  }

  /**
   * Recovered: resumes its runs, unless its worker is not registered here. A never-written entity
   * of such a worker (a stray) passivates, so that remember-entities forgets it; a written one
   * stays and starts nothing (its runs wait, {@link Attempts#dispatch}) until sharding moves it to
   * a node with the worker ({@code WorkerAllocation}'s rebalance), or until no member has announced
   * the worker for {@code troupe.worker.stray-grace}: then it passivates too ({@link StrayCheck}).
   */
  private void recovered() {
    front.tell(writes.recovered(lastSequenceNumber(ctx), () -> letGo("its write failed")));
    boolean registered = services.registry().find(worker).isPresent();
    if (!registered && lastSequenceNumber(ctx) == 0) {
      front.tell(WorkerEntity.Unregistered.INSTANCE);
      return;
    }
    if (!registered) {
      ctx.getLog().warn("worker entity {} recovered on node {}, where worker '{}' is not"
          + " registered: its runs wait until it moves to a node with the worker (passivated"
          + " when no member announces the worker for {}, troupe.worker.stray-grace)", entityId,
          services.system().address(), worker, services.settings().strayGrace());
      front.tell(WorkerEntity.Stray.INSTANCE);
    }
    ctx.getSelf().tell(WorkerEntity.Resume.INSTANCE);
  }

  @Override
  public CommandHandlerWithReply<WorkerEntity.Command, WorkerEvent, WorkerState> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(c -> services.entities().fenced(), c -> Effect().stop().thenNoReply())
        .onCommand(WorkerEntity.Batch.class, this::onBatch)
        .onAnyCommand((state, command) ->
            effect(state, decide(state, List.of(command)), null).thenNoReply());
  }

  private ReplyEffect<WorkerEvent, WorkerState> onBatch(WorkerState state, WorkerEntity.Batch b) {
    Decision d = decide(state, b.commands());
    boolean written = !d.events().isEmpty();
    return effect(state, d, b).thenReply(b.replyTo(),
        s -> new WorkerEntity.BatchDone(b.number(), written));
  }

  /** Decides the commands in order, then starts what may start. */
  private Decision decide(WorkerState state, List<WorkerEntity.Command> commands) {
    Decision d = new Decision(state, services.settings().limits(),
        RunClock.now(services.clock()));
    for (WorkerEntity.Command c : commands) {
      handlers.getOrDefault(c.getClass(), (decision, command) -> { }).accept(d, c);
    }
    attempts.dispatch(d);
    stopping.afterBatch(d);
    d.thenWithState(s -> services.metrics().load(worker, entityId, s.executingCount(),
        s.queuedCount()));
    d.thenWithState(s -> services.payloads().report(entityId, s.payloadBytes()));
    d.thenWithState(this::arm);
    return d;
  }

  /**
   * The decision's events (on {@code batch}, or null: on a command of the core's own) written as
   * one journal entry (none: nothing written), then its acts.
   */
  private EffectBuilder<WorkerEvent, WorkerState> effect(WorkerState state, Decision d,
      WorkerEntity.Batch batch) {
    if (d.events().isEmpty()) {
      return Effect().none().thenRun(d::act);
    }
    WorkerEvent event = d.events().size() == 1
        ? d.events().get(0) : new WorkerEvent.Recorded(List.copyOf(d.events()));
    decided = new Decided(state, event, d.state());
    writes.writing(batch, lastSequenceNumber(ctx));
    return Effect().persist(event).thenRun(written -> actUnlessFenced(d, written));
  }

  /**
   * A written decision's acts, unless the node was fenced while it was written: a stale owner
   * starts nothing, even what it wrote under a sequence number still free (the new owner takes
   * that attempt for interrupted).
   */
  private void actUnlessFenced(Decision d, WorkerState written) {
    if (!services.entities().fenced()) {
      d.act(written);
    }
  }

  /** Arms the wake timer for what {@code s} waits for next, unless it is armed for that already. */
  private void arm(WorkerState s) {
    Instant at = attempts.wakeAt(s);
    if (Objects.equals(at, armedFor)) {
      return;
    }
    armedFor = at;
    if (at == null) {
      timers.cancel(WAKE);
      return;
    }
    Duration delay = Duration.between(RunClock.now(services.clock()), at);
    if (delay.isNegative() || delay.isZero()) {
      timers.cancel(WAKE);
      ctx.getSelf().tell(WorkerEntity.Wake.INSTANCE); // due now: no need to wait for a tick
      return;
    }
    timers.startSingleTimer(WAKE, WorkerEntity.Wake.INSTANCE,
        delay.compareTo(MAX_WAKE_DELAY) > 0 ? MAX_WAKE_DELAY : delay);
  }

  /** The entity stops or restarts (this object survives a restart): its runs here stop too. */
  private void letGo(String reason) {
    services.payloads().report(entityId, 0); // reported again after the next recovery
    host.letGo(reason);
    forget();
  }

  /** What the entity decided in memory goes: recovery and its first decision make it again. */
  private void forget() {
    attempts.letGo();
    dependencies.letGo();
    armedFor = null;
    timers.cancel(WAKE);
  }
}
