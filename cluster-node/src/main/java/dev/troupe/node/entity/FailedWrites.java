package dev.troupe.node.entity;

import java.sql.SQLException;
import org.slf4j.Logger;

/**
 * What a worker entity's core knows of its journal writes across the restart that a failed one
 * causes. Pekko restarts the core after any failed or rejected write (it cannot know the journal's
 * sequence number otherwise); the core's run actors are kept across that restart, and this decides
 * whether they may stay:
 *
 * <ul>
 *   <li>a write refused because another node took its sequence number fences the node ({@link
 *       OwnerFence}): the runs are let go, nothing is isolated;
 *   <li>a write of a batch from the front that the front will isolate ({@link Isolation}: more than
 *       one command, or one that can be refused) keeps the runs: the state after recovery is the
 *       state before the batch, so the attempts executing are still the entity's. Only what the
 *       failed decision made in memory goes ({@link RunHost#rollBack}). A write that recovery finds
 *       in the journal after all (a failure after the commit, such as a lost connection) lets the
 *       runs go then, as before: its decision's effects never ran;
 *   <li>any other failed write (a run's report decided alone, the core's own decisions) and a
 *       failed recovery let the runs go: they are resumed after recovery with one more attempt.
 * </ul>
 */
final class FailedWrites {
  /** A write of batch {@code batch} (0: a decision of the core's own) after {@code seqBefore}. */
  private record Write(long batch, long seqBefore, boolean isolatable) {}

  private final String entityId;
  private final Logger log;
  private Write writing;
  private Write failed;
  /** Why {@link #failed} was refused, for callers; null for a taken sequence number. */
  private String refusal;
  /** The core restarted after {@link #failed} with its runs kept. */
  private boolean keptRuns;
  private boolean restarted;

  FailedWrites(String entityId, Logger log) {
    this.entityId = entityId;
    this.log = log;
  }

  /** The core writes the decision on {@code batch} (null: on a command of its own). */
  void writing(WorkerEntity.Batch batch, long seqBefore) {
    writing = batch == null ? new Write(0, seqBefore, false)
        : new Write(batch.number(), seqBefore, batch.commands().size() > 1
            || Isolation.refusable(batch.commands().get(0)));
  }

  /** The write in flight failed ({@code rejected}: its serializer rejected it, nothing written). */
  void failed(Throwable cause, boolean rejected, boolean sequenceConflict) {
    failed = writing;
    restarted = false;
    refusal = sequenceConflict ? null : describe(cause, rejected);
    if (!sequenceConflict) {
      log.warn("worker entity {}: the journal {} the write of {} ({}); the entity recovers{}",
          entityId, rejected ? "rejected" : "failed", failed.batch() == 0 ? "its own decision"
              : "batch " + failed.batch(), cause.toString(),
          failed.isolatable() ? " and its front decides the batch's commands again, one at a time"
              : " and resumes its runs");
    }
  }

  /** The core restarts: whether its runs stay (else they are let go). */
  boolean keepRuns() {
    keptRuns = failed != null && !restarted && refusal != null && failed.isolatable();
    restarted = true;
    return keptRuns;
  }

  /**
   * The core recovered, its journal's last sequence number being {@code lastSeq}: what the front
   * is told. {@code letGo} runs when the runs were kept but the failed write is in the journal.
   */
  WorkerEntity.CoreRecovered recovered(long lastSeq, Runnable letGo) {
    if (failed == null) {
      return WorkerEntity.CoreRecovered.CLEAN;
    }
    boolean written = lastSeq > failed.seqBefore();
    if (written && keptRuns) {
      log.warn("worker entity {}: its failed write of batch {} is in the journal after all; its"
          + " runs are resumed and the batch's callers are not answered", entityId, failed.batch());
      letGo.run();
    }
    WorkerEntity.CoreRecovered r = new WorkerEntity.CoreRecovered(failed.batch(), written,
        refusal);
    failed = null;
    keptRuns = false;
    return r;
  }

  /**
   * Why the journal refused a write, for the callers of a command refused for it: the serializer's
   * own words (about the data), or for a database only its SQLState (its message may name
   * internals; the node's log has it).
   */
  private static String describe(Throwable cause, boolean rejected) {
    Throwable root = cause;
    while (root.getCause() != null && root.getCause() != root) {
      root = root.getCause();
    }
    if (rejected) {
      // Jackson appends the path through Troupe's own event classes: not the caller's business
      String m = String.valueOf(root.getMessage()).split(" \\(through reference chain", 2)[0];
      return "its serializer rejected the events: " + (m.length() > 300 ? m.substring(0, 300) : m);
    }
    for (Throwable t = cause; t != null; t = t.getCause()) {
      if (t instanceof SQLException e && e.getSQLState() != null) {
        return "the database refused the write (SQLState " + e.getSQLState() + ")";
      }
    }
    return "the journal failed the write"; // the log line names the cause
  }
}
