package dev.troupe.node.entity;

import java.util.List;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import org.apache.pekko.actor.typed.ActorRef;

/**
 * The worker entities (their fronts) alive on this node, for draining them at shutdown, and
 * whether the node still accepts new runs. Entities add and remove themselves; the node's
 * shutdown stops the accepting.
 */
public final class LocalEntities {
  private final Set<ActorRef<WorkerEntity.Command>> fronts = ConcurrentHashMap.newKeySet();
  private volatile boolean accepting = true;

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
}
