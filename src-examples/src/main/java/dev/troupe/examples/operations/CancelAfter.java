package dev.troupe.examples.operations;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.RunStatus;
import dev.troupe.api.Troupe;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.TimeUnit;

/**
 * Cancelling a run from application code: start {@code slow-worker}, cancel it after a while,
 * and answer "completed" or "cancelled" by how it ended. The handler needs nothing for this: its
 * {@code ctx.sleep} ends it on cancel. Over HTTP the cancel is {@code POST
 * /api/v1/runs/{id}/cancel}.
 */
public final class CancelAfter {
  private CancelAfter() {}

  /**
   * Calls {@code slow-worker} with {@code payload} and cancels the run after {@code delay}; a run
   * that has finished by then is left as it is (its cancel fails, unobserved).
   */
  public static CompletionStage<String> slowWorker(Troupe troupe, JsonNode payload,
      Duration delay) {
    return troupe.call("slow-worker", payload).thenCompose(handle -> {
      CompletableFuture.delayedExecutor(delay.toMillis(), TimeUnit.MILLISECONDS)
          .execute(handle::cancel);
      return handle.result();
    }).thenApply(r -> r.status() == RunStatus.SUCCEEDED ? "completed" : "cancelled");
  }
}
