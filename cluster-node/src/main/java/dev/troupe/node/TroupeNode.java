package dev.troupe.node;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.typesafe.config.Config;
import dev.troupe.api.BlockingWorker;
import dev.troupe.api.CallOptions;
import dev.troupe.api.DuplicateWorkerException;
import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.RunPage;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunResult;
import dev.troupe.api.Troupe;
import dev.troupe.api.TroupeException;
import dev.troupe.api.UnknownRunException;
import dev.troupe.api.UnknownWorkerException;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerDefinition;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerNames;
import dev.troupe.api.WorkerStats;
import dev.troupe.persistence.DatabaseSettings;
import dev.troupe.persistence.RunHistoryStore;
import dev.troupe.persistence.history.JdbcRunHistoryStore;
import dev.troupe.persistence.RunIds;
import dev.troupe.persistence.SchemaMigrator;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.Set;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.Executor;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityRef;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.japi.Pair;
import org.apache.pekko.pattern.Patterns;
import org.apache.pekko.pattern.StatusReply;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Troupe} of one node. {@link #start()} makes a node with its own actor system;
 * {@link #start(ActorSystem)} runs Troupe inside an application's actor system, which must be
 * created with {@link TroupeConfig#withDefaults}.
 */
public final class TroupeNode implements Troupe {
  private static final Logger log = LoggerFactory.getLogger(TroupeNode.class);

  private final NodeRuntime runtime;
  private final ClusterSharding sharding;
  private final AtomicInteger roundRobin = new AtomicInteger();
  /** The roles whose entity types this node has started sharding for ("" for none). */
  private final Set<String> roles = ConcurrentHashMap.newKeySet();
  private volatile boolean started;
  /** The run history's table; null when {@code troupe.history.enabled = off}. */
  private final RunHistoryStore history;
  /** Where the history's JDBC calls run. */
  private final Executor historyExecutor;
  private final ClusterView clusterView;

  private TroupeNode(NodeRuntime runtime, RunHistoryStore history) {
    this.runtime = runtime;
    this.sharding = ClusterSharding.get(runtime.system);
    this.history = history;
    this.historyExecutor = runtime.system.dispatchers()
        .lookup(DispatcherSelector.fromConfig(HistorySettings.DISPATCHER));
    this.clusterView = new ClusterView(runtime.system, () -> roles.stream()
            .<EntityTypeKey<?>>map(r -> WorkerEntity.keyFor(r.isEmpty() ? null : r)).toList(),
        runtime.cluster.viewTimeout());
  }

  /** Starts a node in a new actor system named "troupe", configured by {@link TroupeConfig#load()}. */
  public static TroupeNode start() {
    ActorSystem<Void> system = ActorSystem.create(
        org.apache.pekko.actor.typed.javadsl.Behaviors.empty(), "troupe", TroupeConfig.load());
    try {
      return start(system);
    } catch (RuntimeException e) {
      system.terminate();
      throw e;
    }
  }

  /**
   * Starts Troupe in {@code system}: migrates the schema (blocking, on the caller's thread),
   * installs the {@link WorkerModule}s found by ServiceLoader, joins the cluster (itself, when no
   * seed nodes are configured and cluster bootstrap is off), starts sharding of worker entities,
   * and hooks the drain into CoordinatedShutdown.
   *
   * @throws IllegalStateException when the system was not configured by {@link TroupeConfig}
   */
  public static TroupeNode start(ActorSystem<?> system) {
    Config config = system.settings().config();
    if (!"cluster".equals(config.getString("pekko.actor.provider"))
        || !"jdbc-journal".equals(config.getString("pekko.persistence.journal.plugin"))) {
      throw new IllegalStateException("the actor system must be created with"
          + " TroupeConfig.withDefaults(config): it needs pekko.actor.provider = cluster and the"
          + " jdbc-journal");
    }
    DatabaseSettings db = DatabaseSettings.fromConfig(config);
    var migration = SchemaMigrator.migrate(db);
    NodeRuntime runtime = new NodeRuntime(system);
    HistorySettings historySettings = HistorySettings.fromConfig(config);
    TroupeNode node = new TroupeNode(runtime, openHistory(system, db, historySettings));
    if (runtime.settings.discoverModules()) {
      ServiceLoader.load(WorkerModule.class).forEach(m -> m.install(node));
    }
    Cluster cluster = Cluster.get(system);
    if (runtime.settings.selfJoin() && config.getStringList("pekko.cluster.seed-nodes").isEmpty()
        && !runtime.cluster.bootstrap()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
    node.started = true;
    // the region of role-less definitions always, so that this node takes its share of them early
    node.initRole(null);
    runtime.registry.values().forEach(r -> node.initRole(r.definition().config().role()));
    if (node.history != null) {
      RunHistoryProjection.init(system, node.history, historySettings, node.historyExecutor);
    }
    runtime.registry.keySet().forEach(node::wake);
    node.hookShutdown();
    Duration phase = config.getDuration("pekko.coordinated-shutdown.phases.service-requests-done.timeout");
    if (phase.compareTo(runtime.settings.drainTimeout().plus(runtime.settings.askTimeout())) < 0) {
      log.warn("troupe.shutdown.drain-timeout ({}) plus troupe.ask-timeout ({}) exceed the"
              + " service-requests-done phase timeout ({}): raise"
              + " pekko.coordinated-shutdown.phases.service-requests-done.timeout",
          runtime.settings.drainTimeout(), runtime.settings.askTimeout(), phase);
    }
    log.info("Troupe node {} started: journal {} ({} schema migrations applied), workers {},"
            + " drain timeout {}", cluster.selfMember().address(), redact(db.url()),
        migration.migrationsExecuted, runtime.registry.keySet().stream().sorted().toList(),
        runtime.settings.drainTimeout());
    return node;
  }

  /**
   * The run history's store with its own small pool, closed when the actor system stops (in
   * CoordinatedShutdown's last phase, or at termination when that does not run); null when off.
   */
  private static RunHistoryStore openHistory(ActorSystem<?> system, DatabaseSettings db,
      HistorySettings settings) {
    if (!settings.enabled()) {
      return null;
    }
    RunHistoryStore store = JdbcRunHistoryStore.open(db, settings.poolSize());
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "troupe-close-run-history", () -> {
          store.close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    system.getWhenTerminated().thenRun(store::close);
    return store;
  }

  private static String redact(String url) {
    return url.replaceAll("(?i)password=[^;&]*", "password=***");
  }

  // registration

  @Override
  public void register(String name, WorkerConfig config, Worker worker) {
    add(name, config, Objects.requireNonNull(worker, "worker"), null);
  }

  @Override
  public void registerBlocking(String name, WorkerConfig config, BlockingWorker worker) {
    add(name, config, null, Objects.requireNonNull(worker, "worker"));
  }

  private void add(String name, WorkerConfig config, Worker async, BlockingWorker blocking) {
    WorkerNames.validate(name);
    WorkerConfig cfg = config == null ? WorkerConfig.DEFAULT : config;
    Registration reg = new Registration(new WorkerDefinition(name, cfg), async, blocking);
    if (runtime.registry.putIfAbsent(name, reg) != null) {
      throw new DuplicateWorkerException("worker '" + name + "' is already registered");
    }
    if (started) {
      initRole(cfg.role());
      wake(name);
    }
  }

  /** Starts sharding of the entity type of {@code role} once (WorkerEntity.init is idempotent). */
  private void initRole(String role) {
    if (roles.add(role == null ? "" : role)) {
      WorkerEntity.init(runtime, role);
    }
  }

  /** Starts the definition's entities, so that their queued and interrupted runs go on. */
  private void wake(String name) {
    int partitions = runtime.registry.get(name).definition().config().partitions();
    for (int p = 0; p < partitions; p++) {
      // no check that the role is up (the node may not be a member yet): the region buffers it
      sharding.entityRefFor(WorkerEntity.keyFor(runtime.registry.get(name).definition().config()
          .role()), RunIds.entityId(name, p)).tell(WorkerEntity.SlotsFreed.INSTANCE);
    }
  }

  // calls

  @Override
  public CompletionStage<RunHandle> call(String worker, JsonNode payload, CallOptions options) {
    WorkerNames.validate(worker);
    Registration reg = runtime.registry.get(worker);
    if (reg == null) {
      throw new UnknownWorkerException("worker '" + worker + "' is not registered on this node;"
          + " registered: " + runtime.registry.keySet().stream().sorted().toList());
    }
    validatePayload(payload);
    if (runtime.shuttingDown) {
      throw new RunRejectedException(RunRejectedException.Reason.SHUTTING_DOWN,
          "the node is shutting down and accepts no new runs");
    }
    CallOptions opts = options == null ? CallOptions.NONE : options;
    WorkerConfig cfg = reg.definition().config();
    Duration timeout = opts.timeout() != null ? opts.timeout() : cfg.timeout();
    int partition = cfg.partitions() == 1 ? 0 : opts.idempotencyKey() != null
        ? Math.floorMod(opts.idempotencyKey().hashCode(), cfg.partitions())
        : Math.floorMod(roundRobin.getAndIncrement(), cfg.partitions());
    // the entity refuses the call unrecorded past this, leaving the write up to a second
    long askMs = runtime.settings.askTimeout().toMillis();
    long giveUpAt = System.currentTimeMillis() + askMs - Math.min(askMs / 4, 1000);
    return this.<WorkerEntity.Accepted>ask(RunIds.entityId(worker, partition),
            r -> new WorkerEntity.Call(payload, timeout.toMillis(), opts.idempotencyKey(),
                opts.tags(), giveUpAt, r), runtime.settings.askTimeout())
        .thenApply(a -> new RunHandleImpl(this, a.runId(), worker, a.existing()));
  }

  private void validatePayload(JsonNode payload) {
    if (payload == null || payload.isMissingNode()) {
      throw new InvalidArgumentException("payload must not be null: send an empty object {} for none");
    }
    try {
      int size = runtime.mapper.writeValueAsBytes(payload).length;
      if (size > runtime.settings.maxPayloadBytes()) {
        throw new InvalidArgumentException("payload is " + size + " bytes, over the limit of "
            + runtime.settings.maxPayloadBytes() + " (troupe.call.max-payload-bytes)");
      }
    } catch (JsonProcessingException e) {
      throw new InvalidArgumentException("payload cannot be written as JSON: " + e.getOriginalMessage());
    }
  }

  @Override
  public RunHandle attach(String runId) {
    return new RunHandleImpl(this, runId, RunIds.workerOf(RunIds.entityOf(runId)), true);
  }

  @Override
  public CompletionStage<Done> cancel(String runId) {
    return withEntityOf(runId, e -> ask(e, r -> new WorkerEntity.Cancel(runId, r),
        runtime.settings.askTimeout()));
  }

  @Override
  public CompletionStage<Optional<RunResult>> lookup(String runId) {
    return withEntityOf(runId, e -> this.<RunResult>ask(e, r -> new WorkerEntity.GetRun(runId, r),
            runtime.settings.askTimeout())
        .thenApply(Optional::of)
        .exceptionallyCompose(t -> Failures.toException(t) instanceof UnknownRunException
            ? lookupInHistory(runId)
            : CompletableFuture.failedFuture(Failures.toException(t))));
  }

  /** A run its entity no longer keeps (older than its retained finished runs), from the history. */
  private CompletionStage<Optional<RunResult>> lookupInHistory(String runId) {
    return history == null
        ? CompletableFuture.completedFuture(Optional.empty())
        : fromHistory(() -> history.find(runId));
  }

  /**
   * The run's events after {@code afterSeq}: from its session, wherever its entity lives, and
   * what that no longer holds of a durable stream from the run history ({@code
   * troupe_run_events}); a run its entity no longer knows at all, from the history alone. Ends
   * after the terminal event. Each materialization is a new subscription.
   */
  Source<RunEvent, NotUsed> stream(String runId, long afterSeq) {
    Source<RunEvent, NotUsed> live = live(runId, afterSeq);
    if (history != null) {
      live = live
          .flatMapConcat(e -> isStoredGap(e)
              ? fromHistory(runId, e.data().get("gap").get("from").asLong() - 1, e.seq(), true)
              : Source.single(e))
          .recoverWithRetries(1, UnknownRunException.class,
              () -> fromHistory(runId, afterSeq, Long.MAX_VALUE, false)
                  .orElse(outcomeFromHistory(runId)));
    }
    return live.takeWhile(e -> !e.isTerminal(), true);
  }

  /** The run's session's events after {@code afterSeq}: local, or through a SourceRef. */
  private Source<RunEvent, NotUsed> live(String runId, long afterSeq) {
    RunSession local = runtime.sessions.get(runId);
    if (local != null) {
      return local.subscribe(afterSeq);
    }
    CompletionStage<Source<RunEvent, NotUsed>> source = withEntityOf(runId, e ->
        this.<org.apache.pekko.stream.SourceRef<RunEvent>>ask(e,
                r -> new WorkerEntity.Subscribe(runId, afterSeq, r), runtime.settings.askTimeout())
            .thenApply(ref -> ref.getSource()));
    return Source.completionStageSource(source).mapMaterializedValue(m -> NotUsed.getInstance());
  }

  /** A session's notice of events it does not hold that the run history keeps. */
  private static boolean isStoredGap(RunEvent e) {
    return e.seq() > 0 && RunEvent.STATUS.equals(e.type()) && e.data() != null
        && e.data().path("stored").asBoolean(false) && e.data().path("gap").isObject();
  }

  /**
   * Events {@code (afterSeq, toSeq]} of a durable stream from the run history, page by page (on
   * the history's dispatcher). What is missing in front of a page is waited for up to {@code
   * storage-wait} when {@code waitForLag} (the projection follows the journal by about half a
   * second) and then reported as a gap notice, as is a hole between stored events (a part of the
   * stream that was not durable). Ends at {@code toSeq}, or at the last stored event.
   */
  private Source<RunEvent, NotUsed> fromHistory(String runId, long afterSeq, long toSeq,
      boolean waitForLag) {
    long deadline = System.nanoTime() + runtime.settings.storageWait().toNanos();
    return Source.unfoldAsync(afterSeq, after -> after >= toSeq
            ? CompletableFuture.completedFuture(Optional.empty())
            : storedPage(runId, after, toSeq, waitForLag, deadline).thenApply(page -> page.isEmpty()
                ? Optional.empty()
                : Optional.of(Pair.create(page.get(page.size() - 1).seq(), page))))
        .mapConcat(page -> page);
  }

  private CompletionStage<List<RunEvent>> storedPage(String runId, long after, long toSeq,
      boolean waitForLag, long deadline) {
    return fromHistory(() -> readStored(runId, after, toSeq)).thenCompose(page -> {
      boolean missingInFront = page.isEmpty() ? toSeq != Long.MAX_VALUE
          : page.get(0).seq() > after + 1;
      if (!missingInFront) {
        return CompletableFuture.completedFuture(withGaps(page, after));
      }
      if (waitForLag && System.nanoTime() < deadline) {
        return Patterns.after(STORAGE_POLL, runtime.system.classicSystem().scheduler(),
            runtime.system.executionContext(),
            () -> storedPage(runId, after, toSeq, true, deadline));
      }
      long to = page.isEmpty() ? toSeq : page.get(0).seq() - 1;
      List<RunEvent> out = new ArrayList<>();
      out.add(RunSession.gapNotice(runtime.mapper, after + 1, to, false));
      out.addAll(withGaps(page, to));
      return CompletableFuture.completedFuture(out);
    });
  }

  private static final Duration STORAGE_POLL = Duration.ofMillis(200);

  /** A page of stored events, the terminal one with its data (the finished run). Blocking. */
  private List<RunEvent> readStored(String runId, long after, long toSeq) {
    List<RunEvent> page = history.events(runId, after, toSeq, runtime.settings.storagePage());
    List<RunEvent> out = new ArrayList<>(page.size());
    for (RunEvent e : page) {
      if (e.isTerminal() && e.data() == null) {
        RunResult run = history.find(runId).orElseThrow(() -> new IllegalStateException(
            "troupe_run_events holds the end of run " + runId + " but troupe_runs not the run"));
        e = new RunEvent(e.seq(), e.type(), runtime.mapper.valueToTree(run), e.at());
      }
      out.add(e);
    }
    return out;
  }

  /** {@code page} with a gap notice in each hole of its sequence numbers after {@code after}. */
  private List<RunEvent> withGaps(List<RunEvent> page, long after) {
    List<RunEvent> out = new ArrayList<>(page.size());
    long expected = after + 1;
    for (RunEvent e : page) {
      if (e.seq() > expected) {
        out.add(RunSession.gapNotice(runtime.mapper, expected, e.seq() - 1, false));
      }
      out.add(e);
      expected = e.seq() + 1;
    }
    return out;
  }

  /** A run the history knows but whose stream it does not keep: a gap notice and its outcome. */
  private Source<RunEvent, NotUsed> outcomeFromHistory(String runId) {
    return Source.completionStage(fromHistory(() -> history.find(runId)))
        .mapConcat(found -> {
          RunResult run = found.orElseThrow(() -> new UnknownRunException("run " + runId
              + " is not known to its entity nor to the run history"));
          ObjectNode gap = runtime.mapper.createObjectNode();
          gap.put("gap", true).put("message", "the run's events are not kept; only its outcome is");
          return List.of(new RunEvent(0, RunEvent.STATUS, gap, NodeRuntime.now()),
              new RunEvent(0, run.error() == null ? RunEvent.RESULT : RunEvent.ERROR,
                  runtime.mapper.valueToTree(run), NodeRuntime.now()));
        });
  }

  /** Subscribers attached to the live stream of {@code runId} on this node (0 when none here). */
  int streamSubscribers(String runId) {
    RunSession local = runtime.sessions.get(runId);
    return local == null ? 0 : local.subscriberCount();
  }

  CompletionStage<RunResult> awaitResult(String runId) {
    return withEntityOf(runId, e -> ask(e, r -> new WorkerEntity.AwaitResult(runId, r),
        runtime.settings.resultTimeout()));
  }

  // reading

  /**
   * A page of the run history ({@code troupe_runs}), which follows the journal shortly behind:
   * a run shows there, or shows its new status, a moment after it changed.
   */
  @Override
  public CompletionStage<RunPage> runs(RunQuery query) {
    Objects.requireNonNull(query, "query");
    if (history == null) {
      return CompletableFuture.failedFuture(new RunRejectedException(
          RunRejectedException.Reason.UNAVAILABLE,
          "the run history is off on this node (troupe.history.enabled = off)"));
    }
    return fromHistory(() -> history.page(query));
  }

  /**
   * A blocking read of the history, on its dispatcher; the stage completes on the callback
   * dispatcher. A database failure becomes {@link RunRejectedException} UNAVAILABLE; an invalid
   * query (a malformed cursor) stays {@link InvalidArgumentException}.
   */
  private <T> CompletionStage<T> fromHistory(Supplier<T> read) {
    CompletableFuture<T> out = new CompletableFuture<>();
    try {
      CompletableFuture.supplyAsync(read, historyExecutor).whenCompleteAsync((value, failure) -> {
        if (failure == null) {
          out.complete(value);
        } else {
          out.completeExceptionally(historyFailure(failure));
        }
      }, runtime.callbackExecutor);
    } catch (RuntimeException e) { // the dispatcher refused: the system is stopping
      out.completeExceptionally(historyFailure(e));
    }
    return out;
  }

  private static Throwable historyFailure(Throwable t) {
    Throwable e = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (e instanceof TroupeException) {
      return e;
    }
    log.warn("reading the run history failed", e);
    return new RunRejectedException(RunRejectedException.Reason.UNAVAILABLE,
        "the run history cannot be read now: " + e.getMessage());
  }

  @Override
  public List<WorkerDefinition> workers() {
    return runtime.registry.values().stream().map(Registration::definition)
        .sorted(Comparator.comparing(WorkerDefinition::name)).toList();
  }

  @Override
  public CompletionStage<List<RunResult>> active() {
    List<CompletableFuture<List<RunResult>>> all = new ArrayList<>();
    for (String name : runtime.registry.keySet()) {
      all.add(active(name).toCompletableFuture());
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(v ->
        all.stream().flatMap(f -> f.join().stream())
            .sorted(Comparator.comparing(RunResult::runId)).toList());
  }

  @Override
  public CompletionStage<List<RunResult>> active(String worker) {
    List<CompletableFuture<WorkerEntity.ActiveRuns>> parts = new ArrayList<>();
    for (String entityId : entityIds(worker)) {
      parts.add(askEntity(entityId, e -> e.<WorkerEntity.ActiveRuns>ask(WorkerEntity.GetActive::new,
          runtime.settings.askTimeout())));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v ->
            parts.stream().flatMap(f -> f.join().runs().stream())
                .sorted(Comparator.comparing(RunResult::runId)).toList())
        .exceptionallyCompose(t -> CompletableFuture.failedFuture(Failures.toException(t)));
  }

  @Override
  public CompletionStage<WorkerStats> stats(String worker) {
    List<CompletableFuture<WorkerStats>> parts = new ArrayList<>();
    for (String entityId : entityIds(worker)) {
      parts.add(askEntity(entityId, e -> e.<WorkerStats>ask(WorkerEntity.GetStats::new,
          runtime.settings.askTimeout())));
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v ->
            parts.stream().map(CompletableFuture::join).reduce(WorkerStats::plus).orElseThrow())
        .exceptionallyCompose(t -> CompletableFuture.failedFuture(Failures.toException(t)));
  }

  private List<String> entityIds(String worker) {
    WorkerNames.validate(worker);
    Registration reg = runtime.registry.get(worker);
    if (reg == null) {
      throw new UnknownWorkerException("worker '" + worker + "' is not registered on this node");
    }
    List<String> ids = new ArrayList<>();
    for (int p = 0; p < reg.definition().config().partitions(); p++) {
      ids.add(RunIds.entityId(worker, p));
    }
    return ids;
  }

  /**
   * The cluster as this node sees it, with the worker entities each member hosts, for the HTTP
   * front end's {@code /api/v1/cluster}.
   */
  public ClusterView clusterView() {
    return clusterView;
  }

  /** This node's metrics, for the HTTP front end's {@code /metrics}. */
  public TroupeMetrics metrics() {
    return runtime.metrics;
  }

  @Override
  public ActorSystem<?> system() {
    return runtime.system;
  }

  @Override
  public CompletionStage<Done> shutdown() {
    return CoordinatedShutdown.get(runtime.system).runAll(CoordinatedShutdown.unknownReason());
  }

  // shutdown

  private void hookShutdown() {
    CoordinatedShutdown cs = CoordinatedShutdown.get(runtime.system);
    cs.addTask(CoordinatedShutdown.PhaseServiceUnbind(), "troupe-stop-accepting", () -> {
      runtime.shuttingDown = true;
      return CompletableFuture.completedFuture(Done.getInstance());
    });
    cs.addTask(CoordinatedShutdown.PhaseServiceRequestsDone(), "troupe-drain", this::drain);
  }

  /** What becomes of runs still executing after the drain: {@code troupe.shutdown.after-drain}. */
  private WorkerEntity.Command afterDrain(Duration drainTimeout, ActorRef<Done> replyTo) {
    String reason = "the node shut down before the run finished (drain timeout " + drainTimeout + ")";
    return runtime.settings.requeueAfterDrain()
        ? new WorkerEntity.RequeueExecuting("was stopped: " + reason, replyTo)
        : new WorkerEntity.CancelExecuting(reason, replyTo);
  }

  /**
   * Lets the runs executing on this node finish up to the drain timeout, then queues them again
   * (they go on on another node, or at the next start) or cancels them, per {@code
   * troupe.shutdown.after-drain}. A node that was downed does neither: the survivors already own
   * its entities and re-dispatch its runs, so anything it wrote now (an outcome, a cancel) would
   * race with their new owner.
   */
  private CompletionStage<Done> drain() {
    if (CoordinatedShutdown.get(runtime.system).getShutdownReason()
        .filter(CoordinatedShutdown.clusterDowningReason()::equals).isPresent()) {
      log.warn("this node was downed: its {} worker entities stop without draining; the other"
          + " nodes take their runs over", runtime.localEntities.size());
      return CompletableFuture.completedFuture(Done.getInstance());
    }
    Duration drainTimeout = runtime.settings.drainTimeout();
    List<CompletableFuture<Done>> all = new ArrayList<>();
    for (ActorRef<WorkerEntity.Command> e : List.copyOf(runtime.localEntities)) {
      all.add(AskPattern.<WorkerEntity.Command, Done>ask(e, WorkerEntity.Drain::new, drainTimeout,
              runtime.system.scheduler())
          .exceptionallyCompose(t -> AskPattern.ask(e, r -> afterDrain(drainTimeout, r),
              runtime.settings.askTimeout(), runtime.system.scheduler()))
          .toCompletableFuture());
    }
    log.info("draining {} worker entities for up to {}", all.size(), drainTimeout);
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new))
        .handle((v, t) -> Done.getInstance());
  }

  // asking entities

  /**
   * The entity, in the sharding region of its definition's role.
   *
   * @throws RunRejectedException NO_NODE_FOR_ROLE when the definition has a role and no member with that
   *     role is up: its messages would only wait in the proxy's buffer
   */
  private EntityRef<WorkerEntity.Command> entity(String entityId) {
    Registration reg = runtime.registry.get(RunIds.workerOf(entityId));
    String role = reg == null ? null : reg.definition().config().role();
    if (role != null && !roleIsUp(role)) {
      throw new RunRejectedException(RunRejectedException.Reason.NO_NODE_FOR_ROLE, "worker '"
          + reg.definition().name() + "' runs only on nodes with role '" + role
          + "', and no cluster member with that role is up");
    }
    return sharding.entityRefFor(WorkerEntity.keyFor(role), entityId);
  }

  private boolean roleIsUp(String role) {
    for (Member m : Cluster.get(runtime.system).state().getMembers()) {
      if (m.status() == MemberStatus.up() && m.hasRole(role)) {
        return true;
      }
    }
    return false;
  }

  private <T> CompletionStage<T> withEntityOf(String runId,
      Function<String, CompletionStage<T>> f) {
    try {
      return f.apply(RunIds.entityOf(runId));
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  /** An ask of the entity, or a failed stage when it cannot be reached (its role is down). */
  private <T> CompletableFuture<T> askEntity(String entityId,
      Function<EntityRef<WorkerEntity.Command>, CompletionStage<T>> ask) {
    try {
      return offEntity(ask.apply(entity(entityId))).toCompletableFuture();
    } catch (RunRejectedException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  private <T> CompletionStage<T> ask(String entityId,
      Function<ActorRef<StatusReply<T>>, WorkerEntity.Command> message, Duration timeout) {
    return offEntity(entity(entityId).askWithStatus(message::apply, timeout));
  }

  /**
   * The reply of an ask completes its stage on the replying entity's thread; callers get a stage
   * that completes on the callback dispatcher instead, with the API's exceptions.
   */
  private <T> CompletionStage<T> offEntity(CompletionStage<T> reply) {
    CompletableFuture<T> out = new CompletableFuture<>();
    reply.whenCompleteAsync((value, failure) -> {
      if (failure == null) {
        out.complete(value);
      } else {
        out.completeExceptionally(Failures.toException(failure));
      }
    }, runtime.callbackExecutor);
    return out;
  }
}
