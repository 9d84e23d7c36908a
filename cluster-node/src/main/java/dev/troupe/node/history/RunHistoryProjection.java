package dev.troupe.node.history;

import dev.troupe.api.TroupeSerializable;
import dev.troupe.node.config.HistorySettings;
import dev.troupe.node.metrics.TroupeMetrics;
import dev.troupe.persistence.RunHistory;
import dev.troupe.persistence.RunHistoryStore;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.Executor;
import org.apache.pekko.NotUsed;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.Behavior;
import org.apache.pekko.actor.typed.PostStop;
import org.apache.pekko.actor.typed.javadsl.Behaviors;
import org.apache.pekko.cluster.sharding.typed.javadsl.ShardedDaemonProcess;
import org.apache.pekko.persistence.jdbc.query.javadsl.JdbcReadJournal;
import org.apache.pekko.persistence.query.Offset;
import org.apache.pekko.persistence.query.PersistenceQuery;
import org.apache.pekko.stream.KillSwitches;
import org.apache.pekko.stream.Materializer;
import org.apache.pekko.stream.RestartSettings;
import org.apache.pekko.stream.UniqueKillSwitch;
import org.apache.pekko.stream.javadsl.Keep;
import org.apache.pekko.stream.javadsl.RestartSource;
import org.apache.pekko.stream.javadsl.Sink;
import org.apache.pekko.stream.javadsl.Source;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run history projection: follows the journal entries tagged {@link RunHistory#TAG} and folds
 * them into {@code troupe_runs} through {@link RunHistoryStore#applyAll}, a batch and its offset in
 * one transaction. One instance runs per cluster, as a sharded daemon process (sharding moves it
 * when its node leaves). Every (re)start reads the stored offset, so a batch whose write failed
 * is read again: at-least-once, and the store's upserts are idempotent. The JDBC calls run on
 * {@code troupe.history.dispatcher}, never on an actor's thread. No entry is dropped silently and
 * none holds up the others: see {@link HistoryBatches}, which also looks for skipped last entries
 * every {@code troupe.history.tail-check-interval}.
 */
public final class RunHistoryProjection {
  private static final Logger log = LoggerFactory.getLogger(RunHistoryProjection.class);
  static final String NAME = "troupe-run-history";

  /** The daemon takes no messages: sharding starts it and stops it. */
  enum Command implements TroupeSerializable { NONE }

  private RunHistoryProjection() {}

  /** Starts the daemon process on this node (one instance in the whole cluster). */
  public static void init(ActorSystem<?> system, RunHistoryStore store, HistorySettings settings,
      Executor jdbc, TroupeMetrics metrics) {
    ShardedDaemonProcess.get(system).init(Command.class, NAME, 1,
        i -> create(system, store, settings, jdbc, metrics));
  }

  static Behavior<Command> create(ActorSystem<?> system, RunHistoryStore store,
      HistorySettings settings, Executor jdbc, TroupeMetrics metrics) {
    return Behaviors.setup(ctx -> {
      UniqueKillSwitch kill = source(system, store, settings, jdbc, metrics)
          .viaMat(KillSwitches.single(), Keep.right())
          .toMat(Sink.ignore(), Keep.left())
          .run(Materializer.matFromSystem(system));
      ctx.getLog().info("run history projection started on this node");
      return Behaviors.receive(Command.class)
          .onSignal(PostStop.class, s -> {
            kill.shutdown();
            return Behaviors.same();
          })
          .build();
    });
  }

  /**
   * The journal's entries from the stored offset, written in batches; emits each new offset.
   * Each batch written reports its size and lag to {@code metrics}, each failed one its failure.
   */
  static Source<Long, NotUsed> source(ActorSystem<?> system, RunHistoryStore store,
      HistorySettings settings, Executor jdbc, TroupeMetrics metrics) {
    JdbcReadJournal journal = PersistenceQuery.get(system)
        .getReadJournalFor(JdbcReadJournal.class, JdbcReadJournal.Identifier());
    HistoryBatches batches = new HistoryBatches(store, journal,
        Materializer.matFromSystem(system), jdbc, metrics);
    RestartSettings restart = RestartSettings.create(settings.minBackoff(),
        settings.maxBackoff(), settings.randomFactor());
    return RestartSource.withBackoff(restart, () ->
        Source.completionStageSource(
                CompletableFuture.supplyAsync(() -> store.offset(RunHistory.PROJECTION), jdbc)
                    .thenApply(offset -> {
                      log.debug("run history projection reads the journal after ordering {}",
                          offset);
                      return journal.eventsByTag(RunHistory.TAG, Offset.sequence(offset))
                          .<Object>map(envelope -> envelope)
                          .merge(Source.<Object>tick(settings.tailCheckInterval(),
                              settings.tailCheckInterval(), HistoryBatches.TailCheck.INSTANCE));
                    }))
            .groupedWeightedWithin(settings.batchBytes(), settings.batchSize(),
                HistoryBatches::bytes, settings.batchWindow())
            .mapAsync(1, batches::write));
  }
}
