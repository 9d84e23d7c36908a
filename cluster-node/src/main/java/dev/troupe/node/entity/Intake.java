package dev.troupe.node.entity;

import dev.troupe.api.ErrorCode;
import dev.troupe.api.RunError;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
import dev.troupe.node.entity.WorkerEntity.Refused;
import dev.troupe.node.registry.Registration;
import dev.troupe.node.stream.RunStream;
import dev.troupe.persistence.RunIds;
import dev.troupe.persistence.RunRecord;
import dev.troupe.persistence.WorkerEvent;
import dev.troupe.persistence.WorkerState;
import java.util.List;
import java.util.Optional;
import org.slf4j.Logger;

/**
 * A worker entity's decisions on what callers send: calls (admitted within the queue's capacity,
 * which scheduled runs count in too, deduplicated by idempotency key; a call whose start time is
 * ahead is recorded {@code SCHEDULED}), cancels (of a queued, scheduled or executing run), and the reads of runs, active runs, statistics,
 * streams and results. Every command is answered, once its batch is written.
 */
final class Intake {
  private final String entityId;
  private final String worker;
  private final EntityServices services;
  private final RunHost host;
  private final Attempts attempts;
  private final Stopping stopping;
  private final Dependencies dependencies;
  private final Logger log;

  Intake(String entityId, EntityServices services, RunHost host, Attempts attempts,
      Stopping stopping, Dependencies dependencies, Logger log) {
    this.entityId = entityId;
    this.worker = RunIds.workerOf(entityId);
    this.services = services;
    this.host = host;
    this.attempts = attempts;
    this.stopping = stopping;
    this.dependencies = dependencies;
    this.log = log;
  }

  void onCall(Decision d, WorkerEntity.Call call) {
    if (refused(d, call)) {
      return;
    }
    Optional<RunRecord> existing = d.state().runByIdempotencyKey(call.idempotencyKey());
    if (existing.isPresent()) {
      WorkerEntity.Accepted accepted = new WorkerEntity.Accepted(existing.get().runId(), true,
          existing.get().status(), existing.get().spec().traceId());
      d.then(() -> call.replyTo().tell(accepted));
      return;
    }
    WorkerConfig cfg = services.registry().find(worker).orElseThrow().definition().config();
    int freeSlots = Math.max(0, cfg.maxConcurrent() - d.state().executingCount());
    // scheduled runs wait too, and are held in memory as queued ones are
    if (d.state().queuedCount() + d.state().scheduledCount() >= cfg.queueCapacity() + freeSlots) {
      d.then(() -> call.replyTo().tell(new Refused(Refused.Reason.QUEUE_FULL, "worker '"
          + worker + "' has " + cfg.queueCapacity() + " runs waiting (its queueCapacity)")));
      return;
    }
    if (overBytes(d, call)) {
      return;
    }
    String runId = RunIds.newRunId(entityId, d.now.toEpochMilli());
    d.persist(new WorkerEvent.RunAccepted(runId, call.payload(), call.timeoutMs(),
        call.idempotencyKey(), call.tags(), d.now, call.spec()));
    RunRecord run = d.state().activeRun(runId).orElseThrow();
    RunStatus status = run.status(); // or SCHEDULED, WAITING
    if (status == RunStatus.WAITING) {
      dependencies.accepted(d, runId, call.spec().dependsOn());
    } else {
      host.status(d, runId, status, 0, null);
    }
    WorkerEntity.Accepted accepted = new WorkerEntity.Accepted(runId, false, status,
        run.spec().traceId());
    d.then(() -> call.replyTo().tell(accepted));
  }

  /** Whether the call is refused unrecorded (then it is answered why). */
  private boolean refused(Decision d, WorkerEntity.Call call) {
    Optional<Registration> reg = services.registry().find(worker);
    if (reg.isEmpty()) { // a caller with the worker sent it: retriable until the entity moves
      return refuse(d, call, Refused.Reason.UNAVAILABLE, "worker '" + worker
          + "' is not registered on node " + services.system().address() + ", which hosts its"
          + " entity " + entityId + " for now; it moves to a node with the worker: try again");
    }
    if (stopping.draining() || !services.entities().accepting()) {
      return refuse(d, call, Refused.Reason.SHUTTING_DOWN,
          "the node is shutting down and accepts no new runs");
    }
    if (call.giveUpAtMillis() != 0 && d.now.toEpochMilli() > call.giveUpAtMillis()) {
      log.info("a call arrived {} ms after its caller gave up; not recorded",
          d.now.toEpochMilli() - call.giveUpAtMillis());
      return refuse(d, call, Refused.Reason.UNAVAILABLE,
          "the call reached worker '" + worker + "' after its caller had given up; not recorded");
    }
    return false;
  }

