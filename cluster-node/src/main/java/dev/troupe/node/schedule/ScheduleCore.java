package dev.troupe.node.schedule;

import dev.troupe.api.MisfirePolicy;
import dev.troupe.api.Schedule;
import dev.troupe.api.ScheduleRef;
import dev.troupe.node.config.ScheduleSettings;
import dev.troupe.node.entity.Failures;
import dev.troupe.node.entity.LocalEntities;
import dev.troupe.node.entity.OwnerFence;
import dev.troupe.node.schedule.ScheduleEntity.Command;
import dev.troupe.node.schedule.ScheduleState.Pending;
import java.time.Clock;
import java.time.Duration;
import java.time.Instant;
import java.time.temporal.ChronoUnit;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.persistence.typed.JournalPersistFailed;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.Effect;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;

/**
 * The event-sourced behaviour of one schedule ({@link ScheduleEntity} is its protocol). Persist,
 * then act: a fire is written ({@link ScheduleEvent.Fired}) before its worker is called, and a
 * fire whose run is not known to be started is called again after recovery, by the same
 * idempotency key. Time comes from an injected {@link Clock}; the timer only wakes the entity,
 * which then fires every fire time at or before the clock's now. A write refused because another
 * node wrote the schedule's next sequence number fences the node, as a worker entity's does
 * ({@link OwnerFence}): a fenced node's schedules fire nothing more and stop.
 */
public final class ScheduleCore extends EventSourcedBehavior<Command, ScheduleEvent, ScheduleState> {
  /** Timers are re-armed at least this often, whatever the next fire time. */
  private static final Duration MAX_TIMER = Duration.ofHours(1);
  private static final String TICK = "tick";

  private final String name;
  private final ScheduleSettings settings;
  private final Clock clock;
  private final RunStarter starter;
  private final ActorContext<Command> ctx;
  private final TimerScheduler<Command> timers;
  private final Consumer<ActorRef<Command>> passivate;
  private final Runnable wakeAgain;
  private final LocalEntities node;
  /** Triggers waiting for their run, by fire (not state: a trigger's caller times out on a crash). */
  private final Map<Pending, List<ActorRef<ScheduleEntity.Reply>>> waiting = new HashMap<>();
  private final Map<Pending, Integer> tries = new HashMap<>();
  private Schedule parsedFor;
  private Cron cron;

