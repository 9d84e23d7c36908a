package dev.troupe.node.history;

import dev.troupe.api.TroupeSerializable;
import dev.troupe.node.metrics.TroupeMetrics;
import java.time.Duration;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.javadsl.ActorContext;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.actor.typed.javadsl.TimerScheduler;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;

/**
 * The purge of old journal entries and runs ({@link RetentionPurge}): one instance per cluster,
 * as a sharded daemon process (sharding moves it when its node leaves), so that two nodes never
 * purge at once. A round starts every {@code interval}; while a round's batch comes back full
 * the next follows at once. Only one round is in flight at a time, its JDBC work on the history's
 * dispatcher, never on this actor's thread. A failed round is logged and counted, and the next
 * one tries again: what a round deleted stays deleted, and nothing is deleted that the history
 * has not applied.
 */
public final class HistoryRetention {
  static final String NAME = "troupe-history-retention";
  private static final String TICK = "tick";

  /** The daemon's messages, all its own: sharding starts and stops it. */
  sealed interface Command extends TroupeSerializable {}

  /** Time for a round. */
  enum Tick implements Command { INSTANCE }

  /** A round ended; {@code round} null when it failed with {@code failure}. */
  record RoundEnded(RetentionPurge.Round round, String failure) implements Command {}

  private HistoryRetention() {}

  /** Starts the daemon process on this node (one instance in the whole cluster). */
  public static void init(ActorSystem<?> system, RetentionPurge purge, Duration interval,
      Executor jdbc, TroupeMetrics metrics) {
    ShardedDaemonProcess.get(system).init(Command.class, NAME, 1,
        i -> create(purge, interval, jdbc, metrics));
  }

  static Behavior<Command> create(RetentionPurge purge, Duration interval, Executor jdbc,
      TroupeMetrics metrics) {
    return Behaviors.setup(ctx -> Behaviors.withTimers(timers -> {
      timers.startSingleTimer(TICK, Tick.INSTANCE, interval);
      return Behaviors.receive(Command.class)
          .onMessage(Tick.class, t -> start(ctx, purge, jdbc))
          .onMessage(RoundEnded.class, r -> ended(ctx, timers, r, interval, metrics))
          .build();
    }));
  }

  private static Behavior<Command> start(ActorContext<Command> ctx, RetentionPurge purge,
      Executor jdbc) {
    CompletableFuture<RetentionPurge.Round> round;
    try {
      round = CompletableFuture.supplyAsync(purge::round, jdbc);
    } catch (RuntimeException refused) { // the dispatcher is shutting down with the system
      round = CompletableFuture.failedFuture(refused);
    }
    ctx.pipeToSelf(round, (r, failure) -> new RoundEnded(r,
        failure == null ? null : String.valueOf(failure.getCause() == null ? failure
            : failure.getCause())));
    return Behaviors.same();
  }

  private static Behavior<Command> ended(ActorContext<Command> ctx,
      TimerScheduler<Command> timers, RoundEnded r, Duration interval, TroupeMetrics metrics) {
    if (r.round() == null) {
      metrics.purgeFailed();
      ctx.getLog().warn("retention: a purge round failed, the next one starts in {}: {}",
          interval, r.failure());
      timers.startSingleTimer(TICK, Tick.INSTANCE, interval);
      return Behaviors.same();
    }
    RetentionPurge.Round round = r.round();
    if (round.journalEntries() + round.runs() > 0) {
      ctx.getLog().debug("retention: purged {} journal entries, {} runs and {} rows of their"
          + " streams", round.journalEntries(), round.runs(), round.streamRows());
    }
    if (round.more()) {
      ctx.getSelf().tell(Tick.INSTANCE);
    } else {
      timers.startSingleTimer(TICK, Tick.INSTANCE, interval);
    }
    return Behaviors.same();
  }
}
