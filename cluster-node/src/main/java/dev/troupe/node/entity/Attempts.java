package dev.troupe.node.entity;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.RateLimit;
import dev.troupe.api.RunError;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.registry.Registration;
import dev.troupe.node.run.Granted;
import dev.troupe.node.run.LiveRun;
import dev.troupe.persistence.ReadyQueue;
import dev.troupe.persistence.RunClock;
import dev.troupe.persistence.RunRecord;
import dev.troupe.persistence.WorkerEvent;
import dev.troupe.persistence.WorkerState;
import java.time.Instant;
import java.util.Iterator;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * A worker entity's decisions on the attempts of its runs: moving scheduled runs to the queue
 * once due, starting queued runs (by priority, in turn across concurrency keys) within the
 * definition's limits ({@code maxConcurrent}, {@code maxConcurrentPerKey}) and the node's, recording each attempt's outcome (epoch-fenced: a
 * superseded attempt's report is ignored), checkpoints, emitted events, interruptions and each
 * run's end. Each decision records events in the batch's {@link Decision} and acts only once they
 * are written. While the entity stops ({@link Stopping}) its starts, and on a hand-off its
 * retries, are held.
 */
final class Attempts {
  private final String worker;
  private final EntityServices services;
  private final RunHost host;
  private final Logger log;
  private final StartWindows windows = new StartWindows();
  /** No queued or scheduled run starts (the entity drains or is handed off). */
  private boolean startsHeld;
  /** No retry starts either (the entity is handed off: its next owner starts them). */
  private boolean retriesHeld;
  private boolean resumed;
  /**
   * When a rate limit next allows a start that the last dispatch held back for it, or null when
   * nothing waits for a rate limit (it waits for a run to end, or for a node slot, or for nothing).
   */
  private Instant rateWakeAt;

  Attempts(String worker, EntityServices services, RunHost host, Logger log) {
    this.worker = worker;
    this.services = services;
    this.host = host;
    this.log = log;
  }

  /** From now on no queued or scheduled run starts here; {@code retries}: nor does a retry. */
  void hold(boolean retries) {
    startsHeld = true;
    retriesHeld |= retries;
  }

  // reports of run actors

  void onOutcome(Decision d, WorkerEntity.AttemptOutcome o) {
    Optional<RunRecord> current = d.state().activeRun(o.runId())
        .filter(r -> r.epoch() == o.epoch() && r.status() == RunStatus.RUNNING);
    if (current.isEmpty()) {
      log.info("run {}: ignored outcome {} of superseded attempt (epoch {})",
          o.runId(), o.outcome(), o.epoch());
      return;
    }
    RunRecord r = current.get();
    switch (o.outcome()) {
      case SUCCEEDED -> finish(d, r, RunStatus.SUCCEEDED, o.result(), null);
      case FAILED -> finish(d, r, RunStatus.FAILED, null, o.error());
      case TIMED_OUT -> finish(d, r, RunStatus.TIMED_OUT, null, o.error());
      case CANCELLED -> finish(d, r, RunStatus.CANCELLED, null, o.error());
      case RETRY -> {
        d.persist(new WorkerEvent.AttemptFailed(r.runId(), r.attempts(), o.error(), d.now));
        host.status(d, r.runId(), RunStatus.RETRYING, r.attempts(), o.error());
      }
    }
  }

  void onNextAttempt(Decision d, WorkerEntity.RequestNextAttempt req) {
    Optional<RunRecord> current = d.state().activeRun(req.runId())
        .filter(r -> r.epoch() == req.epoch() && r.status() == RunStatus.RETRYING);
    if (current.isEmpty() || retriesHeld) {
      log.info("run {}: no next attempt after epoch {} ({})", req.runId(), req.epoch(),
          retriesHeld ? "the entity is handed off: it retries where it runs next" : "superseded");
      return;
    }
    Granted grant = startAttempt(d, current.get());
    d.then(() -> req.replyTo().tell(grant));
  }

