package dev.troupe.node.placement;

import java.util.Map;
import java.util.Optional;
import java.util.Set;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Extension;
import org.apache.pekko.actor.typed.ExtensionId;
import org.apache.pekko.actor.typed.Props;
import org.apache.pekko.cluster.UniqueAddress;

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
  private final ActorRef<WorkerAnnouncer.Command> announcer;
  /** Member (see {@link #key}) → the workers it registered, as last replicated. */
  private volatile Map<String, Set<String>> byMember = Map.of();

  private RegisteredWorkers(ActorSystem<?> system) {
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
