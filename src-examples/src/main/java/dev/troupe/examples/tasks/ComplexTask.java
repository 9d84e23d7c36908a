package dev.troupe.examples.tasks;

import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;

/**
 * {@code complex-task}: works through {@code payload.steps} steps (default 10) of {@code
 * payload.stepMs} each (default 500), reporting {@code {"progress": percent, "message": "Step
 * i/n"}} after each; returns {@code {"stepsCompleted": n}}. The run id, attempt and deadline the
 * seed passes as arguments are on the context ({@code ctx.runId()}, ...).
 */
public final class ComplexTask implements WorkerModule {
  record Steps(Integer steps, Integer stepMs) {}

  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("complex-task", Steps.class, (params, ctx) -> {
      int total = Objects.requireNonNullElse(params.steps(), 10);
      Duration step = Duration.ofMillis(Objects.requireNonNullElse(params.stepMs(), 500));
      for (int i = 1; i <= total; i++) {
        ctx.sleep(step); // the work of one step; a cancel ends the handler here
        ctx.progress(i, total, "Step " + i + "/" + total);
      }
      return Map.of("stepsCompleted", total);
    });
  }
}
