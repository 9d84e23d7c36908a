package dev.troupe.persistence;

import com.fasterxml.jackson.annotation.JsonAutoDetect;
import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonProperty;
import dev.troupe.api.RunStatus;
import dev.troupe.api.TroupeSerializable;
import java.util.ArrayList;
import java.util.Collection;
import java.util.List;
import java.util.Optional;
import java.util.function.UnaryOperator;
import org.pcollections.HashTreePMap;
import org.pcollections.PMap;
import org.pcollections.PVector;
import org.pcollections.TreePVector;

/**
 * The state of one worker entity, folded from its events: the runs not yet finished (and the
 * order in which the queued ones start), the most recent finished runs, idempotency keys and
 * statistics. Immutable: {@link #apply} returns a new state sharing structure with the old one,
 * so snapshots may be serialized while the entity goes on. Its snapshot form is only what the
 * {@code @JsonProperty} members name; the indexes are rebuilt from it.
 */
@JsonAutoDetect(fieldVisibility = JsonAutoDetect.Visibility.NONE,
    getterVisibility = JsonAutoDetect.Visibility.NONE,
    isGetterVisibility = JsonAutoDetect.Visibility.NONE)
public final class WorkerState implements TroupeSerializable {

  /** How much of its past a state keeps. Not persisted: read from settings at every start. */
  public record Limits(int retainedFinished, int statsWindow) {
    public Limits {
      if (retainedFinished < 1 || statsWindow < 1) {
        throw new IllegalArgumentException("troupe.worker.retained-finished-runs and"
            + " troupe.worker.stats-window must be at least 1, were " + retainedFinished + " and "
            + statsWindow);
      }
    }
  }

  private final PMap<String, RunRecord> active;
  private final PVector<String> queue;
  private final PMap<String, RunRecord> finished;
  private final PVector<String> finishedOrder;
  private final PMap<String, String> idempotency;
  private final Stats stats;
  private final long nextEpoch;

  private WorkerState(PMap<String, RunRecord> active, PVector<String> queue,
      PMap<String, RunRecord> finished, PVector<String> finishedOrder,
      PMap<String, String> idempotency, Stats stats, long nextEpoch) {
    this.active = active;
    this.queue = queue;
    this.finished = finished;
    this.finishedOrder = finishedOrder;
    this.idempotency = idempotency;
    this.stats = stats;
    this.nextEpoch = nextEpoch;
  }

  public static WorkerState empty() {
    return new WorkerState(HashTreePMap.empty(), TreePVector.empty(), HashTreePMap.empty(),
        TreePVector.empty(), HashTreePMap.empty(), Stats.EMPTY, 1);
  }

  /** Rebuilds a state from its snapshot form. */
  @JsonCreator
  static WorkerState fromSnapshot(
      @JsonProperty("active") List<RunRecord> active,
      @JsonProperty("queue") List<String> queue,
      @JsonProperty("finished") List<RunRecord> finished,
      @JsonProperty("stats") Stats stats,
      @JsonProperty("nextEpoch") long nextEpoch) {
    PMap<String, RunRecord> a = HashTreePMap.empty();
    PMap<String, RunRecord> f = HashTreePMap.empty();
    PMap<String, String> keys = HashTreePMap.empty();
    PVector<String> order = TreePVector.empty();
    for (RunRecord r : active) {
      a = a.plus(r.runId(), r);
      keys = r.idempotencyKey() == null ? keys : keys.plus(r.idempotencyKey(), r.runId());
    }
    for (RunRecord r : finished) {
      f = f.plus(r.runId(), r);
      order = order.plus(r.runId());
      keys = r.idempotencyKey() == null ? keys : keys.plus(r.idempotencyKey(), r.runId());
    }
    return new WorkerState(a, TreePVector.from(queue), f, order, keys,
        stats == null ? Stats.EMPTY : stats, nextEpoch);
  }

  @JsonProperty("active")
  List<RunRecord> activeForSnapshot() {
    return new ArrayList<>(active.values());
  }

  @JsonProperty("queue")
  public List<String> queue() {
    return queue;
  }

