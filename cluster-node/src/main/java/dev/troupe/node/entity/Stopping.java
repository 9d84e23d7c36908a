package dev.troupe.node.entity;

import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunError;
import dev.troupe.api.RunStatus;
import dev.troupe.persistence.RunIds;
import dev.troupe.persistence.RunRecord;
import dev.troupe.persistence.WorkerEvent;
import dev.troupe.persistence.WorkerState;
import java.util.ArrayList;
import java.util.List;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.slf4j.Logger;

/**
 * A worker entity's decisions while it stops, in one of two ways.
 *
 * <p>A node's drain ({@link NodeDrain}): calls are refused, no queued run starts, running ones
 * finish up to {@code troupe.shutdown.drain-timeout}; then those left are queued again or
 * cancelled.
 *
 * <p>Sharding's hand-off ({@link WorkerEntity.Stop}: the entity moves to another node): calls
 * that reach it are still accepted and queued, no queued run and no retry starts, and running
 * attempts may finish for {@code troupe.worker.handoff-grace} (their outcomes, emits and
 * checkpoints are written as usual). Once none runs, or when the grace is over, what still
 * executes here is handed over in one journal entry: each attempt is stopped first (cancelled,
 * its actor stopped), then recorded as given back ({@link WorkerEvent.AttemptHandedOver}); a run
 * waiting for its retry is queued again for it ({@link WorkerEvent.RunInterrupted}). The next
 * owner, which sharding starts only once this entity has stopped, runs them as the same attempt
 * (the retry: as the next one), so a move costs no attempt. Runs executing in the state but not
 * on this node (lost with an earlier node) are left to the next owner, which counts them lost.
 */
final class Stopping {
  private final String entityId;
  private final String worker;
  private final EntityServices services;
  private final RunHost host;
  private final Attempts attempts;
  private final ActorRef<WorkerEntity.Command> front;
  private final Logger log;
  private final List<ActorRef<Done>> drainWaiters = new ArrayList<>();
  private boolean draining;
  private boolean handingOff;
  private boolean graceOver;
  private boolean handedOver;

  Stopping(String entityId, EntityServices services, RunHost host, Attempts attempts,
      ActorRef<WorkerEntity.Command> front, Logger log) {
    this.entityId = entityId;
    this.worker = RunIds.workerOf(entityId);
    this.services = services;
    this.host = host;
    this.attempts = attempts;
    this.front = front;
    this.log = log;
  }

  /** Whether the node drains: its calls are refused. */
  boolean draining() {
    return draining;
  }

  // a node's drain

  void onDrain(Decision d, WorkerEntity.Drain drain) {
    draining = true;
    attempts.hold(false);
    d.then(() -> drainWaiters.add(drain.replyTo()));
  }

  /**
   * The drain's cancel of the runs still executing: a run without steps to compensate ends
   * CANCELLED at once; one with steps to compensate (or already compensating) is recorded
   * cancelled and queued again, so that its entity's next incarnation compensates it (the drain's
   * time is up) and ends it CANCELLED (FAILED if it was failing for good).
   */
  void onCancelExecuting(Decision d, WorkerEntity.CancelExecuting ce) {
    for (RunRecord r : d.state().activeRuns()) {
      if (r.isExecuting() && FailureCompensation.cancelLater(d, r)) {
        attempts.interrupt(d, r, ce.reason());
      } else if (r.isExecuting()) {
        attempts.finish(d, r, RunStatus.CANCELLED, null,
            new RunError(ErrorCode.CANCELLED, ce.reason()));
      }
    }
    d.then(() -> ce.replyTo().tell(Done.getInstance()));
  }

  void onRequeueExecuting(Decision d, WorkerEntity.RequeueExecuting rq) {
    services.registry().find(worker).ifPresent(reg -> {
      for (RunRecord r : d.state().activeRuns()) {
        if (r.isExecuting()) {
          attempts.requeue(d, r, reg, rq.reason());
        }
      }
    });
    d.then(() -> rq.replyTo().tell(Done.getInstance()));
  }

  // sharding's hand-off

  void onHandOff(Decision d, WorkerEntity.HandOff h) {
    handingOff = true;
    attempts.hold(true);
  }

  void onHandOver(Decision d, WorkerEntity.HandOver h) {
    graceOver = true;
  }

  /** After each batch's decisions: a hand-off goes on, the drain's waiters are answered. */
  void afterBatch(Decision d) {
    if (handingOff && !handedOver) {
      handOver(d);
    }
    d.thenWithState(this::answerDrainWaiters);
  }

  /**
   * Hands over the runs executing here once none of them runs an attempt, or once the grace is
   * over; then tells the front. Each attempt is stopped before its hand-over is recorded: nothing
   * of it may go on once another node can run it.
   */
  private void handOver(Decision d) {
    List<RunRecord> here = d.state().activeRuns().stream()
        .filter(r -> r.isExecuting() && host.hasActor(r.runId())).toList();
    if (!graceOver && here.stream().anyMatch(r -> r.status() == RunStatus.RUNNING)) {
      return; // they may still finish here
    }
    for (RunRecord r : here) {
      host.interrupted(r.runId(), "its worker entity moves to another node");
      d.persist(r.status() == RunStatus.RUNNING
          ? new WorkerEvent.AttemptHandedOver(r.runId(), r.attempts(), r.epoch(), d.now)
          : new WorkerEvent.RunInterrupted(r.runId(), d.now));
    }
    d.then(() -> {
      handedOver = true;
      log.info("worker entity {} handed off: {} runs handed over to where it runs next",
          entityId, here.size());
      front.tell(WorkerEntity.HandedOff.INSTANCE);
    });
  }

  /** Answers the drain's waiters once no run executes. */
  private void answerDrainWaiters(WorkerState s) {
    if (!drainWaiters.isEmpty() && s.executingCount() == 0) {
      drainWaiters.forEach(w -> w.tell(Done.getInstance()));
      drainWaiters.clear();
    }
  }
}
