package dev.troupe.examples.workers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.util.concurrent.CompletableFuture;

/**
 * {@code echo}: the result is the payload, unchanged; no messages. The no-op worker for
 * benchmarks, so it runs many at once and never retries. An async job: it does no work, so it
 * completes on the calling thread instead of taking one from the blocking pool.
 */
public final class EchoWorker implements WorkerModule {
  public static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withMaxConcurrent(1000)
      .withRetry(RetryPolicy.NONE)
      .withDescription("Returns its payload as the result (the no-op for benchmarks)");

  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.asyncJob("echo", JsonNode.class, CONFIG,
        (payload, ctx) -> CompletableFuture.completedStage(payload));
  }
}
