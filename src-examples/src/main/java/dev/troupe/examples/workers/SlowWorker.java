package dev.troupe.examples.workers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.time.Duration;
import java.util.Map;

/**
 * {@code slow-worker}: payload {@code {ms?:10000}}. Blocks for {@code ms} milliseconds with the
 * cooperative {@link WorkerContext#sleep(Duration)} and returns {@code {"sleptMs":ms}}; a cancel
 * or timeout cuts the sleep short and the run then has no result. For cancellation and timeout
 * demos.
 */
public final class SlowWorker implements WorkerModule {
  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("slow-worker", JsonNode.class, WorkerConfig.DEFAULT.withDescription(
        "Sleeps for payload.ms (default 10 s); cut short by cancel or timeout"),
        (payload, ctx) -> {
          int ms = Payloads.nonNegativeInt(payload, "ms", 10_000);
          ctx.sleep(Duration.ofMillis(ms)); // a cancel ends the handler here
          return Map.of("sleptMs", ms);
        });
  }
}
