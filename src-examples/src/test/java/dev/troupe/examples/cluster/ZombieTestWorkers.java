package dev.troupe.examples.cluster;

import dev.troupe.api.BlockingWorker;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;

/**
 * The worker of the node processes that {@link ZombieOwnerProcessTest} starts (listed for
 * ServiceLoader only on their classpath, in {@code cluster-nodes/META-INF/services}). Payload
 * {@code {"dir": path, "firstMs": n}}. Each attempt records its start ({@link SideEffects}, kind
 * {@code start}). The first attempt then sleeps {@code firstMs} and succeeds: on a node frozen
 * meanwhile, it ends right after the node resumes, and reporting it is the frozen node's first
 * journal write. Later attempts wait until a file {@code release} appears in the directory, and
 * write nothing meanwhile: their entity's journal stays where their new owner left it, so a write
 * of the resumed node after it recovered that journal again would find its sequence number free.
 * Retries are plentiful, so that an attempt too many shows as such rather than as a failure.
 */
public final class ZombieTestWorkers implements WorkerModule {
  static final String WORKER = "zombie-sleeper";
  /** Entities of the definition: enough that every node hosts some. */
  static final int PARTITIONS = 6;

  static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withPartitions(PARTITIONS)
      .withMaxConcurrent(64)
      .withTimeout(Duration.ofMinutes(3))
      .withRetry(RetryPolicy.of(10, Duration.ofMillis(100), Duration.ofSeconds(1)))
      .withDescription("Attempt 1 sleeps payload.firstMs; later ones wait for the file 'release'");

  static final BlockingWorker SLEEPER = ctx -> {
    Path dir = Path.of(ctx.payload().get("dir").asText());
    SideEffects.record(dir, ctx, "kind=start");
    if (ctx.attempt() == 1) {
      ctx.sleep(Duration.ofMillis(ctx.payload().get("firstMs").asLong()));
    } else {
      while (!Files.exists(dir.resolve("release"))) {
        ctx.sleep(Duration.ofMillis(100)); // throws once the attempt is cancelled
      }
    }
    return ctx.newObject().put("attempt", ctx.attempt());
  };

  @Override
  public void install(WorkerRegistrar registrar) {
    registrar.registerBlocking(WORKER, CONFIG, SLEEPER);
  }
}
