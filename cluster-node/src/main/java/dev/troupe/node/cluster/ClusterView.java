package dev.troupe.node.cluster;

import java.net.URLEncoder;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.Set;
import java.util.TreeSet;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Supplier;
import java.util.stream.StreamSupport;
import org.apache.pekko.actor.ActorNotFound;
import org.apache.pekko.actor.Address;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.javadsl.Adapter;
import org.apache.pekko.cluster.ClusterEvent.CurrentClusterState;
import org.apache.pekko.cluster.Member;
import org.apache.pekko.cluster.MemberStatus;
import org.apache.pekko.cluster.sharding.ShardRegion;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.pattern.Patterns;

/**
 * What the cluster looks like from this node: its members with their status and roles, the
 * unreachable ones, and which worker entities each member hosts. Membership is this node's view
 * of the gossip; the entities come from each member's shard regions of the given entity types
 * (Cluster Sharding's {@code GetShardRegionState}), asked in parallel, each ask bounded by the
 * timeout. A member that does not answer in time, or is unreachable, is listed with {@code
 * entitiesKnown = false}; a member without a region of a type (a proxy: it lacks the type's role)
 * hosts none of its entities.
 */
public final class ClusterView {
  private final ActorSystem<?> system;
  private final org.apache.pekko.actor.ActorSystem classic;
  private final Supplier<List<EntityTypeKey<?>>> keys;
  private final Duration timeout;

  /**
   * @param keys the entity types whose entities are listed per member (asked at each snapshot:
   *     types are added as definitions with new roles register)
   * @param timeout bound of each ask to a member's shard region
   */
  public ClusterView(ActorSystem<?> system, Supplier<List<EntityTypeKey<?>>> keys,
      Duration timeout) {
    this.system = system;
    this.classic = Adapter.toClassic(system);
    this.keys = keys;
    this.timeout = timeout;
  }

  /** The cluster as this node sees it. */
  public record Snapshot(String self, String leader, List<MemberView> members,
      List<String> unreachable) {}

  /**
   * One member.
   *
   * @param address its Pekko address
   * @param status Joining, WeaklyUp, Up, Leaving, Exiting, Down or Removed
   * @param roles its cluster roles (without Pekko's data-center role)
   * @param reachable whether this node's failure detector reaches it
   * @param entitiesKnown whether its shard regions answered in time
   * @param entities the ids of the worker entities it hosts, sorted
   */
  public record MemberView(String address, String status, List<String> roles, boolean reachable,
      boolean entitiesKnown, List<String> entities) {}

  /** Completes within about twice the timeout, never exceptionally for a member not answering. */
  public CompletionStage<Snapshot> snapshot() {
    Cluster cluster = Cluster.get(system);
    CurrentClusterState state = cluster.state();
    Set<Member> unreachable = state.getUnreachable();
    List<Member> members = StreamSupport.stream(state.getMembers().spliterator(), false)
        .sorted(Comparator.comparing(m -> m.address().toString())).toList();
    List<CompletableFuture<MemberView>> views = new ArrayList<>();
    for (Member m : members) {
      boolean reachable = !unreachable.contains(m);
      views.add(entitiesOf(m, reachable).thenApply(entities -> new MemberView(
          m.address().toString(), m.status().toString(),
          m.getRoles().stream().filter(r -> !r.startsWith("dc-")).sorted().toList(), reachable,
          entities.isPresent(), entities.orElse(List.of()))).toCompletableFuture());
    }
    Address leader = state.getLeader();
    String self = cluster.selfMember().address().toString();
    List<String> unreachableAddresses = unreachable.stream().map(m -> m.address().toString())
        .sorted().toList();
    return CompletableFuture.allOf(views.toArray(CompletableFuture[]::new)).thenApply(v ->
        new Snapshot(self, leader == null ? null : leader.toString(),
            views.stream().map(CompletableFuture::join).toList(), unreachableAddresses));
  }

  /** The member's entities over all types, or empty when some region did not answer. */
  private CompletionStage<Optional<List<String>>> entitiesOf(Member m, boolean reachable) {
    if (!reachable || !hostsEntities(m.status())) {
      return CompletableFuture.completedFuture(reachable ? Optional.of(List.of()) : Optional.empty());
    }
    List<CompletableFuture<Optional<Set<String>>>> parts = new ArrayList<>();
    for (EntityTypeKey<?> key : keys.get()) {
      parts.add(regionEntities(m.address(), key).toCompletableFuture());
    }
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
      TreeSet<String> all = new TreeSet<>();
      for (CompletableFuture<Optional<Set<String>>> p : parts) {
        Optional<Set<String>> ids = p.join();
        if (ids.isEmpty()) {
          return Optional.empty();
        }
        all.addAll(ids.get());
      }
      return Optional.of(List.copyOf(all));
    });
  }

  private static boolean hostsEntities(MemberStatus s) {
    return s == MemberStatus.up() || s == MemberStatus.weaklyUp() || s == MemberStatus.leaving()
        || s == MemberStatus.exiting() || s == MemberStatus.joining();
  }

  /**
   * The entity ids of one region: found by its path ({@code /system/sharding/<type>}), then asked
   * for its state. No such actor (the member runs only a proxy of the type): none. No answer in
   * time: empty.
   */
  private CompletionStage<Optional<Set<String>>> regionEntities(Address address, EntityTypeKey<?> key) {
    String path = address + "/system/sharding/" + URLEncoder.encode(key.name(), StandardCharsets.UTF_8);
    return classic.actorSelection(path).resolveOne(timeout)
        .thenCompose(region -> Patterns.ask(region, ShardRegion.getShardRegionStateInstance(), timeout))
        .handle((reply, failure) -> {
          if (failure == null && reply instanceof ShardRegion.CurrentShardRegionState state) {
            Set<String> ids = new TreeSet<>();
            state.getShards().forEach(s -> ids.addAll(s.getEntityIds()));
            return Optional.of(ids);
          }
          Throwable cause = failure instanceof java.util.concurrent.CompletionException
              && failure.getCause() != null ? failure.getCause() : failure;
          return cause instanceof ActorNotFound ? Optional.of(Set.of()) : Optional.empty();
        });
  }
}
