package dev.troupe.examples.workers;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.time.Duration;

/**
 * {@code checkpointed-batch}: payload {@code {batches?:20, batchMs?:100}}. Resumes after the
 * last checkpoint {@code {"completed":k}} (k = 0 on a first attempt); for each batch b of
 * k+1..batches it works {@code batchMs}, emits {@code {"batch":b,"of":batches}} and persists the
 * checkpoint {@code {"completed":b}} before going on. Returns
 * {@code {"batches":batches,"resumedFrom":k}}; a cancelled run stops at once with no result.
 * Retried up to 5 attempts, each resuming where the last one stopped.
 */
public final class CheckpointedBatchWorker implements WorkerModule {
  public static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withRetry(RetryPolicy.of(5, Duration.ofMillis(200), Duration.ofSeconds(5)))
      .withDescription("Works through batches, checkpointing each so a retry resumes after it");

  record Completed(int completed) {}

  record BatchDone(int batch, int of) {}

  record Finished(int batches, int resumedFrom) {}

  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("checkpointed-batch", JsonNode.class, CONFIG, (payload, ctx) -> {
      int batches = Payloads.nonNegativeInt(payload, "batches", 20);
      Duration batchTime = Duration.ofMillis(Payloads.nonNegativeInt(payload, "batchMs", 100));
      int resumedFrom = ctx.lastCheckpoint(Completed.class).map(Completed::completed).orElse(0);
      if (resumedFrom > 0) {
        ctx.info("Resuming after batch {} of {}", resumedFrom, batches);
      }
      for (int b = resumedFrom + 1; b <= batches; b++) {
        ctx.sleep(batchTime); // the simulated work of one batch, cut short by a cancel
        ctx.emit(new BatchDone(b, batches));
        ctx.checkpoint(new Completed(b)); // returns once durable
      }
      return new Finished(batches, resumedFrom);
    });
  }
}
