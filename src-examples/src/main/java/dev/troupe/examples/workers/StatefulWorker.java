package dev.troupe.examples.workers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.util.Map;

/**
 * {@code stateful}: the per-run state demo; ignores its payload. Stores "progress" = 20, 40, 60,
 * 80, 100 in the run's state, emitting {@code {"progress":p}} with each value read back from
 * the state, then clears the state and returns {@code {"progress":100}}.
 */
public final class StatefulWorker implements WorkerModule {
  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("stateful", JsonNode.class,
        WorkerConfig.DEFAULT.withDescription("Writes, reads back and clears per-run state"),
        (payload, ctx) -> {
          for (int p = 20; p <= 100; p += 20) {
            ctx.setState("progress", p);
            ctx.emit(Map.of("progress", ctx.getState("progress", Integer.class).orElseThrow()));
          }
          ctx.clearState();
          return Map.of("progress", 100);
        });
  }
}
