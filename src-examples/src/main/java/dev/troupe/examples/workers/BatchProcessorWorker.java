package dev.troupe.examples.workers;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code batch-processor}: payload {@code {items:[…]}}; a missing or non-array {@code items}
 * fails permanently with "items must be an array". For the i-th of n items (i from 1) it emits
 * {@code {"current":i,"total":n,"progress":i*100/n,"item":item}} (an integer percent) and
 * returns {@code {"processed":n}}. Items are processed in memory, within the call.
 */
public final class BatchProcessorWorker implements Worker {
  public static final String NAME = "batch-processor";

  public static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withDescription("Reports progress over payload.items, one message per item");

  @Override
  public CompletionStage<JsonNode> run(WorkerContext ctx) throws PermanentFailure {
    JsonNode items = ctx.payload().path("items");
    if (!items.isArray()) {
      throw new PermanentFailure("items must be an array");
    }
    int total = items.size();
    for (int i = 1; i <= total; i++) {
      ObjectNode message = ctx.newObject()
          .put("current", i)
          .put("total", total)
          .put("progress", (int) (i * 100L / total));
      message.set("item", items.get(i - 1));
      ctx.emit(message);
    }
    return CompletableFuture.completedFuture(ctx.newObject().put("processed", total));
  }
}
