package dev.troupe.persistence;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.troupe.api.RunStatus;
import dev.troupe.api.TroupeSerializable;
import io.vavr.collection.HashMap;
import io.vavr.collection.HashSet;
import java.time.Instant;
import java.util.Collection;
import java.util.List;
import java.util.Optional;

/**
 * The state of one worker entity, folded from its events: the runs not yet finished (the order
 * in which the queued ones start, and the scheduled ones by the time they become due), the most
 * recent finished runs, idempotency keys and statistics. Immutable: {@link #apply} returns a new state sharing structure with the old one,
 * so snapshots may be serialized while the entity goes on. Its maps are hash tries, its ready
 * queue ({@link ReadyQueue}: by priority, fair across concurrency keys) and its scheduled runs
 * trees (Vavr), so an event costs about as much with 100,000 runs queued as with ten.
 * Its snapshot form is only what the {@code @JsonProperty} members name; the indexes are rebuilt
 * from it (the scheduled runs from the active runs whose status is {@code SCHEDULED}).
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE,
    getterVisibility = JsonAutoDetect.Visibility.NONE,
    isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class WorkerState implements TroupeSerializable {

  /**
   * How much of its past a state keeps. Not persisted: read from settings at every start. A
   * finished run whose payload, result and checkpoint take more than {@code retainedRunBytes} (as
   * JSON) is kept as its {@link RunRecord#summary}.
   */
  public record Limits(int retainedFinished, int statsWindow, long retainedRunBytes) {
    public Limits {
      if (retainedFinished < 1 || statsWindow < 1 || retainedRunBytes < 0) {
        throw new IllegalArgumentException("troupe.worker.retained-finished-runs and"
            + " troupe.worker.stats-window must be at least 1, were " + retainedFinished + " and "
            + statsWindow + "; troupe.worker.retained-run-bytes at least 0, was "
            + retainedRunBytes);
      }
    }

    /** Limits that keep every retained finished run whole. */
    public Limits(int retainedFinished, int statsWindow) {
      this(retainedFinished, statsWindow, Long.MAX_VALUE);
    }
  }

  private final HashMap<String, RunRecord> active;
  private final ReadyQueue queue;
  private final ScheduledRuns scheduled;
  private final FinishedRuns finished;
  /** The bytes of the active runs' payloads, as JSON. */
  private final long payloadBytes;
  private final HashMap<String, String> idempotency;
  private final Stats stats;
  private final long nextEpoch;
  /** Runs executing (or waiting for a retry) by lane: concurrency key, or {@code ""} for none. */
  private final HashMap<String, Integer> executingByLane;
  /** The active runs WAITING for their dependencies: neither queued, scheduled nor executing. */
  private final HashSet<String> waiting;

  /** A state whose waiting runs are found among {@code active}: a new or a recovered one. */
  private WorkerState(HashMap<String, RunRecord> active, ReadyQueue queue,
      ScheduledRuns scheduled, FinishedRuns finished, long payloadBytes,
      HashMap<String, String> idempotency, Stats stats, long nextEpoch,
      HashMap<String, Integer> executingByLane) {
    this(active, queue, scheduled, finished, payloadBytes, idempotency, stats, nextEpoch,
        executingByLane,
        HashSet.ofAll(active.filterValues(r -> r.status() == RunStatus.WAITING).keySet()));
  }

  private WorkerState(HashMap<String, RunRecord> active, ReadyQueue queue,
      ScheduledRuns scheduled, FinishedRuns finished, long payloadBytes,
      HashMap<String, String> idempotency, Stats stats, long nextEpoch,
      HashMap<String, Integer> executingByLane, HashSet<String> waiting) {
    this.active = active;
    this.queue = queue;
    this.scheduled = scheduled;
    this.finished = finished;
    this.payloadBytes = payloadBytes;
    this.idempotency = idempotency;
    this.stats = stats;
    this.nextEpoch = nextEpoch;
    this.executingByLane = executingByLane;
    this.waiting = waiting;
  }

  public static WorkerState empty() {
    return new WorkerState(HashMap.empty(), ReadyQueue.EMPTY, ScheduledRuns.EMPTY,
        FinishedRuns.EMPTY, 0, HashMap.empty(), Stats.EMPTY, 1, HashMap.empty());
  }

  /** Rebuilds a state from its snapshot form. */
  @JsonCreator
  static WorkerState fromSnapshot(
      @JsonProperty("active") List<RunRecord> active,
      @JsonProperty("queue") List<String> queue,
      @JsonProperty("scheduled") List<String> scheduled,
      @JsonProperty("finished") List<RunRecord> finished,
      @JsonProperty("stats") Stats stats,
      @JsonProperty("nextEpoch") long nextEpoch) {
    HashMap<String, RunRecord> a = HashMap.empty();
    FinishedRuns f = FinishedRuns.EMPTY;
    HashMap<String, String> keys = HashMap.empty();
    long bytes = 0;
    for (RunRecord r : active) {
      a = a.put(r.runId(), r);
      bytes += JsonBytes.of(r.payload());
      keys = r.idempotencyKey() == null ? keys : keys.put(r.idempotencyKey(), r.runId());
    }
    for (RunRecord r : finished) {
      f = f.add(r);
      keys = r.idempotencyKey() == null ? keys : keys.put(r.idempotencyKey(), r.runId());
    }
    ScheduledRuns due = ScheduledRuns.EMPTY;
    for (String id : scheduled == null ? List.<String>of() : scheduled) {
      RunRecord r = a.getOrElse(id, null);
      due = r != null && r.status() == RunStatus.SCHEDULED ? due.add(r) : due;
    }
    // a snapshot's queue lists the runs in an order that rebuilds the queue when enqueued again;
    // one written before priorities and keys is a plain first-in-first-out list, which does too
    ReadyQueue ready = ReadyQueue.EMPTY;
    for (String id : queue == null ? List.<String>of() : queue) {
      RunRecord r = a.getOrElse(id, null);
      if (r != null && r.status() == RunStatus.QUEUED) {
        // a queued run that had an attempt was interrupted: it is among the resumed runs
        ready = r.attempts() > 0 ? ready.enqueueResumed(id, r.spec().concurrencyKey())
            : ready.enqueue(id, r.spec().priority(), r.spec().concurrencyKey());
      }
    }
    HashMap<String, Integer> byLane = HashMap.empty();
    for (RunRecord r : active) {
      byLane = r.isExecuting() ? ReadyQueue.countIn(byLane, r, 1) : byLane;
    }
    return new WorkerState(a, ready, due, f, bytes, keys,
        stats == null ? Stats.EMPTY : stats, nextEpoch, byLane);
  }

  @JsonProperty("active")
  List<RunRecord> activeForSnapshot() {
    return active.values().toJavaList();
  }

  /**
   * The queued runs (a copy): by priority from the highest, each priority's lanes (one per
   * concurrency key) in their turn, each lane first to last. Without keys, the order they start.
   */
  @JsonProperty("queue")
  public List<String> queue() {
    return queue.toList();
  }

  /**
   * The first queued run of each lane, in the order lanes are served ({@link ReadyQueue#heads}):
   * the next run to start is the first whose lane is at no limit.
   */
  public java.util.Iterator<ReadyQueue.Head> queueHeads() {
    return queue.heads();
  }

  /** The scheduled runs in the order they become due (a copy). */
  @JsonProperty("scheduled")
  List<String> scheduledForSnapshot() {
    return scheduled.runIds();
  }

  /** The run that starts next, if any is queued. */
  public Optional<String> nextQueued() {
    return queue.isEmpty() ? Optional.empty() : Optional.of(queue.heads().next().runId());
  }

  /** The retained finished runs, oldest finish first (a copy). */
  @JsonProperty("finished")
  public List<RunRecord> finishedRuns() {
    return finished.inOrder();
  }

  @JsonProperty("stats")
  public Stats stats() {
    return stats;
  }

  /** The epoch the next started attempt gets; epochs only grow. */
  @JsonProperty("nextEpoch")
  public long nextEpoch() {
    return nextEpoch;
  }

  // queries

  /** The runs not yet finished, copied now: the caller may go on deciding events while it loops. */
  @JsonIgnore
  public Collection<RunRecord> activeRuns() {
    return active.values().toJavaList();
  }

  public Optional<RunRecord> activeRun(String runId) {
    return Optional.ofNullable(active.getOrElse(runId, null));
  }

  /** A run still going, or one of the retained finished runs. */
  public Optional<RunRecord> run(String runId) {
    RunRecord r = active.getOrElse(runId, null);
    return Optional.ofNullable(r != null ? r : finished.get(runId));
  }

  public Optional<RunRecord> runByIdempotencyKey(String key) {
    String id = key == null ? null : idempotency.getOrElse(key, null);
    return id == null ? Optional.empty() : run(id);
  }

  /** Runs executing or waiting for a retry: each holds a concurrency slot. */
  @JsonIgnore
  public int executingCount() {
    return active.size() - queue.size() - scheduled.size() - waiting.size();
  }

  /** The runs {@code WAITING} for their dependencies, copied now. */
  @JsonIgnore
  public List<RunRecord> waitingRuns() {
    return waiting.toJavaList().stream().map(id -> active.get(id).get()).toList();
  }

  /**
   * Runs of concurrency key {@code key} (null: the runs without a key) executing or waiting for
   * a retry.
   */
  public int executingWithKey(String key) {
    return executingByLane.getOrElse(ReadyQueue.laneOf(key), 0);
  }

  /** Runs waiting for their start time ({@code SCHEDULED}). */
  @JsonIgnore
  public int scheduledCount() {
    return scheduled.size();
  }

  /** When the earliest scheduled run becomes due, if any is scheduled. */
  public Optional<Instant> nextDue() {
    return scheduled.nextDue();
  }

  /**
   * The scheduled runs due at {@code now} (their start time is not after it), earliest first, at
   * most {@code max} of them.
   */
  public List<String> dueRuns(Instant now, int max) {
    return scheduled.due(now, max);
  }

  @JsonIgnore
  public int queuedCount() {
    return queue.size();
  }

  /** The bytes (as JSON) of the payloads of the runs not yet finished, which the state holds. */
  @JsonIgnore
  public long payloadBytes() {
    return payloadBytes;
  }

  // the event handler

  /**
   * This state after {@code event}. Each run changes as {@link RunRecord#next} says; this state
   * adds the queue, the retained finished runs, idempotency keys, statistics and epochs. An event
   * of a run that is not active changes nothing.
   */
  public WorkerState apply(WorkerEvent event, Limits limits) {
    if (event instanceof WorkerEvent.RunAccepted e) {
      return accepted(e);
    } else if (event instanceof WorkerEvent.RunDue e) {
      return due(e);
    } else if (event instanceof WorkerEvent.DependenciesMet e) {
      return dependenciesMet(e);
    } else if (event instanceof WorkerEvent.AttemptStarted e) {
      return started(e);
    } else if (event instanceof WorkerEvent.AttemptFailed e) {
      return update(e.runId(), e, stats.retried());
    } else if (event instanceof WorkerEvent.RunInterrupted
        || event instanceof WorkerEvent.AttemptHandedOver) {
      return queuedAgain(WorkerEvents.runIdOf(event), event);
    } else if (event instanceof WorkerEvent.RunFinished e) {
      return finishedRun(e, limits);
    } else if (event instanceof WorkerEvent.Recorded recorded) {
      WorkerState s = this;
      for (WorkerEvent inner : recorded.events()) {
        s = s.apply(inner, limits);
      }
      return s;
    } else {
      return update(WorkerEvents.runIdOf(event), event, stats); // checkpoints, stream numbers
    }
  }

  private WorkerState accepted(WorkerEvent.RunAccepted e) {
    RunRecord r = RunRecord.accepted(e);
    HashMap<String, String> keys = e.idempotencyKey() == null
        ? idempotency : idempotency.put(e.idempotencyKey(), e.runId());
    long bytes = payloadBytes + JsonBytes.of(e.payload());
    if (r.status() == RunStatus.WAITING) {
      return new WorkerState(active.put(r.runId(), r), queue, scheduled, finished,
          bytes, keys, stats, nextEpoch, executingByLane, waiting.add(r.runId()));
    }
    if (r.status() == RunStatus.SCHEDULED) {
      return new WorkerState(active.put(r.runId(), r), queue, scheduled.add(r), finished,
          bytes, keys, stats, nextEpoch, executingByLane, waiting);
    }
    return new WorkerState(active.put(r.runId(), r), enqueued(r), scheduled,
        finished, bytes, keys, stats, nextEpoch, executingByLane, waiting);
  }

  /** A WAITING run's dependencies all succeeded: it is queued, or scheduled if not yet due. */
  private WorkerState dependenciesMet(WorkerEvent.DependenciesMet e) {
    RunRecord r = active.getOrElse(e.runId(), null);
    if (r == null || r.status() != RunStatus.WAITING) {
      return this;
    }
    RunRecord next = r.next(e);
    boolean later = next.status() == RunStatus.SCHEDULED;
    return new WorkerState(active.put(r.runId(), next), later ? queue : enqueued(next),
        later ? scheduled.add(next) : scheduled, finished, payloadBytes, idempotency, stats,
        nextEpoch, executingByLane, waiting.remove(r.runId()));
  }

  private WorkerState due(WorkerEvent.RunDue e) {
    RunRecord r = active.getOrElse(e.runId(), null);
    if (r == null || r.status() != RunStatus.SCHEDULED) {
      return this;
    }
    return new WorkerState(active.put(r.runId(), r.next(e)), enqueued(r),
        scheduled.remove(r.runId()), finished, payloadBytes, idempotency, stats, nextEpoch,
        executingByLane, waiting);
  }

  private WorkerState started(WorkerEvent.AttemptStarted e) {
    RunRecord r = active.getOrElse(e.runId(), null);
    if (r == null) {
      return this;
    }
    return new WorkerState(active.put(r.runId(), r.next(e)),
        r.status() == RunStatus.QUEUED ? queue.served(r.runId()) : queue,
        r.status() == RunStatus.SCHEDULED ? scheduled.remove(r.runId()) : scheduled, finished,
        payloadBytes, idempotency, stats, Math.max(nextEpoch, e.epoch() + 1),
        r.isExecuting() ? executingByLane : ReadyQueue.countIn(executingByLane, r, 1), waiting);
  }

  /** An interrupted or handed-over run, first in line again (its attempt lost or given back). */
  private WorkerState queuedAgain(String runId, WorkerEvent e) {
    RunRecord r = active.getOrElse(runId, null);
    RunRecord queuedAgain = r == null ? null : r.next(e);
    if (queuedAgain == r) {
      return this; // not active, or not executing
    }
    return new WorkerState(active.put(r.runId(), queuedAgain),
        queue.resume(r.runId(), r.spec().concurrencyKey()),
        scheduled, finished, payloadBytes, idempotency, stats, nextEpoch,
        ReadyQueue.countIn(executingByLane, r, -1), waiting);
  }

  private WorkerState finishedRun(WorkerEvent.RunFinished e, Limits limits) {
    RunRecord r = active.getOrElse(e.runId(), null);
    if (r == null) {
      return this;
    }
    RunRecord done = r.next(e);
    ReadyQueue q = r.status() == RunStatus.QUEUED ? queue.remove(r.runId()) : queue;
    ScheduledRuns sch = r.status() == RunStatus.SCHEDULED ? scheduled.remove(r.runId()) : scheduled;
    long ownBytes = JsonBytes.of(r.payload());
    FinishedRuns.Kept kept = finished.add(done, ownBytes, limits.retainedRunBytes(),
        limits.retainedFinished(), idempotency);
    return new WorkerState(active.remove(done.runId()), q, sch, kept.runs(),
        payloadBytes - ownBytes, kept.keys(),
        stats.finished(done, limits.statsWindow()), nextEpoch,
        r.isExecuting() ? ReadyQueue.countIn(executingByLane, r, -1) : executingByLane,
        waiting.remove(done.runId()));
  }

  /** With active run {@code runId} changed by {@code event}, and {@code newStats}. */
  private WorkerState update(String runId, WorkerEvent event, Stats newStats) {
    RunRecord r = active.getOrElse(runId, null);
    if (r == null) {
      return this;
    }
    return new WorkerState(active.put(runId, r.next(event)), queue, scheduled, finished,
        payloadBytes, idempotency, newStats, nextEpoch, executingByLane, waiting);
  }

  /** The queue with {@code r} last in its lane. */
  private ReadyQueue enqueued(RunRecord r) {
    return queue.enqueue(r.runId(), r.spec().priority(), r.spec().concurrencyKey());
  }
}
