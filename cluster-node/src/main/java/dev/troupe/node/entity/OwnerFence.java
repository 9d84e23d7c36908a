package dev.troupe.node.entity;

import java.sql.SQLException;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Down;
import org.slf4j.Logger;

/**
 * The fence of a stale owner. A worker entity's journal is written by one owner at a time, each
 * entry under the next sequence number of its persistence id, which the journal's key keeps
 * unique. A write refused because its sequence number is already taken (SQLState 23505, unique
 * violation) thus means that another node recovered the entity and wrote it meanwhile: this
 * node's view of the cluster is stale (it was paused past the Split Brain Resolver and downed
 * without knowing it), or another node's is. Restarting the entity in place would recover the
 * journal, now holding the new owner's events, and then start its runs again here, under the
 * next free sequence numbers, while the new owner executes them.
 *
 * <p>So the first such refusal fences the whole node: its entities write nothing more and start
 * no attempt (each stops at its next command, {@link EntityCore}), they are all told to stop, the
 * node refuses new calls, and it downs itself, which runs its coordinated shutdown (without the
 * drain: the other nodes own its runs) and, for the runnable node, exits the JVM. A schedule's
 * entity, written the same way, fences the node alike.
 */
public final class OwnerFence {
  /** SQL's "unique violation", on PostgreSQL and H2 alike. */
  private static final String UNIQUE_VIOLATION = "23505";

  private OwnerFence() {}

  /** Whether the journal refused a write because its sequence number was taken. */
  public static boolean isSequenceConflict(Throwable failure) {
    for (Throwable t = failure; t != null; t = t.getCause()) {
      for (SQLException e = t instanceof SQLException s ? s : null; e != null; e = e.getNextException()) {
        if (UNIQUE_VIOLATION.equals(e.getSQLState())) {
          return true;
        }
      }
    }
    return false;
  }

  /**
   * Fences the node after the journal refused a write of {@code entityId} for a taken sequence
   * number (once; later calls do nothing).
   */
  static void fence(EntityServices services, String entityId, Throwable failure, Logger log) {
    fence(services.system(), services.entities(), "worker entity " + entityId, failure, log);
  }

  /**
   * Fences the node after the journal refused a write of {@code writer} (an entity, named for the
   * log) for a taken sequence number: once; later calls do nothing.
   */
  public static void fence(ActorSystem<?> system, LocalEntities entities, String writer,
      Throwable failure, Logger log) {
    if (!entities.fence()) {
      return;
    }
    Cluster cluster = Cluster.get(system);
    Address self = cluster.selfMember().address();
    log.error("the journal refused a write of {}: another node wrote its next sequence number, so"
        + " it owns the entity now and this node was downed without seeing it (paused, or cut"
        + " off). This node's entities stop without writing or starting anything more, and the"
        + " node leaves the cluster ({}): {}", writer, self, failure.toString());
    entities.snapshot().forEach(front -> front.tell(WorkerEntity.Stop.INSTANCE));
    cluster.manager().tell(new Down(self));
  }
}
