package dev.troupe.node.entity;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicBoolean;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The worker entities (their fronts) alive on this node, for draining them at shutdown, whether
 * the node still accepts new runs, and whether it is fenced as a stale owner ({@link OwnerFence}).
 * Entities add and remove themselves; the node's shutdown stops the accepting, a fence stops it
 * too.
 */
public final class LocalEntities {
  private final Set<ActorRef<WorkerEntity.Command>> fronts = ConcurrentHashMap.newKeySet();
  private volatile boolean accepting = true;
  private final AtomicBoolean fenced = new AtomicBoolean();

  void add(ActorRef<WorkerEntity.Command> front) {
    fronts.add(front);
  }

  void remove(ActorRef<WorkerEntity.Command> front) {
    fronts.remove(front);
  }

  /** The fronts alive now. */
  List<ActorRef<WorkerEntity.Command>> snapshot() {
    return List.copyOf(fronts);
  }

  /** From now on, calls are refused: the node is shutting down. */
  public void stopAccepting() {
    accepting = false;
  }

  public boolean accepting() {
    return accepting;
  }

  /** Fences the node for good: it accepts no call, and its entities write nothing. True the first time. */
  boolean fence() {
    accepting = false;
    return fenced.compareAndSet(false, true);
  }

  /** Whether another node took this node's entities over while it could not see it. */
  public boolean fenced() {
    return fenced.get();
  }
}
