package dev.troupe.node;

import com.fasterxml.jackson.databind.JsonNode;
import com.typesafe.config.Config;
import dev.troupe.api.BlockingWorker;
import dev.troupe.api.CallOptions;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunPage;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.RunResult;
import dev.troupe.api.Schedule;
import dev.troupe.api.Schedules;
import dev.troupe.api.Troupe;
import dev.troupe.api.UnknownWorkerException;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerDefinition;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerNames;
import dev.troupe.api.WorkerStats;
import dev.troupe.node.cluster.ClusterView;
import dev.troupe.node.config.ClusterSettings;
import dev.troupe.node.config.HistorySettings;
import dev.troupe.node.config.MetricsSettings;
import dev.troupe.node.config.RetentionSettings;
import dev.troupe.node.config.TroupeSettings;
import dev.troupe.node.entity.EntityClient;
import dev.troupe.node.entity.EntityServices;
import dev.troupe.node.entity.NodeDrain;
import dev.troupe.node.entity.WorkerEntity;
import dev.troupe.node.history.HistoryReads;
import dev.troupe.node.history.HistoryRetention;
import dev.troupe.node.history.RetentionPurge;
import dev.troupe.node.history.RunHistoryProjection;
import dev.troupe.node.metrics.TroupeMetrics;
import dev.troupe.node.registry.Registration;
import dev.troupe.node.registry.WorkerRegistry;
import dev.troupe.node.schedule.Cron;
import dev.troupe.node.tracing.CallSpan;
import dev.troupe.node.tracing.NodeTracing;
import dev.troupe.node.tracing.RunTracing;
import dev.troupe.persistence.DatabaseSettings;
import dev.troupe.persistence.RunIds;
import dev.troupe.persistence.RunSpec;
import dev.troupe.persistence.SchemaMigrator;
import dev.troupe.persistence.TroupeJson;
import dev.troupe.persistence.journal.JournalDatabase;
import io.opentelemetry.api.OpenTelemetry;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Objects;
import java.util.Optional;
import java.util.ServiceLoader;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Supplier;
import java.util.function.UnaryOperator;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Join;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The {@link Troupe} of one node: a facade over the node's collaborators, the worker registry,
 * the {@link EntityClient} (asks of the worker entities), the {@link RunStreams} (runs' event
 * streams) and the {@link HistoryReads} (the run history). {@link #start()} makes a node with its
 * own actor system; {@link #start(ActorSystem)} runs Troupe inside an application's actor system,
 * which must be created with {@link TroupeConfig#withDefaults}.
 */
public final class TroupeNode implements Troupe {
  private static final Logger log = LoggerFactory.getLogger(TroupeNode.class);

  private final EntityServices services;
  private final WorkerRegistry registry;
  private final EntityClient entities;
  private final RunStreams streams;
  private final Optional<HistoryReads> history;
  private final ClusterView clusterView;
  private final RunLookups lookups;
  private final Reruns reruns;
  private final CallChecks checks;
  private final RunLists lists;
  private final AtomicInteger roundRobin = new AtomicInteger();
  /** Schedules declared in code before the node started: put once it has. */
  private final List<Schedule> declared = new ArrayList<>();
  private volatile NodeSchedules schedules;
  private volatile boolean started;

  private TroupeNode(EntityServices services, Optional<HistoryReads> history) {
    this.services = services;
    this.registry = services.registry();
    this.entities = new EntityClient(services);
    this.history = history;
    this.lookups = new RunLookups(entities, history, services.settings().storageWait());
    this.streams = new RunStreams(services.system(), services.settings(), services.mapper(),
        services.streams(), entities, history);
    this.clusterView = new ClusterView(services.system(), entities::keys,
        ClusterSettings.fromConfig(services.system().settings().config()).viewTimeout());
    this.checks = new CallChecks(services.settings(), services.mapper(), services.clock());
    this.lists = new RunLists(registry, entities, history);
    this.reruns = new Reruns(this::start, this::lookup, this::runs, registry);
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

  /** Starts Troupe in {@code system}, its runs traced as {@code troupe.tracing} says. */
  public static TroupeNode start(ActorSystem<?> system) {
    return start(system, null);
  }

  /**
   * Starts Troupe in {@code system}: migrates the schema (blocking, on the caller's thread),
   * installs the {@link WorkerModule}s found by ServiceLoader, joins the cluster (itself, when no
   * seed nodes are configured and cluster bootstrap is off), starts sharding of worker entities,
   * and hooks the drain into CoordinatedShutdown. Its runs are traced by {@code openTelemetry},
   * an application's own (its owner exports and shuts it down), whatever {@code troupe.tracing}
   * says; when null, as {@code troupe.tracing} says.
   *
   * @throws IllegalStateException when the system was not configured by {@link TroupeConfig}
   */
  public static TroupeNode start(ActorSystem<?> system, OpenTelemetry openTelemetry) {
    Config config = system.settings().config();
    if (!"cluster".equals(config.getString("pekko.actor.provider"))
        || !"jdbc-journal".equals(config.getString("pekko.persistence.journal.plugin"))) {
      throw new IllegalStateException("the actor system must be created with"
          + " TroupeConfig.withDefaults(config): it needs pekko.actor.provider = cluster and the"
          + " jdbc-journal");
    }
    DatabaseSettings db = DatabaseSettings.fromConfig(config);
    var migration = SchemaMigrator.migrate(db);
    TroupeSettings settings = TroupeSettings.fromConfig(config);
    HistorySettings historySettings = HistorySettings.fromConfig(config);
    MetricsSettings metricsSettings = MetricsSettings.fromConfig(config);
    TroupeMetrics metrics = new TroupeMetrics(metricsSettings);
    JournalDatabase.get(system.classicSystem()).trackMetrics(metrics.pools());
    if (metricsSettings.jvm()) {
      metrics.bindJvm();
      system.getWhenTerminated().thenRun(metrics::close);
    }
    FacadeCalls calls = new FacadeCalls();
    EntityServices services = EntityServices.of(system, settings, TroupeJson.newMapper(),
        new WorkerRegistry(), metrics, calls, openTelemetry != null
            ? RunTracing.of(openTelemetry) : NodeTracing.fromSettings(system));
    TroupeNode node = new TroupeNode(services,
        HistoryReads.open(system, db, historySettings, metrics));
    calls.connect(node::start, node::outcome, node.entities::cancelChildren);
    if (settings.discoverModules()) {
      ServiceLoader.load(WorkerModule.class).forEach(m -> m.install(node));
    }
    Cluster cluster = Cluster.get(system);
    if (settings.selfJoin() && config.getStringList("pekko.cluster.seed-nodes").isEmpty()
        && !ClusterSettings.fromConfig(config).bootstrap()) {
      cluster.manager().tell(Join.create(cluster.selfMember().address()));
    }
    node.started = true;
    // the region of role-less definitions always, so that this node takes its share of them early
    node.entities.initRole(null);
    List<String> names = node.registry.names();
    names.forEach(n -> node.entities.initRole(node.registry.require(n).definition().config().role()));
    RetentionSettings retention = RetentionSettings.fromConfig(config);
    node.history.ifPresent(h -> {
      RunHistoryProjection.init(system, h.store(), historySettings, h.executor(), metrics);
      if (retention.enabled()) {
        HistoryRetention.init(system, new RetentionPurge(h.store(), retention, services.clock(),
            metrics), retention.interval(), h.executor(), metrics);
      }
    });
    names.forEach(n -> node.entities.wake(node.registry.require(n)));
    synchronized (node) {
      node.schedules = NodeSchedules.start(system, settings.askTimeout(), node.registry,
          node::start, node.checks::payload, node::lookup, node::attach, services.entities());
      node.declared.forEach(node.schedules::declare);
    }
    NodeDrain.hook(services);
    log.info("Troupe node {} started: journal {} ({} schema migrations applied), workers {},"
            + " drain timeout {}", cluster.selfMember().address(), db.redactedUrl(),
        migration.migrationsExecuted, names, settings.drainTimeout());
    return node;
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
    registry.add(reg);
    if (started) {
      entities.initRole(cfg.role());
      entities.wake(reg);
    }
  }

  @Override
  public synchronized void schedule(Schedule schedule) {
    Cron.parse(Objects.requireNonNull(schedule, "schedule").cron(), schedule.zoneId());
    if (schedules == null) {
      declared.add(schedule); // its worker may be registered later: checked when it is put
    } else {
      schedules.declare(schedule);
    }
  }

  @Override
  public Schedules schedules() {
    return schedules;
  }

  // calls

  @Override
  public CompletionStage<RunHandle> call(String worker, JsonNode payload, CallOptions options) {
    return start(worker, payload, options, UnaryOperator.identity());
  }

  /**
   * A call whose spec {@code linked} completes: with its parent run, a schedule fire, or the run
   * it re-runs.
   */
  CompletionStage<RunHandle> start(String worker, JsonNode payload, CallOptions options,
      UnaryOperator<RunSpec> linked) {
    WorkerNames.validate(worker);
    Registration reg = registry.require(worker);
    long payloadBytes = checks.payload(payload);
    if (!services.entities().accepting()) {
      throw new RunRejectedException(RunRejectedException.Reason.SHUTTING_DOWN,
          "the node is shutting down and accepts no new runs");
    }
    CallOptions opts = options == null ? CallOptions.NONE : options;
    WorkerConfig cfg = reg.definition().config();
    Duration timeout = opts.timeout() != null ? opts.timeout() : cfg.timeout();
    int partition = cfg.partitions() == 1 ? 0 : opts.idempotencyKey() != null
        ? Math.floorMod(opts.idempotencyKey().hashCode(), cfg.partitions())
        : Math.floorMod(roundRobin.getAndIncrement(), cfg.partitions());
    RunSpec checked = linked.apply(checks.spec(opts));
    CallSpan span = services.runs().tracing().call(worker);
    RunSpec spec = span.traced(checked);
    String entityId = RunIds.entityId(worker, partition);
    Supplier<CompletionStage<WorkerEntity.Accepted>> record = () -> {
      // the entity refuses the call unrecorded past this, leaving the write up to a second
      long askMs = services.settings().askTimeout().toMillis();
      long giveUpAt = System.currentTimeMillis() + askMs - Math.min(askMs / 4, 1000);
      return entities.call(entityId, payload, payloadBytes, timeout.toMillis(),
          opts.idempotencyKey(), opts.tags(), spec, giveUpAt);
    };
    CompletionStage<WorkerEntity.Accepted> accepted = spec.dependsOn().isEmpty() ? record.get()
        : lookups.requireKnown(spec.dependsOn()).thenCompose(known -> record.get());
    return accepted.whenComplete((a, failure) ->
            span.end(a == null ? null : a.runId(), a != null && a.existing(), failure))
        .thenApply(a ->
        new RunHandleImpl(streams, entities, lookups, a.runId(), worker, a.existing(),
            a.status(), a.traceId()));
  }

  @Override
  public RunHandle attach(String runId) {
    return attach(runId, null);
  }

  /** A handle on {@code runId}, whose trace id its starter answered (null when untraced). */
  RunHandle attach(String runId, String traceId) {
    return new RunHandleImpl(streams, entities, lookups, runId, RunIds.workerOf(RunIds.entityOf(runId)),
        true, null, traceId);
  }

  @Override
  public CompletionStage<Done> cancel(String runId) {
    return entities.cancel(runId);
  }

  @Override
  public CompletionStage<Optional<RunResult>> lookup(String runId) {
    return lookups.find(runId).thenCompose(lookups::withChildren)
        .thenCompose(lookups::withRerunBy);
  }

  /** The run once it has finished, from its entity wherever it is or from the history. */
  CompletionStage<RunResult> outcome(String runId) {
    return lookups.outcome(runId);
  }

  @Override
  public CompletionStage<RunHandle> rerun(String runId) {
    return reruns.rerun(runId);
  }

  @Override
  public CompletionStage<Integer> rerunFailed(String worker, Instant since) {
    return reruns.failed(worker, since);
  }

  /** Subscribers attached to the live stream of {@code runId} on this node (0 when none here). */
  int streamSubscribers(String runId) {
    return streams.subscribers(runId);
  }

  // reading

  /**
   * A page of runs. Runs in an active status (queued, running, retrying, scheduled, waiting) are
   * read from their entities, so a run shows there as soon as its entity has it so; lists
   * without a status merge the run history's page with the entities' active runs, so they show
   * a run accepted a moment ago, and each run as its entity has it while it is active; lists of
   * a terminal status come from the run history ({@code troupe_runs}), which follows the journal
   * shortly behind: a finished run shows there a moment after it finished.
   */
  @Override
  public CompletionStage<RunPage> runs(RunQuery query) {
    return lists.runs(Objects.requireNonNull(query, "query"));
  }

  @Override
  public List<WorkerDefinition> workers() {
    return registry.definitions();
  }

  @Override
  public CompletionStage<List<RunResult>> active() {
    return lists.active();
  }

  @Override
  public CompletionStage<List<RunResult>> active(String worker) {
    return entities.active(registered(worker));
  }

  @Override
  public CompletionStage<WorkerStats> stats(String worker) {
    return entities.stats(registered(worker));
  }

  private Registration registered(String worker) {
    WorkerNames.validate(worker);
    return registry.find(worker).orElseThrow(() -> new UnknownWorkerException(
        "worker '" + worker + "' is not registered on this node"));
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
    return services.metrics();
  }

  @Override
  public ActorSystem<?> system() {
    return services.system();
  }

  @Override
  public CompletionStage<Done> shutdown() {
    return CoordinatedShutdown.get(services.system()).runAll(CoordinatedShutdown.unknownReason());
  }
}
