package dev.troupe.node.run;

import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;

/**
 * The node-wide cap on executing runs ({@code troupe.node.max-executing-runs}), shared by every
 * worker entity on the node. An entity that finds no slot registers and is told when slots free.
 */
public final class NodeSlots {
  private final int capacity;
  private final AtomicInteger used = new AtomicInteger();
  private final Queue<Runnable> waiting = new ConcurrentLinkedQueue<>();
  private final Set<Runnable> waitingSet = ConcurrentHashMap.newKeySet();

  public NodeSlots(int capacity) {
    this.capacity = capacity;
  }

  public boolean tryAcquire() {
    int n;
    do {
      n = used.get();
      if (n >= capacity) {
        return false;
      }
    } while (!used.compareAndSet(n, n + 1));
    return true;
  }

  public void release(int n) {
    if (n <= 0) {
      return;
    }
    used.addAndGet(-n);
    wakeAll();
  }

  /**
   * {@code wake} runs once at the next release (on the releasing thread: it must only send a
   * message). A waiter registered again before that is woken once; waiters are told apart by
   * equality, so each entity passes the same object every time.
   */
  public void await(Runnable wake) {
    if (waitingSet.add(wake)) {
      waiting.add(wake);
    }
    // a release may have happened between the failed tryAcquire and the registration
    if (used.get() < capacity) {
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
