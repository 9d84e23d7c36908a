package dev.troupe.node.schedule;

import dev.troupe.api.Schedule;
import dev.troupe.node.config.ScheduleSettings;
import dev.troupe.node.entity.LocalEntities;
import java.time.Clock;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.apache.pekko.cluster.sharding.typed.javadsl.ClusterSharding;
import org.apache.pekko.cluster.sharding.typed.javadsl.Entity;

/**
 * The schedules of the cluster as this node reaches them: starts sharding of the schedule
 * entities and of the {@link ScheduleDirectory} (on every node, no role), and asks them, each ask
 * with the node's ask timeout, its reply completed on the callback dispatcher. Sharding remembers
 * the entities (remember-entities, in the journal): after a node dies its schedules start on the
 * survivors by themselves; {@link #wakeAll()} at start covers a restart of the whole cluster.
 */
public final class ScheduleEntities {
  private final ClusterSharding sharding;
  private final Duration timeout;
  private final Executor callbacks;
  private final ActorRef<Done> ignore;

  private ScheduleEntities(ActorSystem<?> system, Duration timeout) {
    this.sharding = ClusterSharding.get(system);
    this.ignore = system.ignoreRef();
    this.timeout = timeout;
    this.callbacks = system.dispatchers()
        .lookup(DispatcherSelector.fromConfig("troupe.callback-dispatcher"));
  }

  /** Starts sharding of schedules on this node: their runs start through {@code starter}. */
  public static ScheduleEntities init(ActorSystem<?> system, ScheduleSettings settings,
      Duration askTimeout, Clock clock, RunStarter starter, LocalEntities node) {
    ClusterSharding sharding = ClusterSharding.get(system);
    sharding.init(Entity.of(ScheduleEntity.KEY, ctx -> ScheduleCore.create(ctx.getEntityId(),
            settings, clock, starter,
            self -> ctx.getShard().tell(new ClusterSharding.Passivate<>(self)),
            () -> sharding.entityRefFor(ScheduleEntity.KEY, ctx.getEntityId())
                .tell(new ScheduleEntity.Wake(system.ignoreRef())), node))
        .withStopMessage(ScheduleEntity.Stop.INSTANCE));
    sharding.init(Entity.of(ScheduleDirectory.KEY, ctx -> ScheduleDirectory.create(name ->
        sharding.entityRefFor(ScheduleEntity.KEY, name)
            .tell(new ScheduleEntity.Wake(system.ignoreRef())))));
    return new ScheduleEntities(system, askTimeout);
  }

  /**
   * Wakes every listed schedule (a node calls it once at start). Told, not asked: sharding keeps
   * the message until the cluster has formed, however long that takes.
   */
  public void wakeAll() {
    sharding.entityRefFor(ScheduleDirectory.KEY, ScheduleDirectory.ID)
        .tell(new ScheduleDirectory.WakeAll(ignore));
  }

  public CompletionStage<List<String>> names() {
    return off(sharding.entityRefFor(ScheduleDirectory.KEY, ScheduleDirectory.ID)
        .<ScheduleDirectory.Names>ask(ScheduleDirectory.GetNames::new, timeout)
        .thenApply(ScheduleDirectory.Names::names));
  }

  /** Lists the name, then creates or replaces the schedule. */
  public CompletionStage<ScheduleEntity.Reply> put(Schedule schedule) {
    return off(sharding.entityRefFor(ScheduleDirectory.KEY, ScheduleDirectory.ID)
        .<Done>ask(r -> new ScheduleDirectory.Add(schedule.name(), r), timeout)
        .thenCompose(d -> ask(schedule.name(), r -> new ScheduleEntity.Put(schedule, r))));
  }

  public CompletionStage<ScheduleEntity.Reply> get(String name) {
    return off(ask(name, ScheduleEntity.Get::new));
  }

  public CompletionStage<ScheduleEntity.Reply> pause(String name) {
    return off(ask(name, ScheduleEntity.Pause::new));
  }

  public CompletionStage<ScheduleEntity.Reply> resume(String name) {
    return off(ask(name, ScheduleEntity.Resume::new));
  }

  public CompletionStage<ScheduleEntity.Reply> trigger(String name) {
    return off(ask(name, ScheduleEntity.Trigger::new));
  }

  /** Deletes the schedule, then unlists its name. */
  public CompletionStage<ScheduleEntity.Reply> delete(String name) {
    return off(ask(name, ScheduleEntity.Delete::new).thenCompose(reply ->
        sharding.entityRefFor(ScheduleDirectory.KEY, ScheduleDirectory.ID)
            .<Done>ask(r -> new ScheduleDirectory.Remove(name, r), timeout)
            .thenApply(d -> reply)));
  }

  private CompletionStage<ScheduleEntity.Reply> ask(String name,
      Function<ActorRef<ScheduleEntity.Reply>, ScheduleEntity.Command> message) {
    return sharding.entityRefFor(ScheduleEntity.KEY, name).ask(message::apply, timeout);
  }

  /** The stage completed on the callback dispatcher, never on an entity's thread. */
  private <T> CompletionStage<T> off(CompletionStage<T> reply) {
    CompletableFuture<T> out = new CompletableFuture<>();
    reply.whenCompleteAsync((v, t) -> {
      if (t == null) {
        out.complete(v);
      } else {
        out.completeExceptionally(t);
      }
    }, callbacks);
    return out;
  }
}
