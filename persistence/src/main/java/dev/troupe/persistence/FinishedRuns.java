package dev.troupe.persistence;

import io.vavr.collection.HashMap;
import io.vavr.collection.Queue;
import java.util.ArrayList;
import java.util.List;

/**
 * The finished runs a worker entity keeps, in the order they finished: immutable, each change
 * returns a copy sharing structure with this one. How many, and how much of each, the state says
 * (its limits).
 */
final class FinishedRuns {
  static final FinishedRuns EMPTY = new FinishedRuns(HashMap.empty(), Queue.empty());

  private final HashMap<String, RunRecord> byId;
  private final Queue<String> order;

  private FinishedRuns(HashMap<String, RunRecord> byId, Queue<String> order) {
    this.byId = byId;
    this.order = order;
  }

  /** Finished runs, and the idempotency keys of the state that keeps them. */
  record Kept(FinishedRuns runs, HashMap<String, String> keys) {}

  /** These runs with {@code run} finished last, kept as it is. */
  FinishedRuns add(RunRecord run) {
    return new FinishedRuns(byId.put(run.runId(), run), order.enqueue(run.runId()));
  }

  /**
   * These runs with {@code done} finished last: whole, or as its {@link RunRecord#summary} when
   * its payload ({@code payloadBytes}), result and checkpoint take more than {@code
   * retainedRunBytes}. Then the runs that finished first go, past {@code retainedFinished}, and
   * each one's idempotency key out of {@code keys} unless it names another run.
   */
  Kept add(RunRecord done, long payloadBytes, long retainedRunBytes, int retainedFinished,
      HashMap<String, String> keys) {
    boolean large = payloadBytes + JsonBytes.of(done.result()) + JsonBytes.of(done.checkpoint())
        > retainedRunBytes;
    FinishedRuns f = add(large ? done.summary() : done);
    while (f.order.length() > retainedFinished) {
      RunRecord evicted = f.byId.get(f.order.head()).get();
      f = new FinishedRuns(f.byId.remove(evicted.runId()), f.order.tail());
      if (evicted.idempotencyKey() != null
          && evicted.runId().equals(keys.getOrElse(evicted.idempotencyKey(), null))) {
        keys = keys.remove(evicted.idempotencyKey());
      }
    }
    return new Kept(f, keys);
  }

  RunRecord get(String runId) {
    return byId.getOrElse(runId, null);
  }

  /** The runs, the first finished first (a copy). */
  List<RunRecord> inOrder() {
    List<RunRecord> out = new ArrayList<>(order.length());
    for (String id : order) {
      out.add(byId.get(id).get());
    }
    return out;
  }
}
