package dev.troupe.node.entity;

import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The bytes of payloads (as JSON) of the runs not yet finished that the worker entities on this
 * node hold, each entity's as it last reported them after a decision ({@code
 * troupe.node.max-active-payload-bytes}). Thread-safe: every entity of the node reports here.
 */
final class NodePayloads {
  private final Map<String, Long> byEntity = new ConcurrentHashMap<>();
  private final AtomicLong total = new AtomicLong();

  /** Entity {@code entityId} now holds {@code bytes}. */
  void report(String entityId, long bytes) {
    Long before = bytes == 0 ? byEntity.remove(entityId) : byEntity.put(entityId, bytes);
    total.addAndGet(bytes - (before == null ? 0 : before));
  }

  /** What the entities of this node other than {@code entityId} hold. */
  long heldByOthers(String entityId) {
    return total.get() - byEntity.getOrDefault(entityId, 0L);
  }

  /** What all entities of this node hold. */
  AtomicLong total() {
    return total;
  }
}
