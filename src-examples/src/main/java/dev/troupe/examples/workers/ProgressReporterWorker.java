package dev.troupe.examples.workers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code progress-reporter}: payload {@code {steps?:10, intervalMs?:200}}. For each step i of
 * 1..steps it waits {@code intervalMs} without blocking, then emits
 * {@code {"progress":i*100/steps,"message":"Processing item i/steps"}} (an integer percent);
 * finally it emits {@code {"status":"complete"}} and returns {@code {"steps":steps}}. A
 * cancelled run stops at once, with no further messages and no result.
 */
public final class ProgressReporterWorker implements Worker {
  public static final String NAME = "progress-reporter";

  public static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withDescription("Emits a progress message every intervalMs for the given number of steps");

  @Override
  public CompletionStage<JsonNode> run(WorkerContext ctx) throws PermanentFailure {
    int steps = Payloads.nonNegativeInt(ctx.payload(), "steps", 10);
    Duration interval =
        Duration.ofMillis(Payloads.nonNegativeInt(ctx.payload(), "intervalMs", 200));
    return step(ctx, 1, steps, interval)
        .thenApply(finished -> finished ? ctx.newObject().put("steps", steps) : null);
  }

  /** Waits, reports step {@code i}, then chains the next step; completes false once cancelled. */
  private static CompletionStage<Boolean> step(WorkerContext ctx, int i, int steps,
      Duration interval) {
    if (i > steps) {
      ctx.emit(ctx.newObject().put("status", "complete"));
      return CompletableFuture.completedFuture(true);
    }
    return ctx.delay(interval).thenCompose(waited -> {
      if (!waited || ctx.isCancelled()) {
        return CompletableFuture.completedFuture(false);
      }
      ctx.emit(ctx.newObject()
          .put("progress", (int) (i * 100L / steps))
          .put("message", "Processing item " + i + "/" + steps));
      return step(ctx, i + 1, steps, interval);
    });
  }
}
