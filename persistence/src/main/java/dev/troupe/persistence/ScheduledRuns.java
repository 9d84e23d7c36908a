package dev.troupe.persistence;

import io.vavr.collection.HashMap;
import io.vavr.collection.TreeSet;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;

/**
 * A worker entity's scheduled runs (a start time ahead): in the order they become due, and each
 * one's place in it by run id. Immutable, as the {@link WorkerState} that holds it.
 */
record ScheduledRuns(TreeSet<Due> order, HashMap<String, Due> byRun, long nextSeq) {
  static final ScheduledRuns EMPTY = new ScheduledRuns(TreeSet.empty(), HashMap.empty(), 0);

  /**
   * A scheduled run in the order runs become due: by due time, then in the order they were
   * scheduled ({@code seq}: the state's count of scheduled runs when it was, or its place in a
   * snapshot's list).
   */
  record Due(long at, long seq, String runId) implements Comparable<Due> {
    @Override
    public int compareTo(Due o) {
      int c = Long.compare(at, o.at);
      return c != 0 ? c : Long.compare(seq, o.seq);
    }
  }

  ScheduledRuns add(RunRecord r) {
    Due d = new Due(r.spec().scheduledFor().toEpochMilli(), nextSeq, r.runId());
    return new ScheduledRuns(order.add(d), byRun.put(r.runId(), d), nextSeq + 1);
  }

  ScheduledRuns remove(String runId) {
    Due d = byRun.getOrElse(runId, null);
    return d == null ? this : new ScheduledRuns(order.remove(d), byRun.remove(runId), nextSeq);
  }

  int size() {
    return byRun.size();
  }

  /** The run ids in due order: a copy. */
  List<String> runIds() {
    return order.map(Due::runId).toJavaList();
  }

  /** When the earliest run becomes due, if any is scheduled. */
  Optional<Instant> nextDue() {
    return order.isEmpty() ? Optional.empty() : Optional.of(Instant.ofEpochMilli(order.head().at()));
  }

  /** The runs due at {@code now}, earliest first, at most {@code max} of them. */
  List<String> due(Instant now, int max) {
    List<String> out = new ArrayList<>();
    long t = now.toEpochMilli();
    for (Due d : order) {
      if (d.at() > t || out.size() >= max) {
        break;
      }
      out.add(d.runId());
    }
    return out;
  }
}
