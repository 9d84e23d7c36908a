package dev.troupe.node;

import java.util.Queue;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ConcurrentLinkedQueue;
import java.util.concurrent.atomic.AtomicInteger;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The node-wide cap on executing runs ({@code troupe.node.max-executing-runs}), shared by every
 * worker entity on the node. An entity that finds no slot registers and is told when slots free.
 */
final class NodeSlots {
  private final int capacity;
  private final AtomicInteger used = new AtomicInteger();
  private final Queue<ActorRef<WorkerEntity.Command>> waiting = new ConcurrentLinkedQueue<>();
  private final Set<ActorRef<WorkerEntity.Command>> waitingSet = ConcurrentHashMap.newKeySet();

  NodeSlots(int capacity) {
    this.capacity = capacity;
  }

  boolean tryAcquire() {
    int n;
    do {
      n = used.get();
      if (n >= capacity) {
        return false;
      }
    } while (!used.compareAndSet(n, n + 1));
    return true;
  }

  void release(int n) {
    if (n <= 0) {
      return;
    }
    used.addAndGet(-n);
    wakeAll();
  }

  /** {@code entity} gets {@link WorkerEntity.SlotsFreed} at the next release. */
  void await(ActorRef<WorkerEntity.Command> entity) {
    if (waitingSet.add(entity)) {
      waiting.add(entity);
    }
    // a release may have happened between the failed tryAcquire and the registration
    if (used.get() < capacity) {
      wakeAll();
    }
  }

  private void wakeAll() {
    ActorRef<WorkerEntity.Command> next;
    while ((next = waiting.poll()) != null) {
      waitingSet.remove(next);
      next.tell(WorkerEntity.SlotsFreed.INSTANCE);
    }
  }
}