  void onCheckpoint(Decision d, WorkerEntity.SaveCheckpoint s) {
    if (!isCurrent(d, s.runId(), s.epoch())) {
      d.then(() -> s.replyTo().tell(superseded("checkpoint", s.runId(), s.epoch())));
      return;
    }
    d.persist(new WorkerEvent.Checkpointed(s.runId(), s.epoch(), s.data(), d.now));
    d.then(() -> s.replyTo().tell(WorkerEntity.Written.INSTANCE));
  }

  /** Records a step change of the attempt in progress, with its {@code step} stream event. */
  void onRecordStep(Decision d, WorkerEntity.RecordStep s) {
    if (!isCurrent(d, s.runId(), s.epoch())) {
      d.then(() -> s.replyTo().tell(superseded("step", s.runId(), s.epoch())));
      return;
    }
    d.persist(new WorkerEvent.StepRecorded(s.runId(), s.epoch(), s.step(), d.now));
    host.event(d, s.runId(), RunEvent.STEP, s.step().toEvent(services.mapper()));
    d.then(() -> s.replyTo().tell(WorkerEntity.Written.INSTANCE));
  }

  private static WorkerEntity.Refused superseded(String write, String runId, long epoch) {
    return new WorkerEntity.Refused(WorkerEntity.Refused.Reason.RUN_FINISHED, write
        + " refused: attempt (epoch " + epoch + ") of run " + runId + " is superseded");
  }

  void onEmit(Decision d, WorkerEntity.Emit e) {
    LiveRun r = host.find(e.runId());
    if (r == null || !isCurrent(d, e.runId(), e.epoch())) {
      log.info("run {}: ignored a {} event from superseded attempt (epoch {})",
          e.runId(), e.type(), e.epoch());
      if (r != null) {
        d.then(r::refused);
      }
      return;
    }
    RunEvent event = host.written(d, e.runId(), e.type(), e.data(), e.at());
    d.then(() -> r.deliver(event, true));
  }

  void onChildStopped(Decision d, WorkerEntity.ChildStopped cs) {
    if (host.childStopped(cs.runId(), cs.child())) {
      d.state().activeRun(cs.runId()).filter(RunRecord::isExecuting).ifPresent(r ->
          failForGood(d, r, r.failing() != null ? r.failing() : new RunError(
              ErrorCode.TRANSIENT_ERROR, "attempt " + r.attempts()
                  + " stopped without an outcome (see the node's log)"), "stopped"));
    }
  }

  /**
   * Ends the run FAILED with {@code error}, its attempt being over without an outcome: at once, or,
   * when steps await their compensation, after one more attempt that only runs them (recorded as
   * {@code FailureCompensationRequested}, the run queued again). A run already compensating ends
   * at once: a run whose compensating attempt itself stops is not retried without end.
   */
  private void failForGood(Decision d, RunRecord r, RunError error, String why) {
    if (r.isCompensating() || !FailureCompensation.request(d, r, error)) {
      d.then(() -> Optional.ofNullable(host.find(r.runId())).ifPresent(l -> l.cancelAttempt(why)));
      finish(d, r, RunStatus.FAILED, null, error);
      return;
    }
    interrupt(d, r, why + "; its compensations run in one more attempt");
  }

  /**
   * Whether attempt {@code epoch} is the run's attempt in progress: of its epoch and running. An
   * attempt that reported a retry is over, though the run keeps its epoch until the next one.
   */
  private static boolean isCurrent(Decision d, String runId, long epoch) {
    return d.state().activeRun(runId)
        .filter(r -> r.epoch() == epoch && r.status() == RunStatus.RUNNING).isPresent();
  }

  /**
   * A cancel of a run with steps to compensate: recorded, the run stays active while an attempt
   * runs the compensations (the one in flight here is told at once; else the next one, which
   * replays the handler) and then reports it CANCELLED. True, and nothing recorded, for a run
   * already compensating (cancelled, or failing for good: it still ends FAILED). False, and
   * nothing recorded, for a run without steps to compensate: it ends at once.
   */
  boolean cancelWithCompensations(Decision d, RunRecord r) {
    if (r.isCompensating() || !FailureCompensation.cancelLater(d, r)) {
      return r.isCompensating();
    }
    if (r.status() == RunStatus.RUNNING) {
      d.then(() -> host.compensateCancelled(r.runId(), r.epoch()));
    }
    return true;
  }

