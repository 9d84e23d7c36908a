package dev.troupe.node.run;

import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node's caps on executing runs, shared by every worker entity on the node: the node-wide one
 * ({@code troupe.node.max-executing-runs}) and, for the definitions named in {@code
 * troupe.node.worker-limits}, one per definition (over all its partitions hosted here). A slot
 * counts against both. An entity that finds no slot registers and is told when slots free.
 */
public final class NodeSlots {
  private final int capacity;
  private final AtomicInteger used = new AtomicInteger();
  /** The used slots of each definition with a cap of its own on this node, and the caps. */
  private final Map<String, AtomicInteger> usedByWorker = new ConcurrentHashMap<>();
  private final Map<String, Integer> workerLimits;
  private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
  private final Set<Runnable> waitingSet = ConcurrentHashMap.newKeySet();

  public NodeSlots(int capacity) {
    this(capacity, Map.of());
  }

  /** @param workerLimits the most runs of each named definition executing on this node */
  public NodeSlots(int capacity, Map<String, Integer> workerLimits) {
    this.capacity = capacity;
    this.workerLimits = Map.copyOf(workerLimits);
    this.workerLimits.keySet().forEach(w -> usedByWorker.put(w, new AtomicInteger()));
  }

  /** A slot for a run of {@code worker}: false when the node, or the worker on this node, is full. */
  public boolean tryAcquire(String worker) {
    AtomicInteger mine = usedByWorker.get(worker);
    if (mine != null && !increment(mine, workerLimits.get(worker))) {
      return false;
    }
    if (!increment(used, capacity)) {
      if (mine != null) {
        mine.decrementAndGet();
      }
      return false;
    }
    return true;
  }

  /** {@code n} slots of runs of {@code worker} are free again; waiters are woken. */
  public void release(String worker, int n) {
    if (n <= 0) {
      return;
    }
    AtomicInteger mine = usedByWorker.get(worker);
    if (mine != null) {
      mine.addAndGet(-n);
    }
    used.addAndGet(-n);
    wakeAll();
  }

  /** The runs of {@code worker} executing on this node now. */
  public int usedBy(String worker) {
    AtomicInteger mine = usedByWorker.get(worker);
    return mine == null ? -1 : mine.get();
  }

  private static boolean increment(AtomicInteger counter, int max) {
    int n;
    do {
      n = counter.get();
      if (n >= max) {
        return false;
      }
    } while (!counter.compareAndSet(n, n + 1));
    return true;
  }

  /**
   * {@code wake} runs once at the next release (on the releasing thread: it must only send a
   * message). A waiter registered again before that is woken once; waiters are told apart by
   * equality, so each entity passes the same object every time. {@code worker} is the definition
   * whose run found no slot.
   */
  public void await(String worker, Runnable wake) {
    if (waitingSet.add(wake)) {
      waiting.add(wake);
    }
    // a release may have happened between the failed tryAcquire and the registration
    AtomicInteger mine = usedByWorker.get(worker);
    if (used.get() < capacity && (mine == null || mine.get() < workerLimits.get(worker))) {
      wakeAll();
    }
  }

  private void wakeAll() {
    Runnable next;
    while ((next = waiting.poll()) != null) {
      waitingSet.remove(next);
      next.run();
    }
  }
}
