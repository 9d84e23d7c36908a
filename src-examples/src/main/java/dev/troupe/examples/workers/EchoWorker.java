package dev.troupe.examples.workers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code echo}: the result is the payload, unchanged; no messages. The no-op worker for
 * benchmarks, so it runs many at once and never retries.
 */
public final class EchoWorker implements Worker {
  public static final String NAME = "echo";

  public static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withMaxConcurrent(1000)
      .withRetry(RetryPolicy.NONE)
      .withDescription("Returns its payload as the result (the no-op for benchmarks)");

  @Override
  public CompletionStage<JsonNode> run(WorkerContext ctx) {
    return CompletableFuture.completedFuture(ctx.payload());
  }
}
