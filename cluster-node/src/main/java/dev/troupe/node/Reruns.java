package dev.troupe.node;

import dev.troupe.api.CallOptions;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunNotFinishedException;
import dev.troupe.api.RunPage;
import dev.troupe.api.RunQuery;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.Troupe;
import dev.troupe.api.UnknownRunException;
import dev.troupe.api.WorkerNames;
import dev.troupe.node.registry.WorkerRegistry;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.Optional;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * Re-runs of finished runs ({@link Troupe#rerun}, {@link Troupe#rerunFailed}): a new run with the
 * old one's payload, priority, concurrency key and tags, its spec's {@code rerunOf} naming the
 * old run.
 */
final class Reruns {
  private final LinkedCall calls;
  private final Function<String, CompletionStage<Optional<RunResult>>> lookup;
  private final Function<RunQuery, CompletionStage<RunPage>> runs;
  private final WorkerRegistry registry;

  Reruns(LinkedCall calls, Function<String, CompletionStage<Optional<RunResult>>> lookup,
      Function<RunQuery, CompletionStage<RunPage>> runs, WorkerRegistry registry) {
    this.calls = calls;
    this.lookup = lookup;
    this.runs = runs;
    this.registry = registry;
  }

  CompletionStage<RunHandle> rerun(String runId) {
    return lookup.apply(runId).thenCompose(found -> {
      RunResult old = found.orElseThrow(() -> new UnknownRunException(
          "run " + runId + " is not known"));
      if (!old.isFinished()) {
        throw new RunNotFinishedException("run " + runId + " is " + old.status()
            + ": only a finished run can be re-run");
      }
      return again(old, null);
    });
  }

  /** The worker's failed runs since {@code since}, newest first, re-run up to the bound. */
  CompletionStage<Integer> failed(String worker, Instant since) {
    WorkerNames.validate(worker);
    registry.require(worker);
    return collect(worker, since, null, new ArrayList<>()).thenCompose(failed -> {
      List<CompletableFuture<Boolean>> started = new ArrayList<>();
      for (RunResult old : failed) {
        started.add(again(old, "rerun:" + old.runId()).toCompletableFuture()
            .thenApply(h -> !h.existing()));
      }
      return CompletableFuture.allOf(started.toArray(CompletableFuture[]::new)).thenApply(v ->
          (int) started.stream().filter(CompletableFuture::join).count());
    });
  }

  /** Pages through the history's failed runs of {@code worker} until the bound or {@code since}. */
  private CompletionStage<List<RunResult>> collect(String worker, Instant since, String cursor,
      List<RunResult> into) {
    return runs.apply(new RunQuery(worker, RunStatus.FAILED, RunQuery.MAX_LIMIT, cursor))
        .thenCompose(page -> {
          for (RunResult r : page.runs()) {
            if (since != null && r.createdAt().isBefore(since)
                || into.size() == Troupe.MAX_RERUN_FAILED) {
              return CompletableFuture.completedFuture(into);
            }
            into.add(r);
          }
          return page.nextCursor() == null ? CompletableFuture.completedFuture(into)
              : collect(worker, since, page.nextCursor(), into);
        });
  }

  private CompletionStage<RunHandle> again(RunResult old, String idempotencyKey) {
    CallOptions options = new CallOptions(null, idempotencyKey, old.tags(), old.priority(),
        old.concurrencyKey(), null, null, List.of());
    return calls.start(old.worker(), old.payload(), options,
        spec -> spec.withRerunOf(old.runId()));
  }
}
