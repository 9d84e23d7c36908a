package dev.troupe.node.placement;

import org.apache.pekko.cluster.sharding.typed.ShardingEnvelope;
import org.apache.pekko.cluster.sharding.typed.ShardingMessageExtractor;

/**
 * Sharding's messages of worker entities, one shard per entity: the shard id is the entity id
 * ({@code worker} or {@code worker#partition}). Worker entities are few and long-lived, and a
 * shard that holds one worker's entity only can be placed by its worker ({@link
 * WorkerAllocation}); Pekko's default hashes entity ids into shards shared by several workers.
 *
 * @param <M> the entities' message type
 */
public final class ShardPerEntity<M> extends ShardingMessageExtractor<ShardingEnvelope<M>, M> {
  @Override
  public String entityId(ShardingEnvelope<M> envelope) {
    return envelope.entityId();
  }

  @Override
  public String shardId(String entityId) {
    return entityId;
  }

  @Override
  public M unwrapMessage(ShardingEnvelope<M> envelope) {
    return envelope.message();
  }
}
