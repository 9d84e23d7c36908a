package dev.troupe.node;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.RunError;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.TroupeSerializable;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerStats;
import dev.troupe.persistence.RunHistory;
import dev.troupe.persistence.RunIds;
import dev.troupe.persistence.RunRecord;
import dev.troupe.persistence.WorkerEvent;
import dev.troupe.persistence.WorkerState;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.HashSet;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.atomic.AtomicReference;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.PreRestart;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.RecoveryCompleted;
import org.apache.pekko.persistence.typed.javadsl.CommandHandlerWithReply;
import org.apache.pekko.persistence.typed.javadsl.EffectBuilder;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehaviorWithEnforcedReplies;
import org.apache.pekko.persistence.typed.javadsl.ReplyEffect;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;
import org.apache.pekko.persistence.typed.javadsl.SignalHandler;
import org.apache.pekko.stream.SourceRef;
import org.apache.pekko.stream.javadsl.Source;
import org.apache.pekko.stream.javadsl.StreamRefs;

/**
 * One worker definition (or one partition of it): a sharded, event-sourced entity that owns the
 * definition's queue, its concurrency limit, its runs and its statistics.
 *
 * <p>Commands reach it in batches from its {@link EntityFront}: each batch is decided against the
 * state as it evolves, its events are written as one journal entry (group commit), and only then
 * are the replies sent and the run actors started. Nothing is acknowledged before it is written;
 * a failed write leaves the state unchanged and restarts the entity (children stop, the callers
 * of that batch time out). Every attempt carries an epoch; an outcome, emit or checkpoint of a
 * superseded attempt is ignored.
 *
 * <p>Runs' streams: for a definition with {@code durableStream} (the default) every stream event
 * (status changes, emitted messages and logs, the terminal event) is written as a {@link
 * WorkerEvent.RunStreamed} with its sequence number in the batch that decides it, and reaches
 * subscribers only after that write; a run's {@code streamSeq} folds the last one, so a later
 * session, on this node or another, goes on after it. A non-durable stream is numbered in memory
 * by its {@link RunSession}, within a range reserved in the journal ({@link
 * WorkerEvent.StreamReserved}) before it issues any number.
 */
