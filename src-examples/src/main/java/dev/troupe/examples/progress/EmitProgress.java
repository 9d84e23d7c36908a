package dev.troupe.examples.progress;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.time.Duration;
import java.util.Map;

/**
 * {@code emit-progress}, the seed's message emission as it stands: ten steps of 200 ms, each
 * emitting {@code {"progress": i*10, "message": "Processing item i/10"}}, then {@code
 * {"status": "complete"}}; no result. A cancel ends it at the step it is in. The demo worker
 * {@code progress-reporter} is the same loop with its steps and interval read from the payload.
 */
public final class EmitProgress implements WorkerModule {
  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("emit-progress", JsonNode.class, (payload, ctx) -> {
      for (int i = 1; i <= 10; i++) {
        ctx.progress(i, 10, "Processing item " + i + "/10");
        ctx.sleep(Duration.ofMillis(200));
      }
      ctx.emit(Map.of("status", "complete"));
      return null;
    });
  }
}
