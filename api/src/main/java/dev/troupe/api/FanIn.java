package dev.troupe.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.function.BiFunction;

/**
 * {@code WorkerContext.callAll}: children started in the calls' order (so their ordinals are
 * the same in every attempt), at most {@code parallelism} unfinished at a time.
 */
final class FanIn {
  /** Starts one child run of a worker with a payload, as {@code callAsync} does. */
  private final BiFunction<String, JsonNode, CompletionStage<ChildRun>> start;
  private final List<String> workers;
  private final List<JsonNode> payloads;
  private final RunResult[] results;
  private final CompletableFuture<List<RunResult>> done = new CompletableFuture<>();
  private int next;
  private int finished;

  private FanIn(BiFunction<String, JsonNode, CompletionStage<ChildRun>> start,
      List<String> workers, List<JsonNode> payloads) {
    this.start = start;
    this.workers = workers;
    this.payloads = payloads;
    this.results = new RunResult[payloads.size()];
  }

  static CompletionStage<List<RunResult>> run(ObjectMapper mapper,
      BiFunction<String, JsonNode, CompletionStage<ChildRun>> start, List<ChildCall> calls,
      int parallelism) {
    if (parallelism < 1) {
      throw new InvalidArgumentException("parallelism must be at least 1, was " + parallelism);
    }
    List<String> workers = new ArrayList<>(calls.size());
    List<JsonNode> json = new ArrayList<>(calls.size());
    for (ChildCall c : calls) {
      workers.add(c.worker());
      json.add(c.payload() instanceof JsonNode n ? n : mapper.valueToTree(c.payload()));
    }
    FanIn f = new FanIn(start, workers, json);
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
        started = start.apply(workers.get(i), payloads.get(i));
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
