package dev.troupe.node.entity;

import dev.troupe.api.RunError;
import dev.troupe.persistence.RunRecord;
import dev.troupe.persistence.StepRecord;
import dev.troupe.persistence.WorkerEvent;

/**
 * The decisions that keep a saga's promise when no attempt is left to keep it: a run that ends
 * FAILED or CANCELLED with steps awaiting their compensation is first given one more attempt
 * that only runs them. Each records its event in the batch's {@link Decision}; the caller queues
 * the run again.
 */
final class FailureCompensation {
  private FailureCompensation() {}

  /** Whether one of the run's succeeded steps has a compensation that has not succeeded yet. */
  static boolean awaited(RunRecord r) {
    return r.steps().stream().anyMatch(StepRecord::awaitsCompensation);
  }

  /**
   * Records that {@code r} failed for good with {@code error} and ends FAILED with it once its
   * compensations ran; false, and nothing recorded, when no step awaits its compensation.
   */
  static boolean request(Decision d, RunRecord r, RunError error) {
    if (!awaited(r)) {
      return false;
    }
    d.persist(new WorkerEvent.FailureCompensationRequested(r.runId(), error, d.now));
    return true;
  }

  /**
   * Records the cancel of {@code r} (unless it is compensating already) for an attempt to come
   * to compensate it; false, and nothing recorded, when it has nothing to compensate.
   */
  static boolean cancelLater(Decision d, RunRecord r) {
    if (r.isCompensating()) {
      return true;
    }
    if (!awaited(r)) {
      return false;
    }
    d.persist(new WorkerEvent.CancelRequested(r.runId(), d.now));
    return true;
  }
}
