package dev.troupe.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.Collections;
import java.util.List;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;

/**
 * A batch run whose batches are child runs ({@link BatchWorker#parallelism} above 0), on the
 * parent's handler thread: batch i (from 1) is the child {@code batch-i} of {@link
 * Batches#partName} (its key is deterministic, so a later attempt finds it), started in the
 * batches' order, at most {@code parallelism} unfinished at a time, none once the run is
 * cancelled. Progress is emitted as each child succeeds in this attempt: a child that had
 * already succeeded before it counts in {@code resumedFrom} and in the batches done, and its
 * progress, emitted by an earlier attempt, is not emitted again.
 */
final class BatchParts {
  /** A child that ended: its run, or why it could not be followed. */
  private record Ended(int index, RunResult run, Throwable failure) {}

  /** Put in the queue by a cancel of the attempt. */
  private static final Ended CANCELLED = new Ended(-1, null, null);

  private BatchParts() {}

  static <P, B, C, R> JsonNode run(WorkerContext ctx, P payload, BatchWorker<P, B, C, R> worker,
      int parallelism) {
    List<B> batches = Batches.batches(worker, payload, null);
    int n = batches.size();
    String part = Batches.partName(ctx.workerName());
    BlockingQueue<Ended> ended = new LinkedBlockingQueue<>();
    ctx.onCancel(() -> ended.add(CANCELLED));
    List<C> checkpoints = new ArrayList<>(Collections.nCopies(n, null));
    boolean[] doneBefore = new boolean[n];
    int started = 0;
    int done = 0;
    int resumedFrom = 0;
    while (done < n) {
      while (started < n && started - done < parallelism) {
        if (ctx.isCancelled()) {
          throw new Cancelled("cancelled between batches");
        }
        int i = started++;
        ChildRun child = ctx.call(part, batches.get(i),
            ChildOptions.DEFAULT.named("batch-" + (i + 1)));
        if (child.existing() && child.status() == RunStatus.SUCCEEDED) {
          doneBefore[i] = true;
          resumedFrom++;
        }
        child.result().whenComplete((run, failure) -> ended.add(new Ended(i, run, failure)));
      }
      Ended e = next(ended);
      if (e == CANCELLED || ctx.isCancelled()) {
        throw new Cancelled("cancelled while its batches ran as child runs");
      }
      checkpoints.set(e.index(), checkpoint(ctx, worker, e, n, part));
      done++;
      if (!doneBefore[e.index()]) {
        Batches.progress(ctx, done, n);
      }
    }
    C last = n == 0 ? null : checkpoints.get(n - 1);
    R result = worker.finish(new BatchWorker.BatchSummary<>(payload, last, n, resumedFrom,
        checkpoints), ctx);
    return Jobs.result(ctx, result);
  }

  private static Ended next(BlockingQueue<Ended> ended) {
    try {
      return ended.take();
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new Cancelled("cancelled while its batches ran as child runs");
    }
  }

  /**
   * The checkpoint a batch's child returned. A child that ended otherwise fails the run for good
   * with its label: a later attempt would find the same child ended the same way.
   */
  private static <C> C checkpoint(WorkerContext ctx, BatchWorker<?, ?, C, ?> worker, Ended e,
      int n, String part) {
    String batch = "batch " + (e.index() + 1) + " of " + n;
    if (e.failure() != null) {
      throw new TransientFailure("the child run of " + batch + " could not be followed: "
          + e.failure().getMessage(), e.failure());
    }
    RunResult run = e.run();
    if (run.status() != RunStatus.SUCCEEDED) {
      RunError error = run.error();
      throw new PermanentFailure(batch + " failed: its child run " + run.runId() + " of " + part
          + " ended " + run.status() + (error == null ? "" : ": " + error.message()),
          error == null ? null : error.label(), null);
    }
    return run.result() == null ? null : Batches.checkpoint(ctx, worker, run.result());
  }
}
