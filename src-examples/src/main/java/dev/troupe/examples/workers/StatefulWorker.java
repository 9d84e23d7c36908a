package dev.troupe.examples.workers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code stateful}: the per-run state demo; ignores its payload. Stores "progress" = 20, 40, 60,
 * 80, 100 in the run's state, emitting {@code {"progress":p}} with each value read back from
 * the state, then clears the state and returns {@code {"progress":100}}.
 */
public final class StatefulWorker implements Worker {
  public static final String NAME = "stateful";

  public static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withDescription("Writes, reads back and clears per-run state");

  @Override
  public CompletionStage<JsonNode> run(WorkerContext ctx) {
    for (int p = 20; p <= 100; p += 20) {
      ctx.setState("progress", p);
      int stored = ctx.getState("progress", Integer.class)
          .orElseThrow(() -> new IllegalStateException("state 'progress' was not kept"));
      ctx.emit(ctx.newObject().put("progress", stored));
    }
    ctx.clearState();
    return CompletableFuture.completedFuture(ctx.newObject().put("progress", 100));
  }
}