  private ScheduleCore(String name, ScheduleSettings settings, Clock clock, RunStarter starter,
      ActorContext<Command> ctx, TimerScheduler<Command> timers,
      Consumer<ActorRef<Command>> passivate, Runnable wakeAgain, LocalEntities node) {
    super(PersistenceId.of(ScheduleEntity.KEY.name(), name),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.name = name;
    this.settings = settings;
    this.clock = clock;
    this.starter = starter;
    this.ctx = ctx;
    this.timers = timers;
    this.passivate = passivate;
    this.wakeAgain = wakeAgain;
    this.node = node;
  }

  /**
   * The schedule {@code name}. {@code passivate} asks sharding to stop it (it was deleted, or
   * never existed); {@code wakeAgain} starts it again when it stops while it exists; {@code
   * node} tells whether this node is fenced as a stale owner.
   */
  public static Behavior<Command> create(String name, ScheduleSettings settings, Clock clock,
      RunStarter starter, Consumer<ActorRef<Command>> passivate, Runnable wakeAgain,
      LocalEntities node) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers ->
        new ScheduleCore(name, settings, clock, starter, ctx, timers, passivate, wakeAgain,
            node)));
  }

  @Override
  public ScheduleState emptyState() {
    return ScheduleState.EMPTY;
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(settings.snapshotEvery(), 2).withDeleteEventsOnSnapshot();
  }

  @Override
  public EventHandler<ScheduleState, ScheduleEvent> eventHandler() {
    return (state, event) -> state.apply(event, settings.recentRuns());
  }

  @Override
  public SignalHandler<ScheduleState> signalHandler() {
    return newSignalHandlerBuilder().onSignal(RecoveryCompleted.instance(), state -> {
      if (node.fenced()) {
        passivate.accept(ctx.getSelf());
        return;
      }
      if (state.exists()) {
        ctx.getLog().info("schedule {} runs on this node ({} fire(s) to start again)", name,
            state.pending().size());
      }
      state.pending().forEach(f -> call(state, f));
      ctx.getSelf().tell(ScheduleEntity.Tick.INSTANCE);
    }).onSignal(JournalPersistFailed.class, (state, failed) -> {
      if (OwnerFence.isSequenceConflict(failed.getFailure())) {
        OwnerFence.fence(ctx.getSystem(), node, "schedule " + name, failed.getFailure(),
            ctx.getLog());
      }
    }).build();
  }

  @Override
  public CommandHandler<Command, ScheduleEvent, ScheduleState> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(c -> node.fenced(), c -> Effect().stop())
        .onCommand(ScheduleEntity.Put.class, this::onPut)
        .onCommand(ScheduleEntity.Get.class, (s, c) -> current(s, c.replyTo()))
        .onCommand(ScheduleEntity.Pause.class, this::onPause)
        .onCommand(ScheduleEntity.Resume.class, this::onResume)
        .onCommand(ScheduleEntity.Delete.class, this::onDelete)
        .onCommand(ScheduleEntity.Trigger.class, this::onTrigger)
        .onCommand(ScheduleEntity.Wake.class, this::onWake)
        .onCommand(ScheduleEntity.Tick.class, (s, c) -> onTick(s))
        .onCommand(ScheduleEntity.CallDone.class, this::onCallDone)
        .onCommand(ScheduleEntity.CallFailed.class, this::onCallFailed)
        .onCommand(ScheduleEntity.CallAgain.class, (s, c) -> onCallAgain(s, c.fire()))
        .onCommand(ScheduleEntity.Stop.class, (s, c) -> Effect().stop()
            .thenRun(after -> {
              if (after.exists()) {
                wakeAgain.run();
              }
            }))
        .build();
  }

  // public commands

  private Effect<ScheduleEvent, ScheduleState> onPut(ScheduleState s, ScheduleEntity.Put c) {
    if (s.exists() && s.schedule().equals(c.schedule())) {
      return current(s, c.replyTo());
    }
    if (!s.exists()) {
      ctx.getLog().info("schedule {} runs on this node (created)", name);
    }
    return Effect().persist(new ScheduleEvent.Defined(c.schedule(), now()))
        .thenRun(this::arm).thenRun(after -> c.replyTo().tell(view(after)));
  }

  private Effect<ScheduleEvent, ScheduleState> onPause(ScheduleState s, ScheduleEntity.Pause c) {
    if (!s.exists() || s.paused()) {
      return current(s, c.replyTo());
    }
    return Effect().persist(new ScheduleEvent.Paused(now()))
        .thenRun(after -> timers.cancel(TICK)).thenRun(after -> c.replyTo().tell(view(after)));
  }

  private Effect<ScheduleEvent, ScheduleState> onResume(ScheduleState s, ScheduleEntity.Resume c) {
    if (!s.exists() || !s.paused()) {
      return current(s, c.replyTo());
    }
    return Effect().persist(new ScheduleEvent.Resumed(now()))
        .thenRun(this::arm).thenRun(after -> c.replyTo().tell(view(after)));
  }

  private Effect<ScheduleEvent, ScheduleState> onDelete(ScheduleState s, ScheduleEntity.Delete c) {
    if (!s.exists()) {
      return current(s, c.replyTo());
    }
    return Effect().persist(new ScheduleEvent.Deleted(now())).thenRun(after -> {
      timers.cancelAll();
      c.replyTo().tell(new ScheduleEntity.Deleted(name));
      passivate.accept(ctx.getSelf());
    });
  }

  private Effect<ScheduleEvent, ScheduleState> onTrigger(ScheduleState s, ScheduleEntity.Trigger c) {
    if (!s.exists()) {
      return current(s, c.replyTo());
    }
    Pending fire = new Pending(now(), true);
    return Effect().persist(new ScheduleEvent.Fired(fire.fireTime(), true)).thenRun(after -> {
      waiting.computeIfAbsent(fire, f -> new ArrayList<>()).add(c.replyTo());
      call(after, fire);
    });
  }

  private Effect<ScheduleEvent, ScheduleState> onWake(ScheduleState s, ScheduleEntity.Wake c) {
    c.replyTo().tell(Done.getInstance());
    if (!s.exists()) {
      passivate.accept(ctx.getSelf());
    }
    return Effect().none();
  }

  /** Replies with the schedule as it stands, or that it does not exist (and then stops). */
  private Effect<ScheduleEvent, ScheduleState> current(ScheduleState s,
      ActorRef<ScheduleEntity.Reply> replyTo) {
    replyTo.tell(view(s));
    if (!s.exists()) {
      passivate.accept(ctx.getSelf());
    }
    return Effect().none();
  }

  private ScheduleEntity.Reply view(ScheduleState s) {
    if (!s.exists()) {
      return new ScheduleEntity.Missing(name);
    }
    Instant from = s.after().isAfter(now()) ? s.after() : now();
    return new ScheduleEntity.Current(s.schedule(), s.paused(),
        s.paused() ? List.of() : cron(s).nextTimes(from, 5), s.recent());
  }

  // firing

  private Effect<ScheduleEvent, ScheduleState> onTick(ScheduleState s) {
    if (!s.exists() || s.paused()) {
      return Effect().none();
    }
    List<ScheduleEvent> events = due(s, now());
    if (events.isEmpty()) {
      arm(s);
      return Effect().none();
    }
    return Effect().persist(events).thenRun(after -> {
      for (ScheduleEvent e : events) {
        if (e instanceof ScheduleEvent.Fired f) {
          call(after, new Pending(f.fireTime(), false));
        }
      }
      arm(after);
    });
  }

  /**
   * What is due at {@code now}: fire times later than the misfire threshold are missed (skipped,
   * or fired once for the latest of them), the others fire each, at most {@code max-catch-up} in
   * one go (the rest in the next, at once).
   */
  private List<ScheduleEvent> due(ScheduleState s, Instant now) {
    Cron c = cron(s);
    List<ScheduleEvent> events = new ArrayList<>();
    Optional<Instant> first = c.next(s.after());
    if (first.isEmpty() || first.get().isAfter(now)) {
      return events;
    }
    Instant after = s.after();
    Instant cutoff = now.minus(settings.misfireThreshold());
    if (!first.get().isAfter(cutoff)) {
      Instant lastMissed = c.latestAtOrBefore(cutoff).orElse(first.get());
      events.add(s.schedule().misfire() == MisfirePolicy.SKIP
          ? new ScheduleEvent.Skipped(lastMissed) : new ScheduleEvent.Fired(lastMissed, false));
      after = lastMissed;
    }
    for (Optional<Instant> t = c.next(after); t.isPresent() && !t.get().isAfter(now)
        && events.size() < settings.maxCatchUp(); t = c.next(t.get())) {
      events.add(new ScheduleEvent.Fired(t.get(), false));
    }
    return events;
  }

  /** Arms the timer for the next fire time (at once when it is due). */
  private void arm(ScheduleState s) {
    timers.cancel(TICK);
    if (!s.exists() || s.paused()) {
      return;
    }
    Optional<Instant> next = cron(s).next(s.after());
    if (next.isEmpty()) {
      return;
    }
    Duration wait = Duration.between(clock.instant(), next.get());
    if (wait.isNegative() || wait.isZero()) {
      ctx.getSelf().tell(ScheduleEntity.Tick.INSTANCE);
    } else {
      timers.startSingleTimer(TICK, ScheduleEntity.Tick.INSTANCE,
          wait.compareTo(MAX_TIMER) > 0 ? MAX_TIMER : wait);
    }
  }

  /** Calls the worker for {@code fire}; the outcome comes back as a command. */
  private void call(ScheduleState s, Pending fire) {
    CompletionStage<RunStarter.Started> started;
    try {
      started = starter.start(s.schedule(), new ScheduleRef(name, fire.fireTime()),
          ScheduleEntity.idempotencyKey(name, fire));
    } catch (RuntimeException e) {
      started = CompletableFuture.failedFuture(e);
    }
    ctx.pipeToSelf(started, (run, t) -> t == null
        ? new ScheduleEntity.CallDone(fire, run.runId(), run.traceId())
        : new ScheduleEntity.CallFailed(fire, Failures.toRefusal(t)));
  }

  private Effect<ScheduleEvent, ScheduleState> onCallDone(ScheduleState s,
      ScheduleEntity.CallDone c) {
    tries.remove(c.fire());
    if (!s.isPending(c.fire())) {
      reply(c.fire(), new ScheduleEntity.Triggered(c.runId(), c.traceId()));
      return Effect().none();
    }
    return Effect().persist(new ScheduleEvent.RunStarted(c.fire().fireTime(), c.fire().manual(),
        c.runId())).thenRun(after -> reply(c.fire(),
            new ScheduleEntity.Triggered(c.runId(), c.traceId())));
  }

  /** A trigger's failure, or a permanent one, ends the fire; a passing one is called again. */
  private Effect<ScheduleEvent, ScheduleState> onCallFailed(ScheduleState s,
      ScheduleEntity.CallFailed c) {
    if (!s.isPending(c.fire())) {
      return Effect().none();
    }
    String error = FireFailures.text(c.refusal());
    if (FireFailures.permanent(c.refusal()) || c.fire().manual()) {
      ctx.getLog().warn("schedule {}: the fire at {} started no run: {}", name,
          c.fire().fireTime(), error);
      tries.remove(c.fire());
      return Effect().persist(new ScheduleEvent.FireFailed(c.fire().fireTime(), c.fire().manual(),
          error)).thenRun(after -> reply(c.fire(), new ScheduleEntity.Failed(c.refusal())));
    }
    int n = tries.merge(c.fire(), 1, Integer::sum);
    long ms = Math.min(settings.retryMax().toMillis(),
        settings.retryMin().toMillis() << Math.min(n - 1, 20));
    ctx.getLog().info("schedule {}: the fire at {} is called again in {} ms: {}", name,
        c.fire().fireTime(), ms, error);
    timers.startSingleTimer(c.fire(), new ScheduleEntity.CallAgain(c.fire()), Duration.ofMillis(ms));
    return Effect().none();
  }

  private Effect<ScheduleEvent, ScheduleState> onCallAgain(ScheduleState s, Pending fire) {
    if (s.isPending(fire)) {
      call(s, fire);
    }
    return Effect().none();
  }

  private void reply(Pending fire, ScheduleEntity.Reply reply) {
    List<ActorRef<ScheduleEntity.Reply>> w = waiting.remove(fire);
    if (w != null) {
      w.forEach(r -> r.tell(reply));
    }
  }

  // helpers

  private Instant now() {
    return clock.instant().truncatedTo(ChronoUnit.MILLIS);
  }

  private Cron cron(ScheduleState s) {
    if (parsedFor != s.schedule()) {
      cron = Cron.parse(s.schedule().cron(), s.schedule().zoneId());
      parsedFor = s.schedule();
    }
    return cron;
  }
}
