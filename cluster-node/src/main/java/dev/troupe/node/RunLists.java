package dev.troupe.node;

import dev.troupe.api.RunPage;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunRejectedException;
import dev.troupe.api.RunResult;
import dev.troupe.node.entity.EntityClient;
import dev.troupe.node.history.HistoryReads;
import dev.troupe.node.registry.Registration;
import dev.troupe.node.registry.WorkerRegistry;
import dev.troupe.persistence.history.PageCursor;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * The facade's lists of runs ({@code Troupe.runs}, {@code GET /api/v1/runs}), each from where it
 * is freshest at a bounded cost:
 *
 * <ul>
 *   <li>an active status: from the entities alone ({@link ActivePages});
 *   <li>no status: the run history's page merged with each entity's page of active runs after
 *       the same cursor ({@link MergedPages}), so a run accepted a moment ago is listed, with its
 *       entity's status; a run the history still shows unfinished and its entity no longer has
 *       active is read from its entity. Every entity answers at most one more run than the limit
 *       within {@code troupe.ask-timeout}; the runs of one that does not answer in time are
 *       listed as the history has them;
 *   <li>a terminal status: from the history alone, whose finished runs never go back to active.
 * </ul>
 *
 * Asks go to the entities of the workers registered on this node.
 */
final class RunLists {
  private final WorkerRegistry registry;
  private final EntityClient entities;
  private final Optional<HistoryReads> history;

  RunLists(WorkerRegistry registry, EntityClient entities, Optional<HistoryReads> history) {
    this.registry = registry;
    this.entities = entities;
    this.history = history;
  }

  CompletionStage<RunPage> runs(RunQuery query) {
    if (ActivePages.isFor(query)) {
      CompletionStage<List<RunResult>> active = query.worker() == null ? active()
          : registry.find(query.worker()).map(entities::active)
              .orElse(CompletableFuture.completedFuture(List.of()));
      return active.thenApply(runs -> ActivePages.page(runs, query));
    }
    if (history.isEmpty()) {
      return CompletableFuture.failedFuture(new RunRejectedException(
          RunRejectedException.Reason.UNAVAILABLE, "the run history is off on this node"
              + " (troupe.history.enabled = off): only lists of runs in an active status"
              + " (QUEUED, RUNNING, RETRYING, SCHEDULED, WAITING) can be answered"));
    }
    if (query.status() != null) {
      return history.get().page(query);
    }
    try {
      if (query.cursor() != null) {
        PageCursor.decode(query.cursor()); // a malformed cursor is refused before any ask
      }
    } catch (RuntimeException e) {
      return CompletableFuture.failedFuture(e);
    }
    CompletionStage<Map<String, List<RunResult>>> answers = activePages(query);
    return history.get().page(query).thenCombine(answers, (page, live) ->
            refreshed(MergedPages.merge(page, live.values(), query.limit()), live))
        .thenCompose(page -> page);
  }

  /** The active runs of every worker registered on this node, by run id. */
  CompletionStage<List<RunResult>> active() {
    List<CompletableFuture<List<RunResult>>> all = new ArrayList<>();
    for (String name : registry.names()) {
      all.add(entities.active(registry.require(name)).toCompletableFuture());
    }
    return CompletableFuture.allOf(all.toArray(CompletableFuture[]::new)).thenApply(v ->
        all.stream().flatMap(f -> f.join().stream())
            .sorted(Comparator.comparing(RunResult::runId)).toList());
  }

  /** The entities' pages of active runs for {@code query}, by entity id, of those that answered. */
  private CompletionStage<Map<String, List<RunResult>>> activePages(RunQuery query) {
    List<Registration> asked = query.worker() == null
        ? registry.names().stream().map(registry::require).toList()
        : registry.find(query.worker()).stream().toList();
    List<CompletableFuture<Map<String, List<RunResult>>>> parts = asked.stream()
        .map(reg -> entities.activePages(reg, query).toCompletableFuture()).toList();
    return CompletableFuture.allOf(parts.toArray(CompletableFuture[]::new)).thenApply(v -> {
      Map<String, List<RunResult>> answers = new HashMap<>();
      parts.forEach(p -> answers.putAll(p.join()));
      return answers;
    });
  }

  /**
   * {@code page} with its stale runs ({@link MergedPages#stale}) as their entities have them now;
   * one its entity does not answer for (summarized, or no answer in time) stays as it was.
   */
  private CompletionStage<RunPage> refreshed(RunPage page, Map<String, List<RunResult>> live) {
    List<CompletableFuture<Optional<RunResult>>> reads = MergedPages.stale(page, live).stream()
        .map(id -> entities.getRun(id).thenApply(Optional::of).toCompletableFuture()
            .exceptionally(t -> Optional.empty()))
        .toList();
    if (reads.isEmpty()) {
      return CompletableFuture.completedFuture(page);
    }
    return CompletableFuture.allOf(reads.toArray(CompletableFuture[]::new)).thenApply(v -> {
      Map<String, RunResult> fresher = new HashMap<>();
      reads.forEach(r -> r.join().ifPresent(run -> fresher.put(run.runId(), run)));
      return MergedPages.replace(page, fresher);
    });
  }
}
