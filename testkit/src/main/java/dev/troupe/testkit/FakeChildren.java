package dev.troupe.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.CallOptions;
import dev.troupe.api.ChildRun;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RunError;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunFinishedException;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import java.time.Instant;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.function.Function;
import org.apache.pekko.Done;
import org.apache.pekko.NotUsed;
import org.apache.pekko.stream.javadsl.Source;

/**
 * The child runs of a test run: a handler registered per worker answers each call at once; a
 * child is kept by its key, so a later attempt that makes the same call gets it back finished
 * (existing) without running the handler again, as on a node. Shared by the attempts of a run.
 */
final class FakeChildren {
  private final Map<String, Function<JsonNode, ?>> handlers;
  private final Map<String, ChildRun> byKey = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();

  FakeChildren(Map<String, Function<JsonNode, ?>> handlers) {
    this.handlers = Map.copyOf(handlers);
  }

  CompletionStage<ChildRun> call(String parentRunId, String key, String worker,
      JsonNode payload) {
    ChildRun known = byKey.get(key);
    if (known != null) {
      return CompletableFuture.completedFuture(new FakeChild(known.result().toCompletableFuture()
          .join(), true));
    }
    Function<JsonNode, ?> handler = handlers.get(worker);
    if (handler == null) {
      return CompletableFuture.failedFuture(new PermanentFailure("child call of " + worker
          + ": the test registered no handler for it (TestContextBuilder.child)"));
    }
    String runId = "child-" + ids.incrementAndGet() + "-" + worker;
    Instant now = Instant.now();
    JsonNode result = null;
    RunError error = null;
    try {
      Object r = handler.apply(payload);
      result = r instanceof JsonNode n ? n : TestWorkerContext.MAPPER.valueToTree(r);
    } catch (RuntimeException e) {
      error = new RunError(ErrorCode.PERMANENT_ERROR, e.getMessage());
    }
    ChildRun child = new FakeChild(new RunResult(runId, worker,
        error == null ? RunStatus.SUCCEEDED : RunStatus.FAILED, 1, now, now, now, 0L, payload,
        result, error, List.of(), CallOptions.DEFAULT_PRIORITY, null, null, null, null,
        parentRunId), false);
    byKey.put(key, child);
    return CompletableFuture.completedFuture(child);
  }

  /** A finished child run. */
  private record FakeChild(RunResult run, boolean existing) implements ChildRun {
    @Override
    public String runId() {
      return run.runId();
    }

    @Override
    public String worker() {
      return run.worker();
    }

    /** The child's status: a fake child has finished when its handle is made. */
    @Override
    public RunStatus status() {
      return run.status();
    }

    /** Null: a fake child is not traced. */
    @Override
    public String traceId() {
      return run.traceId();
    }

    @Override
    public Source<RunEvent, NotUsed> messages(long afterSeq) {
      return Source.empty();
    }

    @Override
    public CompletionStage<RunResult> result() {
      return CompletableFuture.completedFuture(run);
    }

    @Override
    public CompletionStage<Done> cancel() {
      return CompletableFuture.failedFuture(new RunFinishedException("child run " + runId()
          + " has already finished"));
    }
  }
}
