package dev.troupe.examples.workers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.TransientFailure;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.time.Duration;
import java.util.Map;

/**
 * {@code flaky}: payload {@code {failTimes?:2}}. Attempts 1..failTimes throw {@link
 * TransientFailure} ("flaky: failing attempt n of failTimes"); the next attempt returns
 * {@code {"attempts":n}}. Retried up to 5 attempts in all, backing off from 100 ms to 2 s, so
 * {@code failTimes} of 5 or more ends the run failed.
 */
public final class FlakyWorker implements WorkerModule {
  public static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withRetry(RetryPolicy.of(5, Duration.ofMillis(100), Duration.ofSeconds(2)))
      .withDescription("Fails transiently on its first failTimes attempts, then succeeds");

  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("flaky", JsonNode.class, CONFIG, (payload, ctx) -> {
      int failTimes = Payloads.nonNegativeInt(payload, "failTimes", 2);
      if (ctx.attempt() <= failTimes) {
        throw new TransientFailure(
            "flaky: failing attempt " + ctx.attempt() + " of " + failTimes);
      }
      return Map.of("attempts", ctx.attempt());
    });
  }
}