  // the end of a run

  /** Records the run's end; once written, ends its stream and lets its actor and slot go. */
  void finish(Decision d, RunRecord r, RunStatus status, JsonNode result, RunError error) {
    RunResult finished = r.finished(status, result, error, d.now).toResult(worker);
    long terminalSeq = 0;
    if (host.durable()) {
      // written whether or not the run's stream lives here: replays end with it; its data (the
      // finished run) is made only for a subscriber (RunStream.finish)
      terminalSeq = host.writtenSeq(d, r.runId(), error == null ? RunEvent.RESULT : RunEvent.ERROR,
          null, d.now);
    } else if (host.find(r.runId()) != null) {
      host.reserve(d, host.find(r.runId()));
    }
    d.persist(new WorkerEvent.RunFinished(r.runId(), status, result, error, d.now));
    long endSeq = terminalSeq;
    boolean summarized = d.state().run(r.runId()).map(RunRecord::summarized).orElse(false);
    d.then(() -> {
      services.metrics().runFinished(worker, status, finished.durationMs());
      host.ended(r.runId(), endSeq, endSeq != 0 ? d.now : RunClock.now(), finished,
          status == RunStatus.CANCELLED, summarized);
    });
    if (status == RunStatus.CANCELLED && r.attempts() > 0) { // only a started run has children
      d.then(() -> services.runs().node().cancelChildren(r.runId()));
    }
  }

  // starting runs

  /**
   * After each batch: re-queue runs whose attempt was lost, queue the scheduled runs that are due
   * (at most {@code troupe.worker.due-per-batch}), then start queued runs.
   */
  void dispatch(Decision d) {
    Optional<Registration> found = services.registry().find(worker);
    if (found.isEmpty()) {
      return; // runs wait until the entity moves to a node with the worker
    }
    Registration reg = found.get();
    WorkerConfig cfg = reg.definition().config();
    if (!resumed) {
      windows.seed(d.state(), cfg.rateLimit());
      resumeInterrupted(d, reg);
      resumed = true;
    }
    rateWakeAt = null;
    if (startsHeld) {
      return;
    }
    for (String runId : d.state().dueRuns(d.now, services.settings().duePerBatch())) {
      d.persist(new WorkerEvent.RunDue(runId, d.now));
      host.status(d, runId, RunStatus.QUEUED, 0, null);
    }
    RateLimit limit = cfg.rateLimit();
    while (d.state().queuedCount() > 0 && d.state().executingCount() < cfg.maxConcurrent()) {
      if (limit != null && !limit.perKey() && !windows.allows(limit, null, d.now)) {
        rateWakeAt = windows.nextAllowed(limit, null, d.now);
        return; // the definition's rate limit holds every queued run until then
      }
      String runId = next(d, cfg);
      if (runId == null) {
        return; // every lane waits for a run of its own to end, or for its rate limit
      }
      if (!host.takeSlot(d, runId)) {
        rateWakeAt = null; // woken when a node slot frees
        return;
      }
      RunRecord r = d.state().activeRun(runId).orElseThrow();
      Granted grant = startAttempt(d, r);
      d.then(() -> host.spawn(reg, r, grant));
    }
  }

