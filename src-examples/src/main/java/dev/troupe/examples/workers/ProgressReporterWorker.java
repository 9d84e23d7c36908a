package dev.troupe.examples.workers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.time.Duration;
import java.util.Map;

/**
 * {@code progress-reporter}: payload {@code {steps?:10, intervalMs?:200}}. For each step i of
 * 1..steps it waits {@code intervalMs}, then emits
 * {@code {"progress":i*100/steps,"message":"Processing item i/steps"}} (an integer percent);
 * finally it emits {@code {"status":"complete"}} and returns {@code {"steps":steps}}. A
 * cancelled run stops at once, with no further messages and no result.
 */
public final class ProgressReporterWorker implements WorkerModule {
  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("progress-reporter", JsonNode.class, WorkerConfig.DEFAULT.withDescription(
        "Emits a progress message every intervalMs for the given number of steps"),
        (payload, ctx) -> {
          int steps = Payloads.nonNegativeInt(payload, "steps", 10);
          int intervalMs = Payloads.nonNegativeInt(payload, "intervalMs", 200);
          for (int i = 1; i <= steps; i++) {
            ctx.sleep(Duration.ofMillis(intervalMs)); // a cancel ends the handler here
            ctx.progress(i, steps, "Processing item " + i + "/" + steps);
          }
          ctx.emit(Map.of("status", "complete"));
          return Map.of("steps", steps);
        });
  }
}
