package dev.troupe.examples.cluster;

import dev.troupe.api.BlockingWorker;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The worker that a rolling upgrade adds, for {@link AddedWorkerProcessTest}: registered only on
 * the node processes started with {@code -Dtroupe.test.added-worker=true} (listed for ServiceLoader
 * on every test node's classpath, in {@code cluster-nodes/META-INF/services}, so the other nodes
 * run the version without it). Payload {@code {"dir": path, "firstMs": n}}: each attempt records
 * its start ({@link SideEffects}, kind {@code start}); the first then sleeps {@code firstMs}, later
 * ones return at once.
 */
public final class AddedWorkerTestWorkers implements WorkerModule {
  static final String WORKER = "added-sleeper";
  static final String SWITCH = "troupe.test.added-worker";
  static final int PARTITIONS = 4;

  static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withPartitions(PARTITIONS)
      .withMaxConcurrent(64)
      .withTimeout(Duration.ofMinutes(3))
      .withRetry(RetryPolicy.of(5, Duration.ofMillis(100), Duration.ofSeconds(1)))
      .withDescription("Attempt 1 sleeps payload.firstMs; later ones return at once");

  static final BlockingWorker SLEEPER = ctx -> {
    SideEffects.record(Path.of(ctx.payload().get("dir").asText()), ctx, "kind=start");
    if (ctx.attempt() == 1) {
      ctx.sleep(Duration.ofMillis(ctx.payload().get("firstMs").asLong()));
    }
    return ctx.newObject().put("attempt", ctx.attempt()).put("node", System.getenv("TROUPE_HTTP_PORT"));
  };

  @Override
  public void install(WorkerRegistrar registrar) {
    if (Boolean.getBoolean(SWITCH)) {
      registrar.registerBlocking(WORKER, CONFIG, SLEEPER);
    }
  }
}
