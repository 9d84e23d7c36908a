package dev.troupe.examples.composition;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code always-fails}: fails permanently at once, its message showing its payload; the child
 * that {@link FanOutWorker} starts where a child is to fail. Never retried.
 */
public final class AlwaysFailsWorker implements Worker {
  public static final String NAME = "always-fails";

  public static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withMaxConcurrent(100)
      .withRetry(RetryPolicy.NONE)
      .withDescription("Fails permanently, on purpose (fan-out's failing children)");

  @Override
  public CompletionStage<JsonNode> run(WorkerContext ctx) {
    return CompletableFuture.failedFuture(
        new PermanentFailure("fails on purpose, payload " + ctx.payload()));
  }
}
