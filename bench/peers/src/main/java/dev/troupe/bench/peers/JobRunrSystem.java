package dev.troupe.bench.peers;

import static org.jobrunr.server.BackgroundJobServerConfiguration.usingStandardBackgroundJobServerConfiguration;

import com.zaxxer.hikari.HikariDataSource;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import org.jobrunr.configuration.JobRunr;
import org.jobrunr.configuration.JobRunrConfiguration.JobRunrConfigurationResult;
import org.jobrunr.jobs.lambdas.JobRequest;
import org.jobrunr.jobs.lambdas.JobRequestHandler;
import org.jobrunr.jobs.states.StateName;
import org.jobrunr.scheduling.JobRequestScheduler;
import org.jobrunr.storage.StorageProvider;
import org.jobrunr.storage.sql.common.SqlStorageProviderFactory;

/**
 * JobRunr OSS with its SQL storage (PostgreSQL or H2), tuned as its docs say for throughput: the
 * background job server's poll interval at its minimum for SQL storage (5 s; less is refused) and
 * more workers than its default. A server fetches enqueued jobs only for its idle workers, at each
 * poll or when a worker finishes and no fetch is under way; with no-op jobs the workers idle until
 * the next poll between fetches, so more workers mean larger fetches: 128 drained 5,000 jobs on H2
 * at 650 jobs/s where the default 16 managed 196.
 */
final class JobRunrSystem implements JobSystem {
  /** JobRunr's own default for platform threads: 8 per core. */
  static final int JOBRUNR_DEFAULT_WORKERS = 8 * Runtime.getRuntime().availableProcessors();
  static final int DEFAULT_WORKERS = 128;
  /** Connections, at most: the PostgreSQL server is shared (max_connections 100 here). */
  static final int MAX_POOL = 40;
  static final Duration POLL_INTERVAL = Duration.ofSeconds(5);

  /** The job as JobRunr stores it: a {@link JobRequest} serialized to JSON. */
  public record PeerJob(String kind, String id) implements JobRequest {
    @Override
    public Class<PeerJobHandler> getJobRequestHandler() {
      return PeerJobHandler.class;
    }
  }

  /** Instantiated by JobRunr per job (no job activator needed). */
  public static final class PeerJobHandler implements JobRequestHandler<PeerJob> {
    @Override
    public void run(PeerJob job) throws Exception {
      JobBodies.run(JobKind.valueOf(job.kind()), job.id(), seq -> progress.emit(job.id(), seq));
    }
  }

  /** Reached from {@link PeerJobHandler}, which JobRunr builds by reflection. */
  private static volatile ProgressTable progress;

  private final Storage storage;
  private final int workers;
  private HikariDataSource ds;
  private StorageProvider storageProvider;
  private JobRequestScheduler scheduler;
  private JobRunrConfigurationResult jobRunr;

  JobRunrSystem(Storage storage, int workers) {
    this.storage = storage;
    this.workers = workers;
  }

  @Override
  public void start() throws Exception {
    ds = Pools.pool(storage, poolSize(), "jobrunr");
    progress = new ProgressTable(ds);
    storageProvider = SqlStorageProviderFactory.using(ds);
    jobRunr = JobRunr.configure()
        .useStorageProvider(storageProvider)
        .useBackgroundJobServer(usingStandardBackgroundJobServerConfiguration()
            .andWorkerCount(workers)
            .andPollInterval(POLL_INTERVAL))
        .initialize();
    scheduler = jobRunr.getJobRequestScheduler();
  }

  private int poolSize() {
    return Math.min(MAX_POOL, workers + 4);
  }

  @Override
  public String version() {
    return "JobRunr " + Versions.of("org.jobrunr", "jobrunr", JobRunr.class);
  }

  @Override
  public String configuration() {
    return workers + " workers (JobRunr's default: " + JOBRUNR_DEFAULT_WORKERS + "), poll interval "
        + POLL_INTERVAL.toSeconds() + " s (the minimum it accepts for SQL storage), "
        + storageProvider.getClass().getSimpleName() + ", HikariCP pool of " + poolSize()
        + "; enqueue many = `JobRequestScheduler.enqueue(Stream)`";
  }

  @Override
  public String progressChannel() {
    return "JobRunr's own channel is the job's dashboard progress bar/logger in the job's"
        + " metadata, which the server saves with the job every poll interval (5 s): too slow to"
        + " compare; so, as for db-scheduler, " + ProgressTable.DESCRIPTION;
  }

  @Override
  public void enqueueAll(JobKind kind, List<String> ids) {
    scheduler.enqueue(ids.stream().map(id -> new PeerJob(kind.name(), id)));
  }

  @Override
  public CompletionStage<Void> enqueue(JobKind kind, String id) {
    try {
      scheduler.enqueue(new PeerJob(kind.name(), id));
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

  @Override
  public long finishedCount() {
    return storageProvider.countJobs(StateName.SUCCEEDED);
  }

  @Override
  public void close() throws Exception {
    if (jobRunr != null) {
      JobRunr.destroy();
    }
    if (progress != null) {
      progress.close();
    }
    if (ds != null) {
      ds.close();
    }
  }
}
