package dev.troupe.node.history;

import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunPage;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.RunResult;
import dev.troupe.api.TroupeException;
import dev.troupe.node.config.HistorySettings;
import dev.troupe.node.metrics.TroupeMetrics;
import dev.troupe.persistence.DatabaseSettings;
import dev.troupe.persistence.RunHistoryStore;
import dev.troupe.persistence.history.JdbcRunHistoryStore;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.function.Supplier;
import org.apache.pekko.Done;
import org.apache.pekko.actor.CoordinatedShutdown;
import org.apache.pekko.actor.typed.ActorSystem;
import org.apache.pekko.actor.typed.DispatcherSelector;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The node's reads of the run history ({@code troupe_runs}, {@code troupe_run_events}), which
 * follows the journal shortly behind. Each read is a blocking JDBC call on the history's own
 * dispatcher; its stage completes on the callback dispatcher. A database failure becomes {@link
 * RunRejectedException} UNAVAILABLE; an invalid query (a malformed cursor) stays {@link
 * InvalidArgumentException}.
 */
public final class HistoryReads {
  private static final Logger log = LoggerFactory.getLogger(HistoryReads.class);

  private final RunHistoryStore store;
  private final Executor executor;
  private final Executor callbacks;

  HistoryReads(RunHistoryStore store, Executor executor, Executor callbacks) {
    this.store = store;
    this.executor = executor;
    this.callbacks = callbacks;
  }

  /**
   * The history's store with its own small pool (its meters in {@code metrics}), closed when the actor system stops (in
   * CoordinatedShutdown's last phase, or at termination when that does not run); empty when
   * {@code troupe.history.enabled = off}.
   */
  public static Optional<HistoryReads> open(ActorSystem<?> system, DatabaseSettings db,
      HistorySettings settings, TroupeMetrics metrics) {
    if (!settings.enabled()) {
      return Optional.empty();
    }
    RunHistoryStore store = JdbcRunHistoryStore.open(db, settings.poolSize(), metrics.pools());
    CoordinatedShutdown.get(system).addTask(CoordinatedShutdown.PhaseBeforeActorSystemTerminate(),
        "troupe-close-run-history", () -> {
          store.close();
          return CompletableFuture.completedFuture(Done.getInstance());
        });
    system.getWhenTerminated().thenRun(store::close);
    return Optional.of(new HistoryReads(store,
        system.dispatchers().lookup(DispatcherSelector.fromConfig(HistorySettings.DISPATCHER)),
        system.dispatchers().lookup(DispatcherSelector.fromConfig("troupe.callback-dispatcher"))));
  }

  /** The store itself, for the projection that writes it. */
  public RunHistoryStore store() {
    return store;
  }

  /** The dispatcher the history's JDBC calls run on. */
  public Executor executor() {
    return executor;
  }

  public CompletionStage<Optional<RunResult>> find(String runId) {
    return read(() -> store.find(runId));
  }

  public CompletionStage<RunPage> page(RunQuery query) {
    return read(() -> store.page(query));
  }

  /** The ids of the runs that re-run {@code runId}, oldest first, at most {@code limit}. */
  public CompletionStage<List<String>> rerunsOf(String runId, int limit) {
    return read(() -> store.rerunsOf(runId, limit));
  }

  /** Blocking: for the stream reader, which calls it on {@link #read}'s thread. */
  public List<RunEvent> eventsNow(String runId, long after, long toSeq, int limit) {
    return store.events(runId, after, toSeq, limit);
  }

  /** Blocking: the run, for the stream reader, which calls it on {@link #read}'s thread. */
  public Optional<RunResult> findNow(String runId) {
    return store.find(runId);
  }

  /** A blocking read of the history on its dispatcher; completes on the callback dispatcher. */
  public <T> CompletionStage<T> read(Supplier<T> read) {
    CompletableFuture<T> out = new CompletableFuture<>();
    try {
      CompletableFuture.supplyAsync(read, executor).whenCompleteAsync((value, failure) -> {
        if (failure == null) {
          out.complete(value);
        } else {
          out.completeExceptionally(failure(failure));
        }
      }, callbacks);
    } catch (RuntimeException e) { // the dispatcher refused: the system is stopping
      out.completeExceptionally(failure(e));
    }
    return out;
  }

  private static Throwable failure(Throwable t) {
    Throwable e = t instanceof CompletionException && t.getCause() != null ? t.getCause() : t;
    if (e instanceof TroupeException) {
      return e;
    }
    // the database's own message (statements, hosts, driver classes) is for the log only
    log.warn("reading the run history failed", e);
    return new RunRejectedException(RunRejectedException.Reason.UNAVAILABLE,
        "the run history cannot be read now; the node's log says why");
  }
}
