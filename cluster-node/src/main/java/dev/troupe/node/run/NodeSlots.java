package dev.troupe.node.run;

import java.util.Map;
import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Predicate;

/**
 * The node's caps on executing runs, shared by every worker entity on the node: the node-wide one
 * ({@code troupe.node.max-executing-runs}); for the definitions named in {@code
 * troupe.node.worker-limits}, one per definition (over all its partitions hosted here); and for
 * blocking handlers, the threads they run on ({@link BlockingHandlers#threads}: the blocking
 * pool's size when the node has no virtual threads), so that a run counted as executing has a
 * thread rather than waiting for one in the pool's queue. A slot counts against each cap that
 * applies. An entity that finds no slot registers and is told when slots free.
 */
public final class NodeSlots {
  private final int capacity;
  private final AtomicInteger used = new AtomicInteger();
  /** The used slots of each definition with a cap of its own on this node, and the caps. */
  private final Map<String, AtomicInteger> usedByWorker = new ConcurrentHashMap<>();
  private final Map<String, Integer> workerLimits;
  private final int blockingCapacity;
  private final AtomicInteger usedBlocking = new AtomicInteger();
  /** Whether a definition's handler is a blocking one. */
  private final Predicate<String> blocking;
  private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
  private final Set<Runnable> waitingSet = ConcurrentHashMap.newKeySet();

  public NodeSlots(int capacity) {
    this(capacity, Map.of());
  }

  /** @param workerLimits the most runs of each named definition executing on this node */
  public NodeSlots(int capacity, Map<String, Integer> workerLimits) {
    this(capacity, workerLimits, Integer.MAX_VALUE, worker -> false);
  }

  /**
   * @param workerLimits the most runs of each named definition executing on this node
   * @param blockingCapacity the most runs of blocking handlers executing on this node
   * @param blocking whether a definition's handler is a blocking one
   */
  public NodeSlots(int capacity, Map<String, Integer> workerLimits, int blockingCapacity,
      Predicate<String> blocking) {
    this.capacity = capacity;
    this.workerLimits = Map.copyOf(workerLimits);
    this.workerLimits.keySet().forEach(w -> usedByWorker.put(w, new AtomicInteger()));
    this.blockingCapacity = blockingCapacity;
    this.blocking = blocking;
  }

  /**
   * A slot for a run of {@code worker}: false when the node, the worker on this node, or (for a
   * blocking handler) the threads of blocking handlers are full.
   */
  public boolean tryAcquire(String worker) {
    AtomicInteger mine = usedByWorker.get(worker);
    if (mine != null && !increment(mine, workerLimits.get(worker))) {
      return false;
    }
    boolean onThreads = blocking.test(worker);
    if (onThreads && !increment(usedBlocking, blockingCapacity)) {
      if (mine != null) {
        mine.decrementAndGet();
      }
      return false;
    }
    if (!increment(used, capacity)) {
      if (mine != null) {
        mine.decrementAndGet();
      }
      if (onThreads) {
        usedBlocking.decrementAndGet();
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
    if (blocking.test(worker)) {
      usedBlocking.addAndGet(-n);
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
    if (used.get() < capacity && (mine == null || mine.get() < workerLimits.get(worker))
        && (!blocking.test(worker) || usedBlocking.get() < blockingCapacity)) {
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
