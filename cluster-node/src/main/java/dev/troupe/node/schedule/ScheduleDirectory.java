package dev.troupe.node.schedule;

import com.fasterxml.jackson.annotation.JsonSubTypes;
import com.fasterxml.jackson.annotation.JsonTypeInfo;
import dev.troupe.api.TroupeSerializable;
import java.time.Duration;
import java.util.List;
import java.util.TreeSet;
import java.util.function.Consumer;
import org.apache.pekko.Done;
import org.apache.pekko.actor.typed.ActorRef;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.SupervisorStrategy;
import org.apache.pekko.cluster.sharding.typed.javadsl.EntityTypeKey;
import org.apache.pekko.persistence.typed.PersistenceId;
import org.apache.pekko.persistence.typed.javadsl.CommandHandler;
import org.apache.pekko.persistence.typed.javadsl.EventHandler;
import org.apache.pekko.persistence.typed.javadsl.EventSourcedBehavior;
import org.apache.pekko.persistence.typed.javadsl.RetentionCriteria;

/**
 * The names of the cluster's schedules: one sharded, event-sourced entity (id {@value #ID},
 * persistence id {@code schedule-directory|all}). It answers the list of schedules, and wakes
 * every schedule when a node starts, so that schedules fire after a restart of the whole cluster
 * whatever sharding remembers. A name is listed before its schedule is written and unlisted after
 * it is deleted, so a listed name may name no schedule (its entity says so), never the reverse.
 */
public final class ScheduleDirectory
    extends EventSourcedBehavior<ScheduleDirectory.Command, ScheduleDirectory.Event,
        ScheduleDirectory.Names> {
  public static final EntityTypeKey<Command> KEY =
      EntityTypeKey.create(Command.class, "schedule-directory");
  public static final String ID = "all";

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Add.class, name = "add"),
    @JsonSubTypes.Type(value = Remove.class, name = "remove"),
    @JsonSubTypes.Type(value = GetNames.class, name = "get-names"),
    @JsonSubTypes.Type(value = WakeAll.class, name = "wake-all")
  })
  public sealed interface Command extends TroupeSerializable {}

  public record Add(String name, ActorRef<Done> replyTo) implements Command {}

  public record Remove(String name, ActorRef<Done> replyTo) implements Command {}

  public record GetNames(ActorRef<Names> replyTo) implements Command {}

  /** Wake every listed schedule; replies once the wake messages are sent. */
  public record WakeAll(ActorRef<Done> replyTo) implements Command {}

  @JsonTypeInfo(use = JsonTypeInfo.Id.NAME, property = "type")
  @JsonSubTypes({
    @JsonSubTypes.Type(value = Listed.class, name = "listed"),
    @JsonSubTypes.Type(value = Unlisted.class, name = "unlisted")
  })
  public sealed interface Event extends TroupeSerializable {}

  public record Listed(String name) implements Event {}

  public record Unlisted(String name) implements Event {}

  /** The listed names, sorted. */
  public record Names(List<String> names) implements TroupeSerializable {
    public Names {
      names = List.copyOf(names);
    }

    Names with(Event e) {
      TreeSet<String> s = new TreeSet<>(names);
      if (e instanceof Listed l) {
        s.add(l.name());
      } else {
        s.remove(((Unlisted) e).name());
      }
      return new Names(List.copyOf(s));
    }
  }

  private final Consumer<String> wake;

  private ScheduleDirectory(Consumer<String> wake) {
    super(PersistenceId.of(KEY.name(), ID),
        SupervisorStrategy.restartWithBackoff(Duration.ofMillis(200), Duration.ofSeconds(10), 0.2));
    this.wake = wake;
  }

  /** The directory; {@code wake} wakes the schedule of a name. */
  public static Behavior<Command> create(Consumer<String> wake) {
    return new ScheduleDirectory(wake);
  }

  @Override
  public Names emptyState() {
    return new Names(List.of());
  }

  @Override
  public RetentionCriteria retentionCriteria() {
    return RetentionCriteria.snapshotEvery(100, 2).withDeleteEventsOnSnapshot();
  }

  @Override
  public CommandHandler<Command, Event, Names> commandHandler() {
    return newCommandHandlerBuilder().forAnyState()
        .onCommand(Add.class, (s, c) -> s.names().contains(c.name())
            ? Effect().none().thenReply(c.replyTo(), x -> Done.getInstance())
            : Effect().persist(new Listed(c.name())).thenReply(c.replyTo(), x -> Done.getInstance()))
        .onCommand(Remove.class, (s, c) -> !s.names().contains(c.name())
            ? Effect().none().thenReply(c.replyTo(), x -> Done.getInstance())
            : Effect().persist(new Unlisted(c.name()))
                .thenReply(c.replyTo(), x -> Done.getInstance()))
        .onCommand(GetNames.class, (s, c) -> Effect().none().thenReply(c.replyTo(), x -> x))
        .onCommand(WakeAll.class, (s, c) -> {
          s.names().forEach(wake);
          return Effect().none().thenReply(c.replyTo(), x -> Done.getInstance());
        })
        .build();
  }

  @Override
  public EventHandler<Names, Event> eventHandler() {
    return Names::with;
  }
}
