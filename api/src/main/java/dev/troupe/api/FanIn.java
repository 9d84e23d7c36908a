package dev.troupe.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@link WorkerContext#callAll}: children started in the calls' order (so their ordinals are
 * the same in every attempt), at most {@code parallelism} unfinished at a time.
 */
final class FanIn {
  private final WorkerContext ctx;
  private final List<String> workers;
  private final List<JsonNode> payloads;
  private final RunResult[] results;
  private final CompletableFuture<List<RunResult>> done = new CompletableFuture<>();
  private int next;
  private int finished;

  private FanIn(WorkerContext ctx, List<String> workers, List<JsonNode> payloads) {
    this.ctx = ctx;
    this.workers = workers;
    this.payloads = payloads;
    this.results = new RunResult[payloads.size()];
  }

  static CompletionStage<List<RunResult>> run(WorkerContext ctx, List<ChildCall> calls,
      int parallelism) {
    if (parallelism < 1) {
      throw new InvalidArgumentException("parallelism must be at least 1, was " + parallelism);
    }
    List<String> workers = new ArrayList<>(calls.size());
    List<JsonNode> json = new ArrayList<>(calls.size());
    for (ChildCall c : calls) {
      workers.add(c.worker());
      json.add(c.payload() instanceof JsonNode n ? n : ctx.json().valueToTree(c.payload()));
    }
    FanIn f = new FanIn(ctx, workers, json);
    if (json.isEmpty()) {
      return CompletableFuture.completedFuture(List.of());
    }
    for (int i = 0; i < Math.min(parallelism, json.size()); i++) {
      f.startNext();
    }
    return f.done;
  }

  private void startNext() {
    int i;
    CompletionStage<ChildRun> started;
    synchronized (this) {
      if (next == payloads.size() || done.isDone()) {
        return;
      }
      i = next++;
      // started under the lock: the ordinals follow the payloads' order
      try {
        started = ctx.callAsync(workers.get(i), payloads.get(i), ChildOptions.DEFAULT);
      } catch (RuntimeException e) {
        started = CompletableFuture.failedFuture(e);
      }
    }
    started.thenCompose(ChildRun::result).whenComplete((r, failure) -> {
      if (failure != null) {
        done.completeExceptionally(failure);
        return;
      }
      boolean all;
      synchronized (this) {
        results[i] = r;
        all = ++finished == payloads.size();
      }
      if (all) {
        done.complete(List.of(results));
      } else {
        startNext();
      }
    });
  }
}