public final class WorkerEntity
    extends EventSourcedBehaviorWithEnforcedReplies<WorkerEntity.Command, WorkerEvent, WorkerState> {

  /** Entities of definitions without a role; those with role r are of type {@code worker-r}. */
  public static final EntityTypeKey<Command> KEY = EntityTypeKey.create(Command.class, "worker");

  /** The entity type of definitions with {@code role} (null: any node): its own sharding region. */
  public static EntityTypeKey<Command> keyFor(String role) {
    return role == null ? KEY : EntityTypeKey.create(Command.class, KEY.name() + "-" + role);
  }

  // the protocol

  /** Every message a worker entity (or its front) accepts. */
  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Call.class, name = "call"),
    @JsonSubTypes.Type(value = Cancel.class, name = "cancel"),
    @JsonSubTypes.Type(value = GetRun.class, name = "get-run"),
    @JsonSubTypes.Type(value = GetActive.class, name = "get-active"),
    @JsonSubTypes.Type(value = GetStats.class, name = "get-stats"),
    @JsonSubTypes.Type(value = Subscribe.class, name = "subscribe"),
    @JsonSubTypes.Type(value = AwaitResult.class, name = "await-result"),
    @JsonSubTypes.Type(value = Drain.class, name = "drain"),
    @JsonSubTypes.Type(value = CancelExecuting.class, name = "cancel-executing"),
    @JsonSubTypes.Type(value = RequeueExecuting.class, name = "requeue-executing"),
    @JsonSubTypes.Type(value = Stop.class, name = "stop"),
    @JsonSubTypes.Type(value = AttemptOutcome.class, name = "attempt-outcome"),
    @JsonSubTypes.Type(value = RequestNextAttempt.class, name = "next-attempt"),
    @JsonSubTypes.Type(value = SaveCheckpoint.class, name = "save-checkpoint"),
    @JsonSubTypes.Type(value = Emit.class, name = "emit"),
    @JsonSubTypes.Type(value = SlotsFreed.class, name = "slots-freed"),
    @JsonSubTypes.Type(value = Batch.class, name = "batch"),
    @JsonSubTypes.Type(value = BatchDone.class, name = "batch-done"),
    @JsonSubTypes.Type(value = BatchTimedOut.class, name = "batch-timed-out"),
    @JsonSubTypes.Type(value = CoreRecovered.class, name = "core-recovered"),
    @JsonSubTypes.Type(value = Resume.class, name = "resume"),
    @JsonSubTypes.Type(value = ChildStopped.class, name = "child-stopped")
  })
  public sealed interface Command extends TroupeSerializable {}

  /**
   * Start a run; replies {@link Accepted} once it is written, or an error. A call that reaches the
   * entity after {@code giveUpAtMillis} (epoch ms; 0 for never), e.g. one that sharding held while
   * the entity moved to another node, is refused unrecorded: its caller has already been told that
   * it failed.
   */
  public record Call(JsonNode payload, long timeoutMs, String idempotencyKey, List<String> tags,
      long giveUpAtMillis, ActorRef<StatusReply<Accepted>> replyTo) implements Command {

    /** A call without a deadline. */
    public Call(JsonNode payload, long timeoutMs, String idempotencyKey, List<String> tags,
        ActorRef<StatusReply<Accepted>> replyTo) {
      this(payload, timeoutMs, idempotencyKey, tags, 0, replyTo);
    }
  }

  /** A run was accepted; {@code existing} when an idempotency key matched an earlier run. */
  public record Accepted(String runId, boolean existing) implements TroupeSerializable {}

  public record Cancel(String runId, ActorRef<StatusReply<Done>> replyTo) implements Command {}

  public record GetRun(String runId, ActorRef<StatusReply<RunResult>> replyTo)
      implements Command {}

  public record GetActive(ActorRef<ActiveRuns> replyTo) implements Command {}

  public record ActiveRuns(List<RunResult> runs) implements TroupeSerializable {}

  public record GetStats(ActorRef<WorkerStats> replyTo) implements Command {}

  /** Replies with a stream of the run's events after {@code afterSeq}. */
  public record Subscribe(String runId, long afterSeq,
      ActorRef<StatusReply<SourceRef<RunEvent>>> replyTo) implements Command {}

  /** Replies with the run once it has finished. */
  public record AwaitResult(String runId, ActorRef<StatusReply<RunResult>> replyTo)
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

  /** Sharding's hand-off message: the front stops once its write in flight is done. */
  public record Stop() implements Command {}

  enum Outcome { SUCCEEDED, RETRY, FAILED, TIMED_OUT }

  /** A run actor reports how attempt {@code epoch} ended. */
  record AttemptOutcome(String runId, long epoch, Outcome outcome, JsonNode result, RunError error)
      implements Command {}

  /** A restarted run actor asks for its next attempt after the failed attempt {@code epoch}. */
  record RequestNextAttempt(String runId, long epoch, ActorRef<RunActor.Command> replyTo)
      implements Command {}

  record SaveCheckpoint(String runId, long epoch, JsonNode data,
      ActorRef<StatusReply<Done>> replyTo) implements Command {}

  /**
   * An event a handler emitted (a message or a log line) on a durable stream: the entity numbers
   * it, writes it with its batch and only then hands it to the run's session. Ignored once the
   * attempt {@code epoch} is superseded.
   */
  record Emit(String runId, long epoch, String type, JsonNode data, Instant at) implements Command {}

  /** Node slots were released: try to start queued runs. */
  enum SlotsFreed implements Command { INSTANCE }

  /** Commands gathered by the front while the previous write was in flight. */
  record Batch(List<Command> commands, long number, ActorRef<Command> replyTo)
      implements Command {}

  record BatchDone(long number) implements Command {}

  record BatchTimedOut(long number) implements Command {}

  /**
   * The entity (re)covered its state: a batch that was in flight when it restarted after a failed
   * write will never be answered, so the front must not wait for it.
   */
  record CoreRecovered() implements Command {}

  private record Resume() implements Command {}

  private record ChildStopped(String runId, ActorRef<RunActor.Command> child)
      implements Command {}

  // wiring

  /**
   * Starts sharding of the worker entities of {@code role} (null: any node) on this node; a node
   * without that role only routes to them (a proxy). Idempotent.
   */
  static void init(NodeRuntime runtime, String role) {
    Entity<Command, ShardingEnvelope<Command>> entity = Entity.of(keyFor(role),
        ctx -> create(ctx.getEntityId(), runtime)).withStopMessage(new Stop());
    ClusterSharding.get(runtime.system).init(role == null ? entity : entity.withRole(role));
  }

  /** The sharded entity: a front that batches commands, and the event-sourced core behind it. */
  static Behavior<Command> create(String entityId, NodeRuntime runtime) {
    return EntityFront.create(runtime,
        front -> Behaviors.setup(ctx -> new WorkerEntity(entityId, runtime, ctx, front)));
  }

  private final String entityId;
  private final String worker;
  private final NodeRuntime runtime;
  private final ActorContext<Command> ctx;
  private final ActorRef<Command> front;
  private final Map<String, RunSession> sessions = new HashMap<>();
  private final Map<String, RunSession> finishedSessions;
  private final Map<String, ActorRef<RunActor.Command>> children = new HashMap<>();
  private final Set<String> slotHolders = new HashSet<>();
  private final List<ActorRef<Done>> drainWaiters = new ArrayList<>();
  private boolean draining;
  private boolean resumed;
  /** The state a batch's decision already computed, so the event handler need not fold again. */
  private Decided decided;

  private record Decided(WorkerState before, WorkerEvent event, WorkerState after) {}

  WorkerEntity(String entityId, NodeRuntime runtime, ActorContext<Command> ctx,
      ActorRef<Command> front) {
    // worker|<entityId> whatever the role: a definition that gains a role keeps its journal
    super(PersistenceId.of(KEY.name(), entityId),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.entityId = entityId;
    this.worker = RunIds.workerOf(entityId);
    this.runtime = runtime;
    this.ctx = ctx;
    this.front = front;
    int retained = runtime.settings.retainedStreams();
    this.finishedSessions = new LinkedHashMap<>(16, 0.75f, false) {
      @Override
      protected boolean removeEldestEntry(Map.Entry<String, RunSession> eldest) {
        if (size() > retained) {
          runtime.sessions.remove(eldest.getKey());
          return true;
        }
        return false;
      }
    };
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

  private static final Set<String> HISTORY_TAGS = Set.of(RunHistory.TAG);

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(runtime.settings.snapshotEvery(), 2);
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
    return state.apply(event, runtime.settings.limits());
  }

  @Override
  public SignalHandler<WorkerState> signalHandler() {
    return newSignalHandlerBuilder()
        .onSignal(RecoveryCompleted.instance(), state -> {
          front.tell(new CoreRecovered());
          ctx.getSelf().tell(new Resume());
        })
        .onSignal(PreRestart.instance(), state -> letGo("its worker entity restarted"))
        .onSignal(PostStop.instance(), state -> letGo("its worker entity stopped"))
        .build();
  }

  @Override
  public CommandHandlerWithReply<Command, WorkerEvent, WorkerState> commandHandler() {
    return newCommandHandlerWithReplyBuilder().forAnyState()
        .onCommand(Batch.class, this::onBatch)
        .onAnyCommand((state, command) -> decide(state, List.of(command)).thenNoReply());
  }

  private ReplyEffect<WorkerEvent, WorkerState> onBatch(WorkerState state, Batch batch) {
    return decide(state, batch.commands()).thenReply(batch.replyTo(), s -> new BatchDone(batch.number()));
  }

  // deciding a batch

  /** The events of one batch, applied as they are decided, and the effects to run once written. */
  private final class Decision {
    WorkerState state;
    final List<WorkerEvent> events = new ArrayList<>();
    final List<Consumer<WorkerState>> effects = new ArrayList<>();
    final Instant now = NodeRuntime.now();

    Decision(WorkerState state) {
      this.state = state;
    }

    void persist(WorkerEvent e) {
      events.add(e);
      state = state.apply(e, runtime.settings.limits());
    }

    void then(Runnable effect) {
      effects.add(s -> effect.run());
    }
  }

  private EffectBuilder<WorkerEvent, WorkerState> decide(WorkerState state, List<Command> commands) {
    Decision d = new Decision(state);
    for (Command c : commands) {
      handle(d, c);
    }
    dispatch(d);
    d.effects.add(this::answerDrainWaiters);
    d.effects.add(s -> runtime.metrics.load(worker, entityId, s.executingCount(), s.queuedCount()));
    if (d.events.isEmpty()) {
      return Effect().none().thenRun(s -> d.effects.forEach(e -> e.accept(s)));
    }
    WorkerEvent event = d.events.size() == 1
        ? d.events.get(0) : new WorkerEvent.Recorded(List.copyOf(d.events));
    decided = new Decided(state, event, d.state);
    EffectBuilder<WorkerEvent, WorkerState> effect = Effect().persist(event);
    return effect.thenRun(s -> d.effects.forEach(e -> e.accept(s)));
  }

  private void handle(Decision d, Command c) {
    if (c instanceof Call call) {
      onCall(d, call);
    } else if (c instanceof AttemptOutcome o) {
      onOutcome(d, o);
    } else if (c instanceof RequestNextAttempt r) {
      onNextAttempt(d, r);
    } else if (c instanceof SaveCheckpoint s) {
      onCheckpoint(d, s);
    } else if (c instanceof Emit e) {
      onEmit(d, e);
    } else if (c instanceof Cancel cancel) {
      onCancel(d, cancel);
    } else if (c instanceof GetRun g) {
      Optional<RunRecord> r = d.state.run(g.runId());
      d.then(() -> g.replyTo().tell(r.isPresent()
          ? StatusReply.success(r.get().toResult(worker)) : unknownRun(g.runId())));
    } else if (c instanceof GetActive g) {
      List<RunResult> runs = d.state.activeRuns().stream().map(r -> r.toResult(worker)).toList();
      d.then(() -> g.replyTo().tell(new ActiveRuns(runs)));
    } else if (c instanceof GetStats g) {
      WorkerState s = d.state;
      d.then(() -> g.replyTo().tell(
          s.stats().toWorkerStats(worker, s.executingCount(), s.queuedCount())));
    } else if (c instanceof Subscribe s) {
      Optional<RunRecord> r = d.state.run(s.runId());
      RunSession session = d.state.activeRun(s.runId()).isPresent()
          ? session(d, s.runId()) : finishedSessions.get(s.runId());
      d.then(() -> onSubscribe(s, r, session));
    } else if (c instanceof AwaitResult a) {
      Optional<RunRecord> r = d.state.run(a.runId());
      RunSession session = d.state.activeRun(a.runId()).isPresent() ? session(d, a.runId()) : null;
      d.then(() -> onAwait(a, r, session));
    } else if (c instanceof Drain drain) {
      draining = true;
      d.then(() -> drainWaiters.add(drain.replyTo()));
    } else if (c instanceof CancelExecuting ce) {
      for (RunRecord r : d.state.activeRuns()) {
        if (r.isExecuting()) {
          finish(d, r, RunStatus.CANCELLED, null, new RunError(ErrorCode.CANCELLED, ce.reason()));
        }
      }
      d.then(() -> ce.replyTo().tell(Done.getInstance()));
    } else if (c instanceof RequeueExecuting rq) {
      Registration reg = runtime.registry.get(worker);
      for (RunRecord r : d.state.activeRuns()) {
        if (r.isExecuting() && reg != null) {
          requeue(d, r, reg, rq.reason());
        }
      }
      d.then(() -> rq.replyTo().tell(Done.getInstance()));
    } else if (c instanceof ChildStopped cs) {
      onChildStopped(d, cs);
    }
    // SlotsFreed and Resume only make the batch run dispatch()
  }

  private void onCall(Decision d, Call call) {
    Registration reg = runtime.registry.get(worker);
    if (reg == null) {
      d.then(() -> call.replyTo().tell(Failures.reply(Failures.Code.UNKNOWN_WORKER,
          "worker '" + worker + "' is not registered on this node")));
      return;
    }
    if (draining || runtime.shuttingDown) {
      d.then(() -> call.replyTo().tell(Failures.reply(Failures.Code.SHUTTING_DOWN,
          "the node is shutting down and accepts no new runs")));
      return;
    }
    if (call.giveUpAtMillis() != 0 && d.now.toEpochMilli() > call.giveUpAtMillis()) {
      ctx.getLog().info("a call arrived {} ms after its caller gave up; not recorded",
          d.now.toEpochMilli() - call.giveUpAtMillis());
      d.then(() -> call.replyTo().tell(Failures.reply(Failures.Code.UNAVAILABLE,
          "the call reached worker '" + worker + "' after its caller had given up; not recorded")));
      return;
    }
    Optional<RunRecord> existing = d.state.runByIdempotencyKey(call.idempotencyKey());
    if (existing.isPresent()) {
      Accepted accepted = new Accepted(existing.get().runId(), true);
      d.then(() -> call.replyTo().tell(StatusReply.success(accepted)));
      return;
    }
    WorkerConfig cfg = reg.definition().config();
    int freeSlots = Math.max(0, cfg.maxConcurrent() - d.state.executingCount());
    if (d.state.queuedCount() >= cfg.queueCapacity() + freeSlots) {
      d.then(() -> call.replyTo().tell(Failures.reply(Failures.Code.QUEUE_FULL, "worker '"
          + worker + "' has " + cfg.queueCapacity() + " runs waiting (its queueCapacity)")));
      return;
    }
    String runId = RunIds.newRunId(entityId, d.now.toEpochMilli());
    d.persist(new WorkerEvent.RunAccepted(runId, call.payload(), call.timeoutMs(),
        call.idempotencyKey(), call.tags(), d.now));
    stream(d, runId, status(RunStatus.QUEUED, 0, null));
    d.then(() -> call.replyTo().tell(StatusReply.success(new Accepted(runId, false))));
  }

  private void onOutcome(Decision d, AttemptOutcome o) {
    Optional<RunRecord> current = d.state.activeRun(o.runId())
        .filter(r -> r.epoch() == o.epoch() && r.isExecuting());
    if (current.isEmpty()) {
      ctx.getLog().info("run {}: ignored outcome {} of superseded attempt (epoch {})",
          o.runId(), o.outcome(), o.epoch());
      return;
    }
    RunRecord r = current.get();
    switch (o.outcome()) {
      case SUCCEEDED -> finish(d, r, RunStatus.SUCCEEDED, o.result(), null);
      case FAILED -> finish(d, r, RunStatus.FAILED, null, o.error());
      case TIMED_OUT -> finish(d, r, RunStatus.TIMED_OUT, null, o.error());
      case RETRY -> {
        d.persist(new WorkerEvent.AttemptFailed(r.runId(), r.attempts(), o.error(), d.now));
        stream(d, r.runId(), status(RunStatus.RETRYING, r.attempts(), o.error()));
      }
    }
  }

  private void onNextAttempt(Decision d, RequestNextAttempt req) {
    Optional<RunRecord> current = d.state.activeRun(req.runId())
        .filter(r -> r.epoch() == req.epoch() && r.status() == RunStatus.RETRYING);
    if (current.isEmpty()) {
      ctx.getLog().info("run {}: no next attempt after superseded epoch {}", req.runId(), req.epoch());
      return;
    }
    RunRecord r = current.get();
    RunActor.Granted grant = startAttempt(d, r);
    d.then(() -> req.replyTo().tell(grant));
  }

  private void onCheckpoint(Decision d, SaveCheckpoint s) {
    boolean current = d.state.activeRun(s.runId())
        .filter(r -> r.epoch() == s.epoch() && r.isExecuting()).isPresent();
    if (!current) {
      d.then(() -> s.replyTo().tell(Failures.reply(Failures.Code.RUN_FINISHED,
          "checkpoint refused: attempt (epoch " + s.epoch() + ") of run " + s.runId()
              + " is superseded")));
      return;
    }
    d.persist(new WorkerEvent.Checkpointed(s.runId(), s.epoch(), s.data(), d.now));
    d.then(() -> s.replyTo().tell(StatusReply.success(Done.getInstance())));
  }

  private void onEmit(Decision d, Emit e) {
    RunSession session = sessions.get(e.runId());
    boolean current = session != null && d.state.activeRun(e.runId())
        .filter(r -> r.epoch() == e.epoch() && r.isExecuting()).isPresent();
    if (!current) {
      ctx.getLog().info("run {}: ignored a {} event from superseded attempt (epoch {})",
          e.runId(), e.type(), e.epoch());
      if (session != null) {
        d.then(session::refused);
      }
      return;
    }
    RunEvent event = written(d, e.runId(), e.type(), e.data(), e.at());
    d.then(() -> session.deliver(event, true));
  }

  private void onCancel(Decision d, Cancel cancel) {
    Optional<RunRecord> active = d.state.activeRun(cancel.runId());
    if (active.isPresent()) {
      finish(d, active.get(), RunStatus.CANCELLED, null,
          new RunError(ErrorCode.CANCELLED, "cancelled by request"));
      d.then(() -> cancel.replyTo().tell(StatusReply.success(Done.getInstance())));
      return;
    }
    Optional<RunRecord> done = d.state.run(cancel.runId());
    d.then(() -> cancel.replyTo().tell(done.isPresent()
        ? Failures.reply(Failures.Code.RUN_FINISHED, "run " + cancel.runId()
            + " has already finished with status " + done.get().status())
        : unknownRun(cancel.runId())));
  }

  private void onChildStopped(Decision d, ChildStopped cs) {
    if (!cs.child().equals(children.get(cs.runId()))) {
      return; // a child this incarnation did not start, or one it already let go
    }
    children.remove(cs.runId());
    d.state.activeRun(cs.runId()).filter(RunRecord::isExecuting).ifPresent(r ->
        finish(d, r, RunStatus.FAILED, null, new RunError(ErrorCode.TRANSIENT_ERROR,
            "attempt " + r.attempts() + " stopped without an outcome (see the node's log)")));
  }

  /** Records the run's end; once written, ends its stream and lets its actor and slot go. */
  private void finish(Decision d, RunRecord r, RunStatus status, JsonNode result, RunError error) {
    RunResult finished = r.finished(status, result, error, d.now).toResult(worker);
    long terminalSeq = 0;
    if (durable()) {
      // written whether or not a session of the run lives here: replays end with it; its data
      // (the finished run) is made only for a subscriber (RunSession.finish)
      terminalSeq = writtenSeq(d, r.runId(), error == null ? RunEvent.RESULT : RunEvent.ERROR,
          null, d.now);
    } else if (sessions.containsKey(r.runId())) {
      reserve(d, sessions.get(r.runId()));
    }
    d.persist(new WorkerEvent.RunFinished(r.runId(), status, result, error, d.now));
    long endSeq = terminalSeq;
    d.then(() -> {
      runtime.metrics.runFinished(worker, status, finished.durationMs());
      RunSession session = sessions.remove(r.runId());
      if (session != null) {
        if (status == RunStatus.CANCELLED) {
          session.cancelAttempt("cancelled");
        }
        session.finish(endSeq, endSeq != 0 ? d.now : NodeRuntime.now(), finished);
        finishedSessions.put(r.runId(), session);
      }
      stopChild(r.runId());
      if (slotHolders.remove(r.runId())) {
        runtime.slots.release(1);
      }
    });
  }

  // starting runs

  /** After each batch: re-queue runs whose attempt was lost, then start queued runs. */
  private void dispatch(Decision d) {
    Registration reg = runtime.registry.get(worker);
    if (reg == null) {
      return; // runs wait until the worker is registered on this node
    }
    if (!resumed) {
      resumeInterrupted(d, reg);
      resumed = true;
    }
    if (draining) {
      return;
    }
    int max = reg.definition().config().maxConcurrent();
    while (d.state.queuedCount() > 0 && d.state.executingCount() < max) {
      if (!runtime.slots.tryAcquire()) {
        d.then(() -> runtime.slots.await(front));
        return;
      }
      RunRecord r = d.state.activeRun(d.state.nextQueued().orElseThrow()).orElseThrow();
      slotHolders.add(r.runId());
      RunActor.Granted grant = startAttempt(d, r);
      RunSession session = sessions.get(r.runId());
      d.then(() -> spawn(reg, r, grant, session));
    }
  }

  private RunActor.Granted startAttempt(Decision d, RunRecord r) {
    long epoch = d.state.nextEpoch();
    int attempt = r.attempts() + 1;
    d.persist(new WorkerEvent.AttemptStarted(r.runId(), attempt, epoch, d.now));
    d.then(() -> runtime.metrics.attemptStarted(worker));
    stream(d, r.runId(), status(RunStatus.RUNNING, attempt, null));
    return new RunActor.Granted(attempt, epoch, r.checkpoint());
  }

  /** Runs that were executing when the entity last stopped: their attempt is lost. */
  private void resumeInterrupted(Decision d, Registration reg) {
    for (RunRecord r : d.state.activeRuns()) {
      if (r.isExecuting() && !children.containsKey(r.runId())) {
        requeue(d, r, reg, "was lost with its node");
      }
    }
  }

  /**
   * Ends the run's attempt without an outcome and queues the run again first in line, while
   * attempts remain and {@code resume-interrupted-runs} is on; else it fails. Once written, the
   * attempt (if it still runs here) is cancelled and its actor and slot let go.
   */
  private void requeue(Decision d, RunRecord r, Registration reg, String why) {
    if (!runtime.settings.resumeInterruptedRuns()
        || r.attempts() >= reg.definition().config().retry().maxAttempts()) {
      d.then(() -> Optional.ofNullable(sessions.get(r.runId())).ifPresent(s -> s.cancelAttempt(why)));
      finish(d, r, RunStatus.FAILED, null, new RunError(ErrorCode.TRANSIENT_ERROR,
          "interrupted: attempt " + r.attempts() + " " + why + " and no attempt is left"));
      return;
    }
    ctx.getLog().info("run {}: attempt {} {}; queued again", r.runId(), r.attempts(), why);
    d.persist(new WorkerEvent.RunInterrupted(r.runId(), d.now));
    d.then(() -> {
      RunSession session = sessions.get(r.runId());
      if (session != null) {
        session.cancelAttempt(why);
      }
      stopChild(r.runId());
      if (slotHolders.remove(r.runId())) {
        runtime.slots.release(1);
      }
    });
  }

  /**
   * Stops the run's actor, if one runs here, without a {@link ChildStopped} to follow: the entity
   * stopped it on purpose (unwatch drops one already queued).
   */
  private void stopChild(String runId) {
    ActorRef<RunActor.Command> child = children.remove(runId);
    if (child != null) {
      ctx.unwatch(child);
      ctx.stop(child);
    }
  }

  private void spawn(Registration reg, RunRecord r, RunActor.Granted grant, RunSession session) {
    RetryPolicy p = reg.definition().config().retry();
    RunActor.Init init = new RunActor.Init(runtime, session, reg, front,
        r.payload(), r.timeoutMs(), new AtomicReference<>(grant));
    Behavior<RunActor.Command> supervised = Behaviors.supervise(RunActor.create(init))
        .onFailure(RunActor.RetryAttempt.class,
            SupervisorStrategy.restartWithBackoff(p.initialBackoff(), p.maxBackoff(), p.jitter())
                // the backoff must keep growing even when an attempt ran a long time
                .withResetBackoffAfter(Duration.ofDays(1))
                .withMaxRestarts(p.maxAttempts())
                .withLoggingEnabled(false));
    ActorRef<RunActor.Command> child = ctx.spawn(supervised, "run-" + r.runId() + "-" + grant.epoch());
    ctx.watchWith(child, new ChildStopped(r.runId(), child));
    children.put(r.runId(), child);
  }

  // streams and waiters

  /** Whether this definition's runs have durable streams (the default when not registered here). */
  private boolean durable() {
    Registration reg = runtime.registry.get(worker);
    return (reg == null ? WorkerConfig.DEFAULT : reg.definition().config()).durableStream();
  }

  /**
   * The session of an active run on this node, made when first needed: it goes on after the
   * highest sequence number its stream used before ({@code streamSeq} of the run as decided so
   * far). Made while deciding a batch, so that a reservation can be written with it; if the write
   * fails, the entity restarts and lets every session go.
   */
  private RunSession session(Decision d, String runId) {
    RunSession s = sessions.get(runId);
    if (s == null) {
      long base = d.state.run(runId).map(RunRecord::streamSeq).orElse(0L);
      s = new RunSession(runId, runtime, front, durable(), base);
      sessions.put(runId, s);
      runtime.sessions.put(runId, s);
    }
    return s;
  }

  /**
   * Adds a status event to the run's stream: for a durable stream, written in this batch and
   * delivered once written; else numbered by the session once the batch (with the session's
   * reservation, if it had none yet) is written.
   */
  private void stream(Decision d, String runId, ObjectNode data) {
    RunSession session = session(d, runId);
    if (session.durable()) {
      RunEvent e = written(d, runId, RunEvent.STATUS, data, d.now);
      d.then(() -> session.deliver(e, false));
    } else {
      reserve(d, session);
      d.then(() -> session.publishStatus(data));
    }
  }

  /** Writes the run's next durable stream event; returns it as subscribers get it. */
  private RunEvent written(Decision d, String runId, String type, JsonNode data, Instant at) {
    return new RunEvent(writtenSeq(d, runId, type, data, at), type, data, at);
  }

  /**
   * Writes the run's next durable stream event; returns its sequence number. The terminal event
   * is written without data: its data is the finished run.
   */
  private long writtenSeq(Decision d, String runId, String type, JsonNode data, Instant at) {
    long seq = d.state.activeRun(runId).orElseThrow().streamSeq() + 1;
    d.persist(new WorkerEvent.RunStreamed(runId, seq, type, data, at));
    return seq;
  }

  /** Before a non-durable session issues its first number: its range, in the same batch. */
  private void reserve(Decision d, RunSession session) {
    if (!session.reserved) {
      d.persist(new WorkerEvent.StreamReserved(session.runId(),
          session.base() + RunSession.VOLATILE_RESERVE, d.now));
      session.reserved = true;
    }
  }

  private void onSubscribe(Subscribe s, Optional<RunRecord> record, RunSession session) {
    Source<RunEvent, ?> source;
    if (session != null) {
      source = session.subscribe(s.afterSeq());
    } else if (record.isPresent()) {
      source = fromStorage(record.get(), s.afterSeq());
    } else {
      s.replyTo().tell(unknownRun(s.runId()));
      return;
    }
    s.replyTo().tell(StatusReply.success(source.runWith(StreamRefs.sourceRef(), runtime.materializer)));
  }

  /**
   * The stream of a finished run whose session is gone. A durable one is in the run history: a
   * stored gap notice sends the subscriber there, and the outcome (sequence number 0) follows for
   * a subscriber that cannot read the history. Else only the outcome is left.
   */
  private Source<RunEvent, ?> fromStorage(RunRecord r, long afterSeq) {
    if (!durable() || r.streamSeq() == 0) {
      return Source.from(outcomeOnly(r));
    }
    if (afterSeq >= r.streamSeq()) {
      return Source.empty();
    }
    return Source.from(List.of(
        RunSession.gapNotice(runtime.mapper, afterSeq + 1, r.streamSeq(), true),
        outcomeOnly(r).get(1)));
  }

  /** The stream of a finished run whose events are no longer kept: a gap notice and its outcome. */
  private List<RunEvent> outcomeOnly(RunRecord r) {
    RunResult run = r.toResult(worker);
    ObjectNode gap = runtime.mapper.createObjectNode();
    gap.put("gap", true).put("message", "the run's events are no longer kept; only its outcome is");
    return List.of(new RunEvent(0, RunEvent.STATUS, gap, NodeRuntime.now()),
        new RunEvent(0, run.error() == null ? RunEvent.RESULT : RunEvent.ERROR,
            runtime.mapper.valueToTree(run), NodeRuntime.now()));
  }

  private void onAwait(AwaitResult a, Optional<RunRecord> record, RunSession session) {
    if (record.isEmpty()) {
      a.replyTo().tell(unknownRun(a.runId()));
    } else if (session == null || !session.awaitResult(a.replyTo())) {
      a.replyTo().tell(StatusReply.success(record.get().toResult(worker)));
    }
  }

  private void answerDrainWaiters(WorkerState s) {
    if (!drainWaiters.isEmpty() && s.executingCount() == 0) {
      drainWaiters.forEach(w -> w.tell(Done.getInstance()));
      drainWaiters.clear();
    }
  }

  /**
   * The entity stops or restarts (this object survives a restart): its children stop with it, so
   * do their attempts; after the restart's recovery, executing runs are resumed again.
   */
  private void letGo(String reason) {
    for (RunSession s : sessions.values()) {
      s.cancelAttempt(reason);
      s.abandon("run stream ended: " + reason);
      runtime.sessions.remove(s.runId());
    }
    finishedSessions.keySet().forEach(runtime.sessions::remove);
    sessions.clear();
    finishedSessions.clear();
    children.clear();
    runtime.slots.release(slotHolders.size());
    slotHolders.clear();
    resumed = false;
  }

  private <T> StatusReply<T> unknownRun(String runId) {
    return Failures.reply(Failures.Code.UNKNOWN_RUN, "run " + runId + " is not among the active"
        + " runs or the last " + runtime.settings.limits().retainedFinished()
        + " finished runs of worker '" + worker + "'");
  }

  private ObjectNode status(RunStatus s, int attempt, RunError error) {
    ObjectNode n = runtime.mapper.createObjectNode().put("status", s.name()).put("attempt", attempt);
    if (error != null) {
      ObjectNode e = n.putObject("error").put("code", error.code().name())
          .put("message", error.message());
      if (error.label() != null) {
        e.put("label", error.label());
      }
    }
    return n;
  }
}
