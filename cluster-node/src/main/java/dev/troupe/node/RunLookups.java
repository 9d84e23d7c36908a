package dev.troupe.node;

import dev.troupe.api.InvalidArgumentException;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.RunResult;
import dev.troupe.api.UnknownRunException;
import dev.troupe.node.entity.EntityClient;
import dev.troupe.node.entity.Failures;
import dev.troupe.node.entity.SummarizedRunException;
import dev.troupe.node.history.HistoryReads;
import dev.troupe.persistence.RunIds;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The facade's reads of single runs wherever they are: from their entity (active ones and its
 * retained finished ones), else from the run history; with their children and re-runs; their
 * outcomes, for dependencies and results; and the check that the runs a call depends on exist. A
 * finished run that its entity keeps only as a summary is read whole from the run history,
 * waiting up to {@code troupe.worker.stream.storage-wait} for the projection to store it.
 */
final class RunLookups {
  private static final Logger log = LoggerFactory.getLogger(RunLookups.class);
  /** How often the history is read again while a summarized run is not stored there yet. */
  private static final Duration HISTORY_POLL = Duration.ofMillis(200);

  private final EntityClient entities;
  private final Optional<HistoryReads> history;
  private final Duration storageWait;

  RunLookups(EntityClient entities, Optional<HistoryReads> history, Duration storageWait) {
    this.entities = entities;
    this.history = history;
    this.storageWait = storageWait;
  }

  /** The run, running or finished, without its children; empty when nobody knows it. */
  CompletionStage<Optional<RunResult>> find(String runId) {
    try {
      RunIds.entityOf(runId); // a malformed id is refused as such, not looked up in the history
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    return entities.getRun(runId).thenApply(Optional::of)
        .exceptionallyCompose(t -> Failures.toException(t) instanceof SummarizedRunException
            ? whole(runId).thenApply(Optional::of)
            : Failures.toException(t) instanceof UnknownRunException
            ? inHistory(runId)
            : CompletableFuture.failedFuture(Failures.toException(t)));
  }

  /**
   * The run with its children, oldest first, from the run history (by its indexed parent
   * column): a child shows there shortly after it is accepted, the first {@link
   * RunQuery#MAX_LIMIT} of them. Without them when the history is off or cannot be read now.
   */
  CompletionStage<Optional<RunResult>> withChildren(Optional<RunResult> run) {
    if (run.isEmpty() || history.isEmpty()) {
      return CompletableFuture.completedFuture(run);
    }
    String runId = run.get().runId();
    return history.get().page(RunQuery.childrenOf(runId, RunQuery.MAX_LIMIT))
        .thenApply(page -> run.map(r -> r.withChildren(page.runs().stream()
            .sorted(Comparator.comparing(RunResult::createdAt).thenComparing(RunResult::runId))
            .map(RunResult::runId).toList())))
        .exceptionally(unreadable -> {
          log.warn("run {}: its children cannot be read from the history now", runId);
          return run;
        });
  }

  /**
   * The run with the runs that re-run it, oldest first, from the run history (by its indexed
   * {@code rerun_of} column): a re-run shows there shortly after it is accepted, the first {@link
   * RunQuery#MAX_LIMIT} of them. Without them when the history is off or cannot be read now.
   */
  CompletionStage<Optional<RunResult>> withRerunBy(Optional<RunResult> run) {
    if (run.isEmpty() || history.isEmpty()) {
      return CompletableFuture.completedFuture(run);
    }
    String runId = run.get().runId();
    return history.get().rerunsOf(runId, RunQuery.MAX_LIMIT)
        .thenApply(ids -> run.map(r -> r.withRerunBy(ids)))
        .exceptionally(unreadable -> {
          log.warn("run {}: its re-runs cannot be read from the history now", runId);
          return run;
        });
  }

  /**
   * The finished run: its entity answers when it ends (asked again where it is now, see {@link
   * EntityClient#awaitResult}); one that its entity no longer keeps comes from the history.
   */
  CompletionStage<RunResult> outcome(String runId) {
    return entities.awaitResult(runId).exceptionallyCompose(t -> {
      Throwable e = Failures.toException(t);
      if (e instanceof SummarizedRunException) {
        return whole(runId);
      }
      if (!(e instanceof UnknownRunException)) {
        return CompletableFuture.failedFuture(e);
      }
      return inHistory(runId).thenApply(r -> r.filter(RunResult::isFinished).orElseThrow(() ->
          r.isPresent() ? new RunRejectedException(RunRejectedException.Reason.UNAVAILABLE,
              "run " + runId + " is in the history but not finished there yet")
              : (UnknownRunException) e));
    });
  }

  /** Completes once each of {@code runIds} is known; fails naming the first that is not. */
  CompletionStage<Void> requireKnown(List<String> runIds) {
    List<CompletableFuture<Void>> checks = new ArrayList<>();
    for (String id : runIds) {
      checks.add(find(id).thenAccept(r -> {
        if (r.isEmpty()) {
          throw new InvalidArgumentException("dependsOn: run " + id + " is not known");
        }
      }).toCompletableFuture());
    }
    return CompletableFuture.allOf(checks.toArray(CompletableFuture[]::new));
  }

  /**
   * A finished run its entity keeps as a summary, whole from the history: read again until the
   * projection has stored it finished, up to the storage wait.
   */
  private CompletionStage<RunResult> whole(String runId) {
    if (history.isEmpty()) {
      return CompletableFuture.failedFuture(new RunRejectedException(
          RunRejectedException.Reason.UNAVAILABLE, "run " + runId + " has finished and its"
              + " entity keeps only its summary; the run history, which has it whole, is off on"
              + " this node: read it through a node with troupe.history.enabled"));
    }
    return whole(runId, System.nanoTime() + storageWait.toNanos());
  }

  private CompletionStage<RunResult> whole(String runId, long deadline) {
    return inHistory(runId).thenCompose(r -> {
      if (r.isPresent() && r.get().isFinished()) {
        return CompletableFuture.completedFuture(r.get());
      }
      if (System.nanoTime() - deadline > 0) {
        return CompletableFuture.failedFuture(new RunRejectedException(
            RunRejectedException.Reason.UNAVAILABLE, "run " + runId + " has finished; the run"
                + " history has not stored it yet (troupe.worker.stream.storage-wait): ask"
                + " again in a moment"));
      }
      Executor later = CompletableFuture.delayedExecutor(HISTORY_POLL.toMillis(),
          TimeUnit.MILLISECONDS);
      return CompletableFuture.supplyAsync(() -> runId, later)
          .thenCompose(id -> whole(id, deadline));
    });
  }

  /** A run its entity no longer keeps (older than its retained finished runs), from the history. */
  private CompletionStage<Optional<RunResult>> inHistory(String runId) {
    return history.map(h -> h.find(runId))
        .orElse(CompletableFuture.completedFuture(Optional.empty()));
  }
}
