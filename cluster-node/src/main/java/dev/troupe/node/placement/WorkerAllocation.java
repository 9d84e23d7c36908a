package dev.troupe.node.placement;

import dev.troupe.persistence.RunIds;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.HashSet;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.sharding.ShardCoordinator;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.dispatch.Futures;
import scala.collection.immutable.IndexedSeq;
import scala.concurrent.Future;
import scala.jdk.javaapi.CollectionConverters;

/**
 * Where Cluster Sharding places worker entities: only on a node that has the entity's worker
 * registered, as {@link RegisteredWorkers} knows it. A shard is one entity ({@link
 * ShardPerEntity}), so a shard id names its worker. Used by the shard coordinator (one per entity
 * type, on the oldest node), never by the entities.
 *
 * <p>Allocation: the least loaded region (fewest shards) among those whose node announced the
 * worker, the requester on a tie. When none did (their announcements not arrived yet, or every
 * node with the worker is gone), the requester if it is a region, since only a node with the
 * worker registered sends to its entities ({@code EntityClient}); else (a remembered entity
 * restarted after its node left) the least loaded region: there the entity recovers and starts
 * nothing (its runs wait, {@code Attempts.dispatch}), or, if it was never written, passivates and
 * is forgotten; the rebalance moves it once a node with the worker is known.
 *
 * <p>Rebalance, each {@code pekko.cluster.sharding.rebalance-interval}: first every shard on a
 * node known to lack its worker, when a node with it is known (its entity runs nothing there, so
 * its move costs no attempt and is not counted in the limits below); then shards off the most
 * loaded regions, only where a region with the worker holds at least two shards fewer (a move that
 * does not make the spread better never happens, so a worker's shards with nowhere better to go
 * stay).
 * Per round at most as many as Pekko's {@code least-shard-allocation-strategy} allows: {@code
 * rebalance-absolute-limit} and {@code rebalance-relative-limit} when the absolute limit is set,
 * else {@code rebalance-threshold} (a move at a time by default) within {@code
 * max-simultaneous-rebalance}.
 */
public final class WorkerAllocation extends ShardCoordinator.AbstractShardAllocationStrategy {
  private final Cluster cluster;
  private final RegisteredWorkers workers;
  private final int absoluteLimit;
  private final double relativeLimit;
  private final int threshold;
  private final int maxSimultaneous;

  public WorkerAllocation(ActorSystem<?> system) {
    this.cluster = Cluster.get(system);
    this.workers = RegisteredWorkers.get(system);
    var c = system.settings().config()
        .getConfig("pekko.cluster.sharding.least-shard-allocation-strategy");
    this.absoluteLimit = c.getInt("rebalance-absolute-limit");
    this.relativeLimit = c.getDouble("rebalance-relative-limit");
    this.threshold = c.getInt("rebalance-threshold");
    this.maxSimultaneous = c.getInt("max-simultaneous-rebalance");
  }

  @Override
  public Future<ActorRef> allocateShard(ActorRef requester, String shardId,
      Map<ActorRef, IndexedSeq<String>> current) {
    Map<ActorRef, Integer> load = load(current);
    String worker = RunIds.workerOf(shardId);
    Optional<ActorRef> best = load.keySet().stream().filter(r -> has(r, worker))
        .min(leastLoaded(load, requester));
    if (best.isEmpty() && load.containsKey(requester)) {
      return Futures.successful(requester);
    }
    return Futures.successful(best.orElseGet(() ->
        load.keySet().stream().min(leastLoaded(load, requester)).orElseThrow()));
  }

  @Override
  public Future<Set<String>> rebalance(Map<ActorRef, IndexedSeq<String>> current,
      Set<String> inProgress) {
    Map<ActorRef, Integer> load = load(current);
    Set<String> moves = new HashSet<>();
    for (Map.Entry<ActorRef, IndexedSeq<String>> e : current.entrySet()) {
      for (String shard : CollectionConverters.asJava(e.getValue())) {
        if (!inProgress.contains(shard) && lacks(e.getKey(), shard)) {
          target(shard, e.getKey(), load, Integer.MAX_VALUE).ifPresent(t -> {
            moves.add(shard);
            move(load, e.getKey(), t);
          });
        }
      }
    }
    int limit = moves.size() + limit(load, inProgress.size());
    boolean moved = true;
    while (moved && moves.size() < limit) {
      moved = balance(current, load, inProgress, moves);
    }
    return Futures.successful(moves);
  }

  /** Adds one move that narrows the spread, if there is one. */
  private boolean balance(Map<ActorRef, IndexedSeq<String>> current, Map<ActorRef, Integer> load,
      Set<String> inProgress, Set<String> moves) {
    List<ActorRef> byLoad = new ArrayList<>(load.keySet());
    byLoad.sort(Comparator.<ActorRef, Integer>comparing(load::get).reversed());
    for (ActorRef from : byLoad) {
      for (String shard : CollectionConverters.asJava(current.get(from))) {
        if (!inProgress.contains(shard) && !moves.contains(shard)) {
          Optional<ActorRef> to = target(shard, from, load, load.get(from) - 2);
          if (to.isPresent()) {
            moves.add(shard);
            move(load, from, to.get());
            return true;
          }
        }
      }
    }
    return false;
  }

  /** The least loaded other region with the shard's worker holding at most {@code maxLoad}. */
  private Optional<ActorRef> target(String shard, ActorRef from, Map<ActorRef, Integer> load,
      int maxLoad) {
    String worker = RunIds.workerOf(shard);
    return load.keySet().stream()
        .filter(r -> !r.equals(from) && load.get(r) <= maxLoad && has(r, worker))
        .min(Comparator.<ActorRef, Integer>comparing(load::get));
  }

  private int limit(Map<ActorRef, Integer> load, int inProgress) {
    if (absoluteLimit > 0) {
      int shards = load.values().stream().mapToInt(Integer::intValue).sum();
      return Math.min(absoluteLimit, Math.max(1, (int) (relativeLimit * shards)));
    }
    return Math.max(0, Math.min(threshold, maxSimultaneous - inProgress));
  }

  private static void move(Map<ActorRef, Integer> load, ActorRef from, ActorRef to) {
    load.merge(from, -1, Integer::sum);
    load.merge(to, 1, Integer::sum);
  }

  private static Map<ActorRef, Integer> load(Map<ActorRef, IndexedSeq<String>> current) {
    Map<ActorRef, Integer> load = new HashMap<>();
    current.forEach((region, shards) -> load.put(region, shards.size()));
    return load;
  }

  private static Comparator<ActorRef> leastLoaded(Map<ActorRef, Integer> load, ActorRef requester) {
    return Comparator.<ActorRef, Integer>comparing(load::get)
        .thenComparing(r -> !r.equals(requester));
  }

  /** Whether the region's node announced {@code worker}. */
  private boolean has(ActorRef region, String worker) {
    return announced(region).map(w -> w.contains(worker)).orElse(false);
  }

  /** Whether the region's node announced its workers, and not the shard's. */
  private boolean lacks(ActorRef region, String shard) {
    return announced(region).map(w -> !w.contains(RunIds.workerOf(shard))).orElse(false);
  }

  private Optional<Set<String>> announced(ActorRef region) {
    return member(region).flatMap(workers::of);
  }

  private Optional<UniqueAddress> member(ActorRef region) {
    if (region.path().address().hasLocalScope()) {
      return Optional.of(cluster.selfMember().uniqueAddress());
    }
    for (Member m : cluster.state().getMembers()) {
      if (m.address().equals(region.path().address())) {
        return Optional.of(m.uniqueAddress());
      }
    }
    return Optional.empty();
  }
}
