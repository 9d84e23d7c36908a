package dev.troupe.examples.cluster;

import dev.troupe.api.BlockingWorker;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.time.Duration;
import java.util.List;

/**
 * Workers of the node processes that {@link ClusterProcessTest} starts (listed for ServiceLoader
 * only on their classpath, in {@code cluster-nodes/META-INF/services}): one partitioned sleeper
 * per scenario, so that each scenario's statistics are its own. Payload {@code {ms}}; the run
 * emits its attempt, sleeps, and returns {@code {"sleptMs", "attempt"}}.
 */
public final class ClusterTestWorkers implements WorkerModule {
  static final String FAILOVER = "failover-sleeper";
  static final String ROLLING = "rolling-sleeper";
  static final String PAUSE = "pause-sleeper";
  /** What the schedule of the schedule scenario calls: returns at once. */
  static final String SCHEDULED = "scheduled-noop";
  /** Entities per definition: enough that every node hosts some. */
  static final int PARTITIONS = 6;

  static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withPartitions(PARTITIONS)
      .withMaxConcurrent(64)
      .withTimeout(Duration.ofMinutes(1))
      .withRetry(RetryPolicy.of(5, Duration.ofMillis(100), Duration.ofSeconds(1)))
      .withDescription("Sleeps payload.ms (default 2 s), partitioned over the cluster");

  static final BlockingWorker SLEEPER = ctx -> {
    int ms = ctx.payload().path("ms").asInt(2000);
    ctx.emit(ctx.newObject().put("attempt", ctx.attempt()));
    ctx.sleep(Duration.ofMillis(ms));
    return ctx.newObject().put("sleptMs", ms).put("attempt", ctx.attempt());
  };

  @Override
  public void install(WorkerRegistrar registrar) {
    for (String name : List.of(FAILOVER, ROLLING, PAUSE)) {
      registrar.registerBlocking(name, CONFIG, SLEEPER);
    }
    registrar.registerBlocking(SCHEDULED, WorkerConfig.DEFAULT, ctx -> ctx.newObject());
  }
}
