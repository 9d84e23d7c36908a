package dev.troupe.node.metrics;

import com.zaxxer.hikari.metrics.MetricsTrackerFactory;
import com.zaxxer.hikari.metrics.micrometer.MicrometerMetricsTrackerFactory;
import dev.troupe.api.RunStatus;
import dev.troupe.node.config.MetricsSettings;
import io.micrometer.core.instrument.Clock;
import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.DistributionSummary;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.micrometer.core.instrument.Timer;
import io.micrometer.core.instrument.binder.jvm.ClassLoaderMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmGcMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmMemoryMetrics;
import io.micrometer.core.instrument.binder.jvm.JvmThreadMetrics;
import io.micrometer.core.instrument.binder.system.ProcessorMetrics;
import io.micrometer.core.instrument.binder.system.UptimeMetrics;
import io.micrometer.core.instrument.composite.CompositeMeterRegistry;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicLong;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The node's metrics in Prometheus form (Micrometer): runs started and finished by worker and
 * status, run durations, runs executing and queued per worker entity on this node, SSE
 * subscribers, the HTTP port's answers by method, route template and status, the worker
 * entities' journal writes (latency and commands per write) by worker, the run history
 * projection's lag and failures, and, once bound, the JVM's meters
 * ({@link #bindJvm}) and connection pools' ({@link #pools()}). Thread-safe; meters are created
 * once per worker and status.
 *
 * <p>Troupe's meters live in a composite registry over the node's own Prometheus registry (what
 * {@link #scrape()} and {@code /metrics} show), to which {@link #bindTo} adds an application's
 * registry, so that both always count the same events.
 *
 * <p>Every tag has a bounded set of values: workers are the registered definitions (never their
 * partitions), routes are the API's templates ({@code /api/v1/runs/{runId}}), never raw paths.
 */
public final class TroupeMetrics {
  private final PrometheusMeterRegistry prometheus = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
  private final CompositeMeterRegistry registry =
      new CompositeMeterRegistry(Clock.SYSTEM, List.of(prometheus));
  private final Map<String, Counter> started = new ConcurrentHashMap<>();
  private final Map<String, Counter> finished = new ConcurrentHashMap<>();
  private final Map<String, Timer> durations = new ConcurrentHashMap<>();
  private final Map<String, AtomicLong[]> load = new ConcurrentHashMap<>();
  private final Map<String, Gauge[]> loadGauges = new ConcurrentHashMap<>();
  private final AtomicInteger sseSubscribers = new AtomicInteger();
  private final Counter backfilled;
  private final Counter parked;
  private final AtomicLong projectionLagMs = new AtomicLong();
  private final Counter projectionEntries;
  private final Counter projectionFailures;
  private final Counter journalPurged;
  private final Counter runsPurged;
  private final Counter streamRowsPurged;
  private final Counter purgeFailures;
  private final AtomicReference<JvmGcMetrics> gc = new AtomicReference<>();
  private final MetricsSettings settings;
  private final Map<String, Timer> httpRequests = new ConcurrentHashMap<>();
  private final Map<String, Timer> journalWrites = new ConcurrentHashMap<>();
  private final Map<String, DistributionSummary> journalBatches = new ConcurrentHashMap<>();

  /** Metrics in a registry of their own, with the defaults of reference.conf. */
  public TroupeMetrics() {
    this(MetricsSettings.defaults());
  }

  /** Metrics in a registry of their own (one per node), with its {@code troupe.metrics}. */
  public TroupeMetrics(MetricsSettings settings) {
    this.settings = settings;
    Gauge.builder("troupe_sse_subscribers", sseSubscribers, AtomicInteger::get)
        .description("SSE streams open on this node").register(registry);
    backfilled = Counter.builder("troupe_history_backfilled_entries")
        .description("journal entries the run history's tag query skipped, read back by"
            + " persistence id").register(registry);
    parked = Counter.builder("troupe_history_parked_entries")
        .description("journal entries the run history could not write, set aside in"
            + " troupe_history_parked").register(registry);
    Gauge.builder("troupe_history_projection_lag_seconds", projectionLagMs, ms -> ms.get() / 1000.0)
        .description("age of the newest journal entry in the run history's last batch, when"
            + " that batch was written (the projection runs on one node of the cluster)")
        .register(registry);
    projectionEntries = Counter.builder("troupe_history_projection_entries")
        .description("journal entries written to the run history").register(registry);
    projectionFailures = Counter.builder("troupe_history_projection_failures")
        .description("run history batches whose write failed (the projection restarts)")
        .register(registry);
    journalPurged = Counter.builder("troupe_retention_journal_entries_purged")
        .description("journal entries of worker entities deleted (covered by a snapshot and"
            + " applied by the run history)").register(registry);
    runsPurged = Counter.builder("troupe_retention_runs_purged")
        .description("finished runs older than troupe.history.retention deleted from the run"
            + " history").register(registry);
    streamRowsPurged = Counter.builder("troupe_retention_stream_rows_purged")
        .description("rows of stored stream events (troupe_run_events) deleted with their runs")
        .register(registry);
    purgeFailures = Counter.builder("troupe_retention_failures")
        .description("purge rounds that failed (the next round tries again)").register(registry);
  }

  /** A purge round deleted these journal entries, runs and rows of stream events. */
  public void purged(long journalEntries, long runs, long streamRows) {
    journalPurged.increment(journalEntries);
    runsPurged.increment(runs);
    streamRowsPurged.increment(streamRows);
  }

  /** A purge round failed. */
  public void purgeFailed() {
    purgeFailures.increment();
  }

  /**
   * Binds the JVM's meters (memory, GC, threads, class loading, processor, uptime) to the node's
   * own registry only, not to registries added by {@link #bindTo}, which have their own. {@link
   * #close()} releases the GC listeners.
   */
  public void bindJvm() {
    new JvmMemoryMetrics().bindTo(prometheus);
    new JvmThreadMetrics().bindTo(prometheus);
    new ClassLoaderMetrics().bindTo(prometheus);
    new ProcessorMetrics().bindTo(prometheus);
    new UptimeMetrics().bindTo(prometheus);
    JvmGcMetrics gcMetrics = new JvmGcMetrics();
    gcMetrics.bindTo(prometheus);
    JvmGcMetrics earlier = gc.getAndSet(gcMetrics);
    if (earlier != null) {
      earlier.close();
    }
  }

  /**
   * The registry Troupe's meters are made in, for the binders of the node's own components (its
   * connection pools): what is registered here reaches {@code /metrics} and every registry bound
   * with {@link #bindTo}.
   */
  public MeterRegistry registry() {
    return registry;
  }

  /**
   * The meters of a connection pool of the node (the journal's, the run history's), made in
   * {@link #registry()}: {@code hikaricp_connections_*} tagged with the pool's name.
   */
  public MetricsTrackerFactory pools() {
    return new MicrometerMetricsTrackerFactory(registry);
  }

  /** The run history projection wrote {@code entries}; the newest was written {@code lagMs} ago. */
  public void projectionWritten(int entries, long lagMs) {
    projectionEntries.increment(entries);
    projectionLagMs.set(Math.max(0, lagMs));
  }

  /** A write of the run history projection failed. */
  public void projectionFailed() {
    projectionFailures.increment();
  }

  public void attemptStarted(String worker) {
    started.computeIfAbsent(worker, w -> Counter.builder("troupe_runs_started")
        .description("attempts started").tag("worker", w).register(registry)).increment();
  }

  /**
   * One answer of the node's HTTP port, {@code nanos} after the request arrived: {@code route} is
   * the template of the route that answered, or one value for every path no route knows.
   */
  public void httpRequest(String method, String route, int status, long nanos) {
    httpRequests.computeIfAbsent(method + " " + route + " " + status, k ->
        Timer.builder("troupe_http_server_requests")
            .description("answers of the node's HTTP port, from the request's arrival to the"
                + " answer (for an event stream: to its start), by method, route template and"
                + " status")
            .tag("method", method).tag("route", route).tag("status", Integer.toString(status))
            .serviceLevelObjectives(settings.httpRequestBuckets().toArray(Duration[]::new))
            .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
  }

  /**
   * A worker entity of {@code worker} wrote a batch of {@code commands} commands to its journal:
   * {@code nanos} from handing the batch over to its confirmation.
   */
  public void journalWrite(String worker, int commands, long nanos) {
    journalWrites.computeIfAbsent(worker, w -> Timer.builder("troupe_journal_write")
        .description("worker entities' journal writes (one per batch of commands), from the batch"
            + " handed over to its confirmation")
        .tag("worker", w)
        .serviceLevelObjectives(settings.journalWriteBuckets().toArray(Duration[]::new))
        .register(registry)).record(nanos, TimeUnit.NANOSECONDS);
    journalBatches.computeIfAbsent(worker, w -> DistributionSummary
        .builder("troupe_journal_batch_size")
        .description("commands per journal write of the worker entities (their group commit)")
        .tag("worker", w)
        .serviceLevelObjectives(settings.journalBatchSizeBuckets().stream()
            .mapToDouble(Double::doubleValue).toArray())
        .register(registry)).record(commands);
  }

  /** Journal entries the tag query skipped and the history read back by persistence id. */
  public void historyBackfilled(int entries) {
    backfilled.increment(entries);
  }

  /** Journal entries the history could not write and set aside (troupe_history_parked). */
  public void historyParked(int entries) {
    parked.increment(entries);
  }

  public void runFinished(String worker, RunStatus status, Long durationMs) {
    finished.computeIfAbsent(worker + "|" + status, k -> Counter.builder("troupe_runs_finished")
        .description("runs finished, by terminal status").tag("worker", worker)
        .tag("status", status.name()).register(registry)).increment();
    if (durationMs != null) {
      durations.computeIfAbsent(worker, w -> Timer.builder("troupe_run_duration")
          .description("from a run's first start to its finish").tag("worker", w)
          .publishPercentileHistogram().register(registry))
          .record(Duration.ofMillis(durationMs));
    }
  }

  /**
   * The gauge {@code troupe_payload_bytes_active}: the bytes of payloads of runs not yet finished
   * that the worker entities on this node hold ({@code troupe.node.max-active-payload-bytes}).
   */
  public void activePayloadBytes(AtomicLong total) {
    Gauge.builder("troupe_payload_bytes_active", total, AtomicLong::get)
        .description("bytes of payloads (as JSON) of runs not yet finished held by the worker"
            + " entities on this node").register(registry);
  }

  /**
   * A call was refused before anything was recorded because of {@code limit}, a setting's name:
   * {@code troupe_calls_refused_total}.
   */
  public void callRefused(String limit) {
    Counter.builder("troupe_calls_refused").tag("limit", limit)
        .description("calls refused unrecorded at a limit of the node's memory")
        .register(registry).increment();
  }

  /**
   * A command of {@code worker} ({@code command}, its type) was refused or dropped because the
   * journal would not write its own events: {@code troupe_journal_refused_commands_total}, with
   * {@code verdict} "invalid" when other writes succeeded meanwhile, else "unavailable".
   */
  public void journalRefused(String worker, String command, boolean invalid) {
    Counter.builder("troupe_journal_refused_commands").tag("worker", worker)
        .tag("command", command).tag("verdict", invalid ? "invalid" : "unavailable")
        .description("commands refused unrecorded because the journal would not write their events")
        .register(registry).increment();
  }

  /** The entity {@code entityId} of {@code worker} now has these runs executing and queued. */
  public void load(String worker, String entityId, long executing, long queued) {
    AtomicLong[] values = load.computeIfAbsent(entityId, id -> {
      AtomicLong[] v = {new AtomicLong(), new AtomicLong()};
      loadGauges.put(id, new Gauge[] {
          Gauge.builder("troupe_runs_running", v[0], AtomicLong::get).tag("worker", worker)
              .tag("entity", id).description("runs executing or in retry backoff")
              .register(registry),
          Gauge.builder("troupe_runs_queued", v[1], AtomicLong::get).tag("worker", worker)
              .tag("entity", id).description("runs waiting for a slot").register(registry)});
      return v;
    });
    values[0].set(executing);
    values[1].set(queued);
  }

  /**
   * The entity {@code entityId} stopped on this node (it moved, or the node stops): its gauges
   * go, so that a sum over the nodes counts each entity once, where it lives.
   */
  public void forget(String entityId) {
    Gauge[] gauges = loadGauges.remove(entityId);
    load.remove(entityId);
    if (gauges != null) {
      for (Gauge g : gauges) {
        registry.remove(g);
      }
    }
  }

  /**
   * Publishes Troupe's meters to {@code other} as well, such as a Spring Boot application's
   * registry: the meters made so far and every one made later, each counting from the moment it
   * reaches {@code other}. A meter this node removes (an entity that left) is removed there too.
   */
  public void bindTo(MeterRegistry other) {
    registry.add(other);
  }

  /** The gauge of open SSE streams, for the HTTP front end. */
  public AtomicInteger sseSubscribers() {
    return sseSubscribers;
  }

  /** Releases what {@link #bindJvm} holds (the GC notification listeners). */
  public void close() {
    JvmGcMetrics gcMetrics = gc.getAndSet(null);
    if (gcMetrics != null) {
      gcMetrics.close();
    }
  }

  /** Every metric in the Prometheus text format. */
  public String scrape() {
    return prometheus.scrape();
  }
}
