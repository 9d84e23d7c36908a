package dev.troupe.examples.composition;

import dev.troupe.api.Cancelled;
import dev.troupe.api.ChildRun;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.TransientFailure;
import dev.troupe.api.WorkerContext;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * {@code range-batch} with {@code parallel > 0}: each batch is a child run of {@link
 * RangeBatchPartWorker}, at most {@code parallel} unfinished at a time, anywhere in the cluster.
 * The parent emits {@code {"progress": p, "batch": i, "of": n}} as each child succeeds (i counts
 * the batches done, in the order they end). Retried or failed over, the parent calls the same
 * children again in the same order, so it finds those already started; the ones that had
 * succeeded count as {@code resumedFrom}. A batch whose child ends otherwise fails the run.
 */
final class ParallelRangeBatch {
  /** An ended child: its run, or why it could not be followed; neither when the run is cancelled. */
  private record Ended(RunResult run, Throwable failure) {}

  private static final Ended CANCELLED = new Ended(null, null);

  private ParallelRangeBatch() {}

  static RangeBatchWorker.Result run(RangeBatchWorker.Payload p,
      List<RangeBatchWorker.Range> batches, WorkerContext ctx) throws InterruptedException {
    int n = batches.size();
    BlockingQueue<Ended> ended = new LinkedBlockingQueue<>();
    ctx.onCancel(() -> ended.add(CANCELLED));
    int started = 0;
    int done = 0;
    int resumedFrom = 0;
    while (done < n) {
      while (started < n && started - done < p.parallel()) {
        ChildRun child = ctx.call(RangeBatchPartWorker.NAME, batches.get(started));
        if (child.existing() && child.status() == RunStatus.SUCCEEDED) {
          resumedFrom++;
        }
        child.result().whenComplete((run, t) -> ended.add(new Ended(run, t)));
        started++;
      }
      Ended e = ended.take();
      if (e == CANCELLED || ctx.isCancelled()) {
        throw new Cancelled("cancelled while its batches ran");
      }
      if (e.failure() != null) {
        throw new TransientFailure("a batch's child run could not be followed: "
            + e.failure().getMessage());
      }
      if (e.run().status() != RunStatus.SUCCEEDED) {
        throw new PermanentFailure("batch child run " + e.run().runId() + " ended "
            + e.run().status() + (e.run().error() == null ? "" : ": " + e.run().error().message()));
      }
      done++;
      ctx.emit(ctx.newObject().put("progress", (int) (done * 100L / n)).put("batch", done)
          .put("of", n));
    }
    return new RangeBatchWorker.Result(p.total(), n, resumedFrom);
  }
}
