package dev.troupe.examples.composition;

import dev.troupe.api.RetryPolicy;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import java.time.Duration;
import java.util.Map;

/**
 * {@code range-batch-part}: one batch of {@code range-batch} run as a child run (its {@code
 * parallel > 0} mode). Payload {@code {"from", "to", "ms"}}: works through the items {@code
 * from..to-1} for {@code ms}, cut short by a cancel; result {@code {"items": to - from}}.
 */
public final class RangeBatchPartWorker {
  public static final String NAME = "range-batch-part";

  public static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withMaxConcurrent(RangeBatchWorker.MAX_PARALLEL)
      .withRetry(RetryPolicy.of(3, Duration.ofMillis(200), Duration.ofSeconds(2)))
      .withDescription("One batch of range-batch, as a child run");

  private RangeBatchPartWorker() {}

  static Map<String, Integer> run(RangeBatchWorker.Range batch, WorkerContext ctx) {
    ctx.sleep(Duration.ofMillis(batch.ms()));
    return Map.of("items", batch.to() - batch.from());
  }
}
