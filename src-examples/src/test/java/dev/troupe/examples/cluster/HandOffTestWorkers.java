package dev.troupe.examples.cluster;

import dev.troupe.api.BlockingWorker;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.time.Duration;

/**
 * The worker of the node processes that {@link HandOffProcessTest} starts (listed for
 * ServiceLoader only on their classpath, in {@code handoff-nodes/META-INF/services}): a
 * partitioned sleeper of one attempt, so that any attempt a run loses fails it. Payload {@code
 * {ms}}; the run emits its attempt every 200 ms while it sleeps, and returns {@code {"sleptMs",
 * "attempt"}}.
 */
public final class HandOffTestWorkers implements WorkerModule {
  static final String SLEEPER = "handoff-sleeper";
  /** Entities of the sleeper: enough that a joining node gets several by rebalance. */
  static final int PARTITIONS = 6;

  @Override
  public void install(WorkerRegistrar registrar) {
    WorkerConfig config = WorkerConfig.DEFAULT
        .withPartitions(PARTITIONS)
        .withMaxConcurrent(64)
        .withTimeout(Duration.ofMinutes(1))
        .withRetry(RetryPolicy.NONE)
        .withDescription("Sleeps payload.ms, emitting as it goes; one attempt");
    BlockingWorker sleeper = ctx -> {
      int ms = ctx.payload().path("ms").asInt(1000);
      for (int slept = 0; slept < ms; slept += 200) {
        ctx.emit(ctx.newObject().put("attempt", ctx.attempt()).put("sleptMs", slept));
        ctx.sleep(Duration.ofMillis(Math.min(200, ms - slept)));
      }
      return ctx.newObject().put("sleptMs", ms).put("attempt", ctx.attempt());
    };
    registrar.registerBlocking(SLEEPER, config, sleeper);
  }
}
