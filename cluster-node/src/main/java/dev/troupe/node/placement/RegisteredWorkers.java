package dev.troupe.node.placement;

import java.time.Duration;
import java.util.Map;
import java.util.Optional;
import java.util.Set;
import java.util.concurrent.CompletionStage;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.actor.typed.javadsl.AskPattern;
import org.apache.pekko.cluster.UniqueAddress;
import org.apache.pekko.cluster.ddata.ORMultiMap;
import org.apache.pekko.cluster.ddata.typed.javadsl.DistributedData;
import org.apache.pekko.cluster.ddata.typed.javadsl.Replicator;

/**
 * Which worker definitions each cluster member has registered, as the members announce them: one
 * replicated map of Pekko Distributed Data (member → worker names, {@link WorkerAnnouncer}), read
 * here from any thread. Each node announces its own definitions as it registers them; the entry of
 * a member that left is removed. One per actor system (an extension).
 *
 * <p>The view is eventually consistent: a member that just joined or just registered a definition
 * may not be known yet ({@link #of} is empty), or known without it, for a gossip round or two. The
 * placement of worker entities ({@link WorkerAllocation}) allows for that.
 */
public final class RegisteredWorkers implements Extension {
  private static final Id ID = new Id();
  private final ActorSystem<?> system;
  private final ActorRef<WorkerAnnouncer.Command> announcer;
  /** Member (see {@link #key}) → the workers it registered, as last replicated. */
  private volatile Map<String, Set<String>> byMember = Map.of();

  private RegisteredWorkers(ActorSystem<?> system) {
    this.system = system;
    this.announcer = system.systemActorOf(WorkerAnnouncer.create(this),
        "troupe-registered-workers", Props.empty());
  }

  public static RegisteredWorkers get(ActorSystem<?> system) {
    return ID.apply(system);
  }

  /** Announces to the cluster that this node has {@code worker} registered. */
  public void announce(String worker) {
    announcer.tell(new WorkerAnnouncer.Announce(worker));
  }

  /** The workers {@code member} registered, or empty while its announcement has not arrived. */
  public Optional<Set<String>> of(UniqueAddress member) {
    return Optional.ofNullable(byMember.get(key(member)));
  }

  /**
   * Whether any member's announcement of {@code worker} has reached this node. An entry stays until
   * its member is removed from the cluster, so an unreachable member's announcement still counts.
   */
  public boolean announcedAnywhere(String worker) {
    return byMember.values().stream().anyMatch(w -> w.contains(worker));
  }

  /**
   * Whether any member announced {@code worker}, read from a majority of the members rather than
   * from this node's copy: an announcement that a majority holds is seen even when gossip has not
   * brought it here yet. Fails when a majority does not answer within {@code timeout}.
   */
  public CompletionStage<Boolean> readAnnounced(String worker, Duration timeout) {
    ActorRef<Replicator.Command> replicator = DistributedData.get(system).replicator();
    Replicator.ReadConsistency majority = new Replicator.ReadMajority(timeout);
    return AskPattern.<Replicator.Command, Replicator.GetResponse<ORMultiMap<String, String>>>ask(
        replicator, r -> new Replicator.Get<>(WorkerAnnouncer.KEY, majority, r),
        timeout.multipliedBy(2), system.scheduler()).thenApply(r -> announces(r, worker, timeout));
  }

  private static boolean announces(Replicator.GetResponse<ORMultiMap<String, String>> r,
      String worker, Duration timeout) {
    if (r instanceof Replicator.GetSuccess<ORMultiMap<String, String>> ok) {
      return ok.get(WorkerAnnouncer.KEY).getEntries().values().stream()
          .anyMatch(w -> w.contains(worker));
    }
    if (r instanceof Replicator.NotFound) {
      return false;
    }
    throw new IllegalStateException("no majority of the members answered within " + timeout
        + " which workers they announced");
  }

  /** The replicated map's key of {@code member}: its address and incarnation. */
  static String key(UniqueAddress member) {
    return member.address() + "#" + member.longUid();
  }

  /** The replicated map changed (by its announcer only). */
  void replaced(Map<String, Set<String>> entries) {
    byMember = entries;
  }

  private static final class Id extends ExtensionId<RegisteredWorkers> {
    @Override
    public RegisteredWorkers createExtension(ActorSystem<?> system) {
      return new RegisteredWorkers(system);
    }
  }
}
