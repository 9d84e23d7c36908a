package dev.troupe.node.entity;

import dev.troupe.node.placement.ShardPerEntity;
import dev.troupe.node.placement.WorkerAllocation;
import java.util.function.Consumer;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/** The wiring of worker entities into Cluster Sharding: a front and its core per entity. */
public final class WorkerEntities {
  private WorkerEntities() {}

  /**
   * Starts sharding of the worker entities of {@code role} (null: any node) on this node; a node
   * without that role only routes to them (a proxy). Idempotent. One shard per entity, placed only
   * on nodes that have its worker registered ({@link WorkerAllocation}).
   */
  public static void init(EntityServices services, String role) {
    Entity<WorkerEntity.Command, ShardingEnvelope<WorkerEntity.Command>> entity = Entity.of(
            WorkerEntity.keyFor(role), ctx -> create(ctx.getEntityId(), services,
                front -> ctx.getShard().tell(new ClusterSharding.Passivate<>(front))))
        .withStopMessage(WorkerEntity.Stop.INSTANCE)
        .withMessageExtractor(new ShardPerEntity<WorkerEntity.Command>())
        .withAllocationStrategy(new WorkerAllocation(services.system()));
    ClusterSharding.get(services.system()).init(role == null ? entity : entity.withRole(role));
  }

  /** The sharded entity: a front that batches commands, and the event-sourced core behind it. */
  static Behavior<WorkerEntity.Command> create(String entityId, EntityServices services,
      Consumer<ActorRef<WorkerEntity.Command>> passivate) {
    return EntityFront.create(entityId, services, passivate,
        front -> EntityCore.create(entityId, services, front));
  }
}
