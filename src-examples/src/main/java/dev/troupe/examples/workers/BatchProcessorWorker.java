package dev.troupe.examples.workers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.util.Map;

/**
 * {@code batch-processor}: payload {@code {items:[…]}}; a missing or non-array {@code items}
 * fails permanently with "items must be an array". For the i-th of n items (i from 1) it emits
 * {@code {"current":i,"total":n,"progress":i*100/n,"item":item}} (an integer percent) and
 * returns {@code {"processed":n}}. Items are processed in memory, within the call.
 */
public final class BatchProcessorWorker implements WorkerModule {
  record ItemDone(int current, int total, int progress, JsonNode item) {}

  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("batch-processor", JsonNode.class, WorkerConfig.DEFAULT.withDescription(
        "Reports progress over payload.items, one message per item"), (payload, ctx) -> {
          JsonNode items = payload.path("items");
          if (!items.isArray()) {
            throw new PermanentFailure("items must be an array");
          }
          int total = items.size();
          for (int i = 1; i <= total; i++) {
            ctx.emit(new ItemDone(i, total, (int) (i * 100L / total), items.get(i - 1)));
          }
          return Map.of("processed", total);
        });
  }
}
