package dev.troupe.examples.workers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.TransientFailure;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code flaky}: payload {@code {failTimes?:2}}. Attempts 1..failTimes throw {@link
 * TransientFailure} ("flaky: failing attempt n of failTimes"); the next attempt returns
 * {@code {"attempts":n}}. Retried up to 5 attempts in all, backing off from 100 ms to 2 s, so
 * {@code failTimes} of 5 or more ends the run failed.
 */
public final class FlakyWorker implements Worker {
  public static final String NAME = "flaky";

  public static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withRetry(RetryPolicy.of(5, Duration.ofMillis(100), Duration.ofSeconds(2)))
      .withDescription("Fails transiently on its first failTimes attempts, then succeeds");

  @Override
  public CompletionStage<JsonNode> run(WorkerContext ctx)
      throws PermanentFailure, TransientFailure {
    int failTimes = Payloads.nonNegativeInt(ctx.payload(), "failTimes", 2);
    int attempt = ctx.attempt();
    if (attempt <= failTimes) {
      throw new TransientFailure("flaky: failing attempt " + attempt + " of " + failTimes);
    }
    return CompletableFuture.completedFuture(ctx.newObject().put("attempts", attempt));
  }
}
