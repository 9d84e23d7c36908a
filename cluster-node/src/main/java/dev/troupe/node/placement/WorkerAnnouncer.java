package dev.troupe.node.placement;

import java.util.HashMap;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.AbstractBehavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.Receive;
import org.apache.pekko.cluster.ClusterEvent;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.Key;
import org.apache.pekko.cluster.ddata.ORMultiMap;
import org.apache.pekko.cluster.ddata.ORMultiMapKey;
import org.apache.pekko.cluster.ddata.SelfUniqueAddress;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;
import org.apache.pekko.cluster.ddata.typed.javadsl.ReplicatorMessageAdapter;
import org.apache.pekko.cluster.typed.Cluster;
import org.apache.pekko.cluster.typed.Subscribe;

/**
 * The node's side of {@link RegisteredWorkers}: writes the workers this node registered into the
 * replicated map under its own key (written locally, spread by Distributed Data's gossip), removes
 * the key of a member that was removed from the cluster, and hands every change of the map to the
 * view. Local to its node (a system actor): its messages are never serialized.
 */
final class WorkerAnnouncer extends AbstractBehavior<WorkerAnnouncer.Command> {
  static final Key<ORMultiMap<String, String>> KEY =
      ORMultiMapKey.create("troupe-registered-workers");

  sealed interface Command {}

  /** This node has {@code worker} registered. */
  record Announce(String worker) implements Command {}

  private record Changed(Map<String, Set<String>> entries) implements Command {}

  private record Removed(UniqueAddress member) implements Command {}

  private final RegisteredWorkers view;
  private final ActorRef<Replicator.Command> replicator;
  private final SelfUniqueAddress self;
  private final Set<String> mine = new TreeSet<>();

  static Behavior<Command> create(RegisteredWorkers view) {
    return Behaviors.setup(ctx -> DistributedData.<Command, ORMultiMap<String, String>>
        withReplicatorMessageAdapter(adapter -> new WorkerAnnouncer(ctx, adapter, view)));
  }

  private WorkerAnnouncer(ActorContext<Command> ctx,
      ReplicatorMessageAdapter<Command, ORMultiMap<String, String>> adapter,
      RegisteredWorkers view) {
    super(ctx);
    this.view = view;
    this.replicator = DistributedData.get(ctx.getSystem()).replicator();
    this.self = DistributedData.get(ctx.getSystem()).selfUniqueAddress();
    adapter.subscribe(KEY, r -> r instanceof Replicator.Changed<ORMultiMap<String, String>> c
        ? new Changed(entries(c.get(KEY))) : new Changed(Map.of()));
    Cluster.get(ctx.getSystem()).subscriptions().tell(Subscribe.create(
        ctx.messageAdapter(ClusterEvent.MemberRemoved.class,
            e -> new Removed(e.member().uniqueAddress())), ClusterEvent.MemberRemoved.class));
  }

  private static Map<String, Set<String>> entries(ORMultiMap<String, String> map) {
    Map<String, Set<String>> out = new HashMap<>();
    map.getEntries().forEach((member, workers) -> out.put(member, Set.copyOf(workers)));
    return Map.copyOf(out);
  }

  @Override
  public Receive<Command> createReceive() {
    return newReceiveBuilder()
        .onMessage(Announce.class, this::onAnnounce)
        .onMessage(Changed.class, c -> {
          view.replaced(c.entries());
          return this;
        })
        .onMessage(Removed.class, this::onRemoved)
        .build();
  }

  private Behavior<Command> onAnnounce(Announce a) {
    if (mine.add(a.worker())) {
      Set<String> workers = Set.copyOf(mine);
      String me = RegisteredWorkers.key(self.uniqueAddress());
      replicator.tell(new Replicator.Update<>(KEY, ORMultiMap.create(), Replicator.writeLocal(),
          getContext().getSystem().ignoreRef(), m -> m.put(self, me, workers)));
    }
    return this;
  }

  private Behavior<Command> onRemoved(Removed r) {
    String gone = RegisteredWorkers.key(r.member());
    replicator.tell(new Replicator.Update<>(KEY, ORMultiMap.create(), Replicator.writeLocal(),
        getContext().getSystem().ignoreRef(), m -> m.remove(self, gone)));
    return this;
  }
}
