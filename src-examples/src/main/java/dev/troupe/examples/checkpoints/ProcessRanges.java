package dev.troupe.examples.checkpoints;

import dev.troupe.api.RetryPolicy;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;
import java.net.ConnectException;
import java.time.Duration;
import java.util.Map;
import java.util.Objects;
import java.util.function.LongPredicate;

/**
 * {@code process-ranges}: a batch handler with checkpoints and error classification. It splits
 * {@code 0..total} (default 100) into batches of {@code batchSize} (default 10), processes each
 * range (the sum of its squares, standing for real work) and checkpoints {@code
 * {"nextStart", "processed", "sum"}} after each one, so a retry or a failover resumes after the
 * last durable batch. It emits {@code {"batch": "batch_<start>", "itemsProcessed": n}} per batch
 * and returns {@code {"totalItems", "sum"}}.
 *
 * <p>Errors are classified as the seed's {@code classify_error} does: an {@code
 * IllegalArgumentException} (a bad {@code batchSize}, the seed's {@code ValueError}) is permanent,
 * anything else transient. Cancellation needs no flag: {@code ctx.sleep} ends the handler. The
 * item {@code payload.failOn}, when given, fails with a {@link ConnectException} on the first
 * attempt, to show a retry resuming from its checkpoint.
 */
public final class ProcessRanges implements WorkerModule {
  static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withRetry(RetryPolicy.of(3, Duration.ofMillis(100), Duration.ofSeconds(1)))
      .withErrorClassifier(failure -> failure instanceof IllegalArgumentException);

  record Input(Integer total, Integer batchSize, Long failOn) {}

  record Checkpoint(long nextStart, long processed, long sum) {}

  @Override
  public void install(WorkerRegistrar troupe) {
    troupe.job("process-ranges", Input.class, CONFIG, (input, ctx) -> {
      int total = Objects.requireNonNullElse(input.total(), 100);
      int batchSize = Objects.requireNonNullElse(input.batchSize(), 10);
      if (batchSize <= 0) {
        throw new IllegalArgumentException("batchSize must be positive, was " + batchSize);
      }
      LongPredicate fails = i -> ctx.attempt() == 1 && Objects.equals(input.failOn(), i);
      Checkpoint at = ctx.lastCheckpoint(Checkpoint.class).orElse(new Checkpoint(0, 0, 0));
      for (long start = at.nextStart(); start < total; start += batchSize) {
        long end = Math.min(start + batchSize, total);
        long sum = 0;
        for (long i = start; i < end; i++) {
          if (fails.test(i)) {
            throw new ConnectException("lost the connection at item " + i);
          }
          sum += i * i;
        }
        ctx.sleep(Duration.ofMillis(10)); // the batch's I/O; a cancel ends the handler here
        at = new Checkpoint(end, at.processed() + end - start, at.sum() + sum);
        ctx.checkpoint(at); // durable when it returns
        ctx.emit(Map.of("batch", "batch_" + start, "itemsProcessed", end - start));
      }
      return Map.of("totalItems", at.processed(), "sum", at.sum());
    });
  }
}
