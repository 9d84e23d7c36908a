package dev.troupe.examples.composition;

import dev.troupe.api.BatchWorker;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;

/**
 * {@code range-batch}, FlowKit's batch handler as a {@link BatchWorker}: payload {@code
 * {"total"?: 100, "batchSize"?: 10, "batchMs"?: 50, "parallel"?: 0}}. Works through the items
 * {@code 0..total-1} in batches of {@code batchSize}, each taking {@code batchMs}; Troupe writes
 * a checkpoint after every batch and emits {@code {"progress": p, "batch": i, "of": n}}. Returns
 * {@code {"totalItems": total, "batches": ceil(total/batchSize), "resumedFrom": k}}, k being the
 * batches done before the attempt that finished (0 without a crash or a retry). With {@code
 * parallel} from 1 to {@value #MAX_PARALLEL}, Troupe runs the batches as child runs of {@code
 * range-batch-part} instead, that many at a time. Retried up to 5 attempts, each resuming after
 * the last checkpoint (or finding the children already started).
 */
public final class RangeBatchWorker implements BatchWorker<RangeBatchWorker.Payload,
    RangeBatchWorker.Range, RangeBatchWorker.Done, RangeBatchWorker.Result> {
  public static final String NAME = "range-batch";
  public static final int MAX_PARALLEL = 16;

  public static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withRetry(RetryPolicy.of(5, Duration.ofMillis(200), Duration.ofSeconds(5)))
      .withDescription("Works through a range of items in batches, resuming after the last one");

  /** {@code range-batch-part}'s: one batch as a child run, at most 16 of them at once. */
  public static final WorkerConfig PART_CONFIG = WorkerConfig.DEFAULT
      .withMaxConcurrent(MAX_PARALLEL)
      .withRetry(RetryPolicy.of(3, Duration.ofMillis(200), Duration.ofSeconds(2)))
      .withDescription("One batch of range-batch, as a child run");

  /** The payload; a missing field takes its default. */
  public record Payload(Integer total, Integer batchSize, Integer batchMs, Integer parallel) {
    public Payload {
      total = total == null ? 100 : total;
      batchSize = batchSize == null ? 10 : batchSize;
      batchMs = batchMs == null ? 50 : batchMs;
      parallel = parallel == null ? 0 : parallel;
    }
  }

  /** Items {@code from} (inclusive) to {@code to} (exclusive), taking {@code ms} to work. */
  public record Range(int from, int to, int ms) {}

  /** The checkpoint: the items before {@code next} are done. */
  public record Done(int next) {}

  public record Result(int totalItems, int batches, int resumedFrom) {}

  @Override
  public int parallelism(Payload p) {
    check(p.parallel() >= 0 && p.parallel() <= MAX_PARALLEL, "payload.parallel: expected 0 (one"
        + " batch after the other) to " + MAX_PARALLEL + " (batches as child runs), got "
        + p.parallel());
    return p.parallel();
  }

  @Override
  public List<Range> batches(Payload p, Done last) {
    check(p.total() >= 0, "payload.total: expected a number of items of 0 or more, got "
        + p.total());
    check(p.batchSize() >= 1, "payload.batchSize: expected 1 or more, got " + p.batchSize());
    check(p.batchMs() >= 0, "payload.batchMs: expected 0 or more, got " + p.batchMs());
    List<Range> ranges = new ArrayList<>();
    for (int from = last == null ? 0 : last.next(); from < p.total(); from += p.batchSize()) {
      ranges.add(new Range(from, Math.min(p.total(), from + p.batchSize()), p.batchMs()));
    }
    return ranges;
  }

  @Override
  public Done process(Range batch, WorkerContext ctx) {
    // the simulated work of one batch, cut short by a cancel
    ctx.sleep(Duration.ofMillis(batch.ms()));
    return new Done(batch.to());
  }

  @Override
  public Result finish(BatchSummary<Payload, Done> summary, WorkerContext ctx) {
    return new Result(summary.payload().total(), summary.batches(), summary.resumedFrom());
  }

  private static void check(boolean ok, String message) {
    if (!ok) {
      throw new PermanentFailure(message);
    }
  }
}