  /**
   * The queued run to start next: the first head of a lane ({@link WorkerState#queueHeads}, by
   * priority, lanes in their turn) whose key is below {@code maxConcurrentPerKey} and within its
   * per-key rate limit; null when every lane is held. Held lanes are walked past, not waited for;
   * {@link #rateWakeAt} becomes the earliest instant a lane held by its rate limit may start.
   */
  private String next(Decision d, WorkerConfig cfg) {
    WorkerState s = d.state();
    Integer perKey = cfg.maxConcurrentPerKey();
    RateLimit limit = cfg.rateLimit() != null && cfg.rateLimit().perKey() ? cfg.rateLimit() : null;
    rateWakeAt = null;
    for (Iterator<ReadyQueue.Head> heads = s.queueHeads(); heads.hasNext(); ) {
      ReadyQueue.Head h = heads.next();
      if (perKey != null && s.executingWithKey(keyOf(h)) >= perKey) {
        continue;
      }
      if (limit != null && !windows.allows(limit, h.lane(), d.now)) {
        Instant at = windows.nextAllowed(limit, h.lane(), d.now);
        rateWakeAt = rateWakeAt == null || at.isBefore(rateWakeAt) ? at : rateWakeAt;
        continue;
      }
      rateWakeAt = null;
      return h.runId();
    }
    return null;
  }

  private static String keyOf(ReadyQueue.Head h) {
    return h.lane().equals(ReadyQueue.NO_KEY) ? null : h.lane();
  }

  private Granted startAttempt(Decision d, RunRecord r) {
    services.registry().find(worker).map(reg -> reg.definition().config().rateLimit())
        .ifPresent(limit -> windows.started(limit,
            ReadyQueue.laneOf(r.spec().concurrencyKey()), d.now));
    long epoch = d.state().nextEpoch();
    int attempt = r.nextAttempt(); // the same again after a hand-over; compensating: no retry
    d.persist(new WorkerEvent.AttemptStarted(r.runId(), attempt, epoch, d.now));
    d.then(() -> services.metrics().attemptStarted(worker));
    host.status(d, r.runId(), RunStatus.RUNNING, attempt, null);
    return new Granted(attempt, epoch, r.checkpoint(), r.steps(), r.cancelling(), r.failing());
  }

  /** Runs that were executing when the entity last stopped: their attempt is lost. */
  private void resumeInterrupted(Decision d, Registration reg) {
    for (RunRecord r : d.state().activeRuns()) {
      if (r.isExecuting() && !host.hasActor(r.runId())) {
        requeue(d, r, reg, "was lost with its node");
      }
    }
  }

  /**
   * Ends the run's attempt without an outcome and queues the run again first in line, while
   * attempts remain and {@code resume-interrupted-runs} is on, or while the run only waits for its
   * compensations (they are no retry); else it fails for good ({@link #failForGood}). Once
   * written, the attempt (if it still runs here) is cancelled and its actor and slot let go.
   */
  void requeue(Decision d, RunRecord r, Registration reg, String why) {
    if (!r.isCompensating() && (!services.settings().resumeInterruptedRuns()
        || r.attempts() >= reg.definition().config().retry().maxAttempts())) {
      failForGood(d, r, new RunError(ErrorCode.TRANSIENT_ERROR,
          "interrupted: attempt " + r.attempts() + " " + why + " and no attempt is left"), why);
      return;
    }
    interrupt(d, r, why);
  }

  void interrupt(Decision d, RunRecord r, String why) {
    log.info("run {}: attempt {} {}; queued again", r.runId(), r.attempts(), why);
    d.persist(new WorkerEvent.RunInterrupted(r.runId(), d.now));
    d.then(() -> host.interrupted(r.runId(), why));
  }

  /**
   * When the entity must wake by itself next, its state being {@code s}: when the earliest
   * scheduled run is due (at once when due runs are left for the next batch), or when a rate
   * limit allows a start it held back, whichever comes first. Null when nothing waits for a
   * time, and while the worker is not registered here or starts are held: nothing would start
   * then.
   */
  Instant wakeAt(WorkerState s) {
    if (startsHeld || services.registry().find(worker).isEmpty()) {
      return null;
    }
    Instant due = s.nextDue().orElse(null);
    return due == null ? rateWakeAt
        : rateWakeAt == null || due.isBefore(rateWakeAt) ? due : rateWakeAt;
  }

  /** The entity stopped or restarts: after its recovery, executing runs are resumed again. */
  void letGo() {
    resumed = false;
  }

}