  /**
   * Whether the call's payload would take the payloads of this entity's unfinished runs, or of all
   * entities on this node, past their bound (then it is answered why, unrecorded).
   */
  private boolean overBytes(Decision d, WorkerEntity.Call call) {
    long held = d.state().payloadBytes();
    long entityMax = services.settings().maxActivePayloadBytes();
    if (held + call.payloadBytes() > entityMax) {
      services.metrics().callRefused("troupe.worker.max-active-payload-bytes");
      return refuse(d, call, Refused.Reason.QUEUE_FULL, "worker '" + worker + "' holds " + held
          + " bytes of payloads of runs not yet finished; this payload of " + call.payloadBytes()
          + " bytes would pass " + entityMax + " (troupe.worker.max-active-payload-bytes)");
    }
    long nodeHeld = services.payloads().heldByOthers(entityId) + held;
    long nodeMax = services.settings().nodeMaxActivePayloadBytes();
    if (nodeHeld + call.payloadBytes() > nodeMax) {
      services.metrics().callRefused("troupe.node.max-active-payload-bytes");
      return refuse(d, call, Refused.Reason.OVERLOADED, "the node holds " + nodeHeld
          + " bytes of payloads of runs not yet finished; this payload of " + call.payloadBytes()
          + " bytes would pass " + nodeMax + " (troupe.node.max-active-payload-bytes)");
    }
    return false;
  }

  private static boolean refuse(Decision d, WorkerEntity.Call call, Refused.Reason reason,
      String message) {
    d.then(() -> call.replyTo().tell(new Refused(reason, message)));
    return true;
  }

  void onCancel(Decision d, WorkerEntity.Cancel cancel) {
    Optional<RunRecord> active = d.state().activeRun(cancel.runId());
    if (active.isPresent()) {
      cancel(d, active.get(), "cancelled by request");
      d.then(() -> cancel.replyTo().tell(WorkerEntity.Cancelled.INSTANCE));
      return;
    }
    Optional<RunRecord> done = d.state().run(cancel.runId());
    d.then(() -> cancel.replyTo().tell(done.isPresent()
        ? new Refused(Refused.Reason.RUN_FINISHED, "run " + cancel.runId()
            + " has already finished with status " + done.get().status())
        : unknownRun(cancel.runId())));
  }

  void onCancelChildren(Decision d, WorkerEntity.CancelChildren c) {
    List<RunRecord> children = d.state().activeRuns().stream()
        .filter(r -> c.parentRunId().equals(r.spec().parentRunId()) && !r.spec().detached())
        .toList();
    children.forEach(r -> cancel(d, r, "cancelled with its parent run " + c.parentRunId()));
    d.then(() -> c.replyTo().tell(new WorkerEntity.ChildrenCancelled(children.size())));
  }

  /** Cancels an active run: at once, or once the compensations of its steps have run. */
  private void cancel(Decision d, RunRecord r, String reason) {
    if (!attempts.cancelWithCompensations(d, r)) {
      attempts.finish(d, r, RunStatus.CANCELLED, null, new RunError(ErrorCode.CANCELLED, reason));
    }
  }

  // reads

  void onGetRun(Decision d, WorkerEntity.GetRun g) {
    Optional<RunRecord> r = d.state().run(g.runId());
    d.then(() -> g.replyTo().tell(r.isEmpty() ? unknownRun(g.runId())
        : r.get().summarized() ? summarized(g.runId())
        : new WorkerEntity.RunFound(r.get().toResult(worker))));
  }

  void onGetActive(Decision d, WorkerEntity.GetActive g) {
    List<RunResult> runs = d.state().activeRuns().stream().map(r -> r.toResult(worker)).toList();
    d.then(() -> g.replyTo().tell(new WorkerEntity.ActiveRuns(runs)));
  }

  void onGetActivePage(Decision d, WorkerEntity.GetActivePage g) {
    List<RunResult> runs = g.select(
        d.state().activeRuns().stream().map(r -> r.toResult(worker)).toList());
    d.then(() -> g.replyTo().tell(new WorkerEntity.ActiveRuns(runs)));
  }

  void onGetStats(Decision d, WorkerEntity.GetStats g) {
    WorkerState s = d.state();
    d.then(() -> g.replyTo().tell(
        s.stats().toWorkerStats(worker, s.executingCount(), s.queuedCount(),
            s.scheduledCount())));
  }

  void onSubscribe(Decision d, WorkerEntity.Subscribe s) {
    RunRecord r = d.state().run(s.runId()).orElse(null);
    RunStream stream = host.stream(d, s.runId(), d.state().activeRun(s.runId()).isPresent());
    d.then(() -> host.subscribe(s, r, stream, unknownRun(s.runId())));
  }

  void onAwait(Decision d, WorkerEntity.AwaitResult a) {
    Optional<RunRecord> r = d.state().run(a.runId());
    boolean active = d.state().activeRun(a.runId()).isPresent();
    d.then(() -> {
      if (r.isEmpty()) {
        a.replyTo().tell(unknownRun(a.runId()));
      } else if (active) {
        host.awaitEnd(a.runId(), a.replyTo());
      } else if (r.get().summarized()) {
        a.replyTo().tell(summarized(a.runId()));
      } else {
        a.replyTo().tell(new WorkerEntity.RunFound(r.get().toResult(worker)));
      }
    });
  }

  /** A finished run kept as its summary: the caller reads it whole from the run history. */
  private Refused summarized(String runId) {
    return new Refused(Refused.Reason.SUMMARIZED, "run " + runId + " of worker '" + worker
        + "' has finished; its entity keeps only its summary (troupe.worker.retained-run-bytes):"
        + " the run history has it whole");
  }

  private Refused unknownRun(String runId) {
    return new Refused(Refused.Reason.UNKNOWN_RUN, "run " + runId + " is not among the active"
        + " runs or the last " + services.settings().limits().retainedFinished()
        + " finished runs of worker '" + worker + "'");
  }
}
