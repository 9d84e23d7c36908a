package dev.troupe.bench.peers;

import com.github.kagkarlsson.scheduler.Scheduler;
import com.github.kagkarlsson.scheduler.task.TaskInstance;
import com.github.kagkarlsson.scheduler.task.helper.OneTimeTask;
import com.github.kagkarlsson.scheduler.task.helper.Tasks;
import com.zaxxer.hikari.HikariDataSource;
import java.sql.Connection;
import java.sql.ResultSet;
import java.sql.Statement;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicLong;

/**
 * db-scheduler on PostgreSQL, set up as its docs/performance.md and README recommend for high
 * throughput: the {@code lock-and-fetch} polling strategy ({@code SELECT … FOR UPDATE SKIP
 * LOCKED}) with {@code pollUsingLockAndFetch(1.0, 4.0)} ("keep threads busy"), immediate
 * execution, and threads sized for 2 cores with jobs that wait on the database.
 */
final class DbSchedulerSystem implements JobSystem {
  static final int THREADS = 16;
  /** Its schema for PostgreSQL, from db-scheduler's postgresql_tables.sql. */
  private static final String SCHEMA = """
      CREATE TABLE scheduled_tasks (
        task_name text NOT NULL,
        task_instance text NOT NULL,
        task_data bytea,
        execution_time timestamp with time zone NOT NULL,
        picked BOOLEAN NOT NULL,
        picked_by text,
        last_success timestamp with time zone,
        last_failure timestamp with time zone,
        consecutive_failures INT,
        last_heartbeat timestamp with time zone,
        version BIGINT NOT NULL,
        priority SMALLINT,
        PRIMARY KEY (task_name, task_instance));
      CREATE INDEX execution_time_idx ON scheduled_tasks (execution_time);
      CREATE INDEX last_heartbeat_idx ON scheduled_tasks (last_heartbeat);
      CREATE INDEX priority_execution_time_idx ON scheduled_tasks (priority desc, execution_time asc);
      """;
  private static final int BATCH = 1_000;

  private final Storage storage;
  private final Map<JobKind, OneTimeTask<Void>> tasks = new EnumMap<>(JobKind.class);
  private final AtomicLong enqueued = new AtomicLong();
  private HikariDataSource ds;
  private ProgressTable progress;
  private Scheduler scheduler;

  DbSchedulerSystem(Storage storage) {
    if (!storage.postgres()) {
      throw new IllegalArgumentException("lock-and-fetch is for PostgreSQL; db-scheduler runs on pg");
    }
    this.storage = storage;
  }

  @Override
  public void start() throws Exception {
    ds = Pools.pool(storage, THREADS + 4, "db-scheduler");
    try (Connection c = ds.getConnection(); Statement st = c.createStatement()) {
      try (ResultSet rs = st.executeQuery("SELECT to_regclass('scheduled_tasks') IS NULL")) {
        rs.next();
        if (rs.getBoolean(1)) {
          st.execute(SCHEMA);
        }
      }
    }
    progress = new ProgressTable(ds);
    for (JobKind kind : JobKind.values()) {
      tasks.put(kind, Tasks.oneTime("peer-" + kind.name().toLowerCase(java.util.Locale.ROOT))
          .execute((instance, ctx) -> {
            try {
              JobBodies.run(kind, instance.getId(), seq -> progress.emit(instance.getId(), seq));
            } catch (InterruptedException e) {
              Thread.currentThread().interrupt();
            }
          }));
    }
    scheduler = Scheduler.create(ds, new ArrayList<>(tasks.values()))
        .threads(THREADS)
        .pollUsingLockAndFetch(1.0, 4.0)
        .enableImmediateExecution()
        // dead executions (of a killed process) are found after missedHeartbeatsLimit (6) beats
        .heartbeatInterval(Duration.ofSeconds(2))
        .build();
    scheduler.start();
  }

  @Override
  public String version() {
    return "db-scheduler " + Versions.of("com.github.kagkarlsson", "db-scheduler", Scheduler.class);
  }

  @Override
  public String configuration() {
    return THREADS + " threads, `pollUsingLockAndFetch(1.0, 4.0)`, `enableImmediateExecution()`,"
        + " pollingInterval default (10 s), heartbeatInterval 2 s, HikariCP pool of "
        + (THREADS + 4) + "; enqueue many = `scheduleBatch` in batches of " + BATCH;
  }

  @Override
  public String progressChannel() {
    return "none offered; " + ProgressTable.DESCRIPTION;
  }

  @Override
  public void enqueueAll(JobKind kind, List<String> ids) {
    for (int from = 0; from < ids.size(); from += BATCH) {
      List<TaskInstance<?>> batch = new ArrayList<>();
      for (String id : ids.subList(from, Math.min(ids.size(), from + BATCH))) {
        batch.add(tasks.get(kind).instance(id));
      }
      scheduler.scheduleBatch(batch, Instant.now());
      enqueued.addAndGet(batch.size());
    }
  }

  @Override
  public CompletionStage<Void> enqueue(JobKind kind, String id) {
    try {
      scheduler.schedule(tasks.get(kind).instance(id), Instant.now());
      enqueued.incrementAndGet();
      return CompletableFuture.completedFuture(null);
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
  }

  @Override
  public CompletionStage<Void> callAndAwaitFirstMessage(String id) {
    CompletableFuture<Void> first = progress.awaitFirst(id);
    return enqueue(JobKind.PROGRESS, id).thenCompose(v -> first);
  }

  /** One-time executions are deleted when they complete: finished = enqueued − rows left. */
  @Override
  public long finishedCount() throws Exception {
    try (Connection c = ds.getConnection(); Statement st = c.createStatement();
        ResultSet rs = st.executeQuery("SELECT count(*) FROM scheduled_tasks")) {
      rs.next();
      return enqueued.get() - rs.getLong(1);
    }
  }

  @Override
  public void close() throws Exception {
    if (scheduler != null) {
      scheduler.stop();
    }
    if (progress != null) {
      progress.close();
    }
    if (ds != null) {
      ds.close();
    }
  }
}
