package dev.troupe.examples.workers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.BlockingWorker;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import java.time.Duration;

/**
 * {@code checkpointed-batch}: payload {@code {batches?:20, batchMs?:100}}. Resumes after the
 * last checkpoint {@code {"completed":k}} (k = 0 on a first attempt); for each batch b of
 * k+1..batches it works {@code batchMs}, emits {@code {"batch":b,"of":batches}} and persists the
 * checkpoint {@code {"completed":b}} before going on. Returns
 * {@code {"batches":batches,"resumedFrom":k}}; a cancelled run stops at once with no result.
 * Retried up to 5 attempts, each resuming where the last one stopped.
 */
public final class CheckpointedBatchWorker implements BlockingWorker {
  public static final String NAME = "checkpointed-batch";

  public static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withRetry(RetryPolicy.of(5, Duration.ofMillis(200), Duration.ofSeconds(5)))
      .withDescription("Works through batches, checkpointing each so a retry resumes after it");

  @Override
  public JsonNode run(WorkerContext ctx) throws PermanentFailure {
    int batches = Payloads.nonNegativeInt(ctx.payload(), "batches", 20);
    Duration batchTime = Duration.ofMillis(Payloads.nonNegativeInt(ctx.payload(), "batchMs", 100));
    int resumedFrom = ctx.lastCheckpoint().map(c -> c.path("completed").asInt(0)).orElse(0);
    if (resumedFrom > 0) {
      ctx.info("Resuming after batch " + resumedFrom + " of " + batches);
    }
    for (int b = resumedFrom + 1; b <= batches; b++) {
      // the simulated work of one batch, cut short by a cancel
      ctx.sleep(batchTime);
      ctx.emit(ctx.newObject().put("batch", b).put("of", batches));
      ctx.checkpoint(ctx.newObject().put("completed", b)); // returns once durable
    }
    return ctx.newObject().put("batches", batches).put("resumedFrom", resumedFrom);
  }
}