  @JsonProperty("finished")
  List<RunRecord> finishedForSnapshot() {
    List<RunRecord> out = new ArrayList<>(finishedOrder.size());
    for (String id : finishedOrder) {
      out.add(finished.get(id));
    }
    return out;
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

  @JsonIgnore
  public Collection<RunRecord> activeRuns() {
    return active.values();
  }

  public Optional<RunRecord> activeRun(String runId) {
    return Optional.ofNullable(active.get(runId));
  }

  /** A run still going, or one of the retained finished runs. */
  public Optional<RunRecord> run(String runId) {
    RunRecord r = active.get(runId);
    return Optional.ofNullable(r != null ? r : finished.get(runId));
  }

  public Optional<RunRecord> runByIdempotencyKey(String key) {
    String id = key == null ? null : idempotency.get(key);
    return id == null ? Optional.empty() : run(id);
  }

  /** Runs executing or waiting for a retry: each holds a concurrency slot. */
  @JsonIgnore
  public int executingCount() {
    return active.size() - queue.size();
  }

  @JsonIgnore
  public int queuedCount() {
    return queue.size();
  }

  // the event handler

  public WorkerState apply(WorkerEvent event, Limits limits) {
    if (event instanceof WorkerEvent.RunAccepted e) {
      return accepted(e);
    } else if (event instanceof WorkerEvent.AttemptStarted e) {
      return started(e);
    } else if (event instanceof WorkerEvent.AttemptFailed e) {
      return update(e.runId(), r -> r.withStatus(RunStatus.RETRYING, e.error()), stats.retried());
    } else if (event instanceof WorkerEvent.Checkpointed e) {
      return update(e.runId(), r -> r.withCheckpoint(e.data()), stats);
    } else if (event instanceof WorkerEvent.RunInterrupted e) {
      return interrupted(e);
    } else if (event instanceof WorkerEvent.RunFinished e) {
      return finishedRun(e, limits);
    } else if (event instanceof WorkerEvent.RunStreamed e) {
      return update(e.runId(), r -> r.withStreamSeq(e.seq()), stats);
    } else if (event instanceof WorkerEvent.StreamReserved e) {
      return update(e.runId(), r -> r.withStreamSeq(e.upTo()), stats);
    } else {
      WorkerState s = this;
      for (WorkerEvent inner : ((WorkerEvent.Recorded) event).events()) {
        s = s.apply(inner, limits);
      }
      return s;
    }
  }

  private WorkerState accepted(WorkerEvent.RunAccepted e) {
    RunRecord r = RunRecord.accepted(e);
    PMap<String, String> keys = e.idempotencyKey() == null
        ? idempotency : idempotency.plus(e.idempotencyKey(), e.runId());
    return new WorkerState(active.plus(r.runId(), r), queue.plus(r.runId()), finished,
        finishedOrder, keys, stats, nextEpoch);
  }

  private WorkerState started(WorkerEvent.AttemptStarted e) {
    RunRecord r = active.get(e.runId());
    if (r == null) {
      return this;
    }
    return new WorkerState(active.plus(r.runId(), r.started(e.attempt(), e.epoch(), e.at())),
        withoutQueued(r.runId()), finished, finishedOrder, idempotency, stats,
        Math.max(nextEpoch, e.epoch() + 1));
  }

  private WorkerState interrupted(WorkerEvent.RunInterrupted e) {
    RunRecord r = active.get(e.runId());
    if (r == null || r.status() == RunStatus.QUEUED) {
      return this;
    }
    return new WorkerState(active.plus(r.runId(), r.withStatus(RunStatus.QUEUED, r.error())),
        queue.plus(0, r.runId()), finished, finishedOrder, idempotency, stats, nextEpoch);
  }

  private WorkerState finishedRun(WorkerEvent.RunFinished e, Limits limits) {
    RunRecord r = active.get(e.runId());
    if (r == null) {
      return this;
    }
    RunRecord done = r.finished(e.status(), e.result(), e.error(), e.at());
    PVector<String> q = r.status() == RunStatus.QUEUED ? withoutQueued(r.runId()) : queue;
    PMap<String, RunRecord> f = finished.plus(done.runId(), done);
    PVector<String> order = finishedOrder.plus(done.runId());
    PMap<String, String> keys = idempotency;
    while (order.size() > limits.retainedFinished()) {
      RunRecord evicted = f.get(order.get(0));
      f = f.minus(evicted.runId());
      order = order.minus(0);
      if (evicted.idempotencyKey() != null
          && evicted.runId().equals(keys.get(evicted.idempotencyKey()))) {
        keys = keys.minus(evicted.idempotencyKey());
      }
    }
    return new WorkerState(active.minus(done.runId()), q, f, order, keys,
        stats.finished(done, limits.statsWindow()), nextEpoch);
  }

  private WorkerState update(String runId, UnaryOperator<RunRecord> change,
      Stats newStats) {
    RunRecord r = active.get(runId);
    if (r == null) {
      return this;
    }
    return new WorkerState(active.plus(runId, change.apply(r)), queue, finished, finishedOrder,
        idempotency, newStats, nextEpoch);
  }

  private PVector<String> withoutQueued(String runId) {
    if (!queue.isEmpty() && queue.get(0).equals(runId)) {
      return queue.minus(0);
    }
    return queue.minus(runId);
  }
}
