package dev.troupe.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.BlockingWorker;
import dev.troupe.api.CallOptions;
import dev.troupe.api.ChildRun;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RunError;
import dev.troupe.api.RunEvent;
import dev.troupe.api.RunFinishedException;
import dev.troupe.api.RunResult;
import dev.troupe.api.RunStatus;
import dev.troupe.api.WorkerConfig;
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
  /** How a child ended: its status, its result or error, and its attempts. */
  record Answer(RunStatus status, JsonNode result, RunError error, int attempts) {}

  /** What the test registered for a worker: how a child of it with a run id and payload ends. */
  @FunctionalInterface
  interface Handler {
    Answer answer(String runId, JsonNode payload);
  }

  private final Map<String, Handler> handlers;
  private final Map<String, ChildRun> byKey = new ConcurrentHashMap<>();
  private final AtomicInteger ids = new AtomicInteger();

  FakeChildren(Map<String, Handler> handlers) {
    this.handlers = Map.copyOf(handlers);
  }

  /** A handler of a value: what it returns (written as JSON), or a failure when it throws. */
  static Handler ofFunction(Function<JsonNode, ?> function) {
    return (runId, payload) -> {
      try {
        Object r = function.apply(payload);
        return new Answer(RunStatus.SUCCEEDED,
            r instanceof JsonNode n ? n : TestWorkerContext.MAPPER.valueToTree(r), null, 1);
      } catch (RuntimeException e) {
        return new Answer(RunStatus.FAILED, null,
            new RunError(ErrorCode.PERMANENT_ERROR, e.getMessage()), 1);
      }
    };
  }

  /**
   * A handler that runs a worker's handler on a context of its own, attempt after attempt while
   * it ends {@code RETRYING} (per {@code config}'s policy, without its backoff).
   */
  static Handler ofWorker(String worker, WorkerConfig config, BlockingWorker handler) {
    return (runId, payload) -> {
      TestWorkerContext ctx = TestWorkerContext.builder(worker).runId(runId).payload(payload)
          .config(config).build();
      TestOutcome outcome = ctx.runBlocking(handler);
      while (outcome.status() == RunStatus.RETRYING) {
        ctx = ctx.nextAttempt();
        outcome = ctx.runBlocking(handler);
      }
      return new Answer(outcome.status(), outcome.result(), outcome.error(), ctx.attempt());
    };
  }

  CompletionStage<ChildRun> call(String parentRunId, String key, String worker,
      JsonNode payload) {
    ChildRun known = byKey.get(key);
    if (known != null) {
      return CompletableFuture.completedFuture(new FakeChild(known.result().toCompletableFuture()
          .join(), true));
    }
    Handler handler = handlers.get(worker);
    if (handler == null) {
      return CompletableFuture.failedFuture(new PermanentFailure("child call of " + worker
          + ": the test registered no handler for it (TestContextBuilder.child or childWorker)"));
    }
    String runId = "child-" + ids.incrementAndGet() + "-" + worker;
    Instant now = Instant.now();
    Answer a = handler.answer(runId, payload);
    ChildRun child = new FakeChild(new RunResult(runId, worker, a.status(), a.attempts(), now, now,
        Instant.now(), 0L, payload, a.result(), a.error(), List.of(),
        CallOptions.DEFAULT_PRIORITY, null, null, null, null, parentRunId), false);
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
