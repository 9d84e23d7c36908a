package dev.troupe.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.ErrorCode;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RunError;
import dev.troupe.api.RunStatus;
import dev.troupe.api.TransientFailure;
import dev.troupe.api.WorkerConfig;
import java.util.concurrent.CancellationException;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionException;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.Executor;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.TimeoutException;

/**
 * Runs one attempt the way a node's run actor does: the handler on a thread of its own, the
 * outcome decided at the first of its end, a cancel, or its timeout (what the handler does after
 * a cancel or a timeout is ignored), and a failure classified by the same rules.
 */
final class Attempts {
  /** A daemon thread per task: a test's handler never keeps the JVM alive. */
  static final Executor THREADS = task -> {
    Thread t = new Thread(task, "troupe-testkit-handler");
    t.setDaemon(true);
    t.start();
  };

  /** The handler's call: its result stage, or a failure. */
  @FunctionalInterface
  interface Body {
    CompletionStage<JsonNode> call() throws Exception;
  }

  private Attempts() {}

  static TestOutcome run(TestWorkerContext ctx, Body body) {
    CompletableFuture<JsonNode> result = new CompletableFuture<>();
    Thread handler = new Thread(() -> {
      try {
        body.call().whenComplete((value, failure) -> {
          if (failure != null) {
            result.completeExceptionally(failure);
          } else {
            result.complete(value);
          }
        });
      } catch (Throwable t) {
        result.completeExceptionally(t);
      }
    }, "troupe-testkit-" + ctx.workerName());
    handler.setDaemon(true);
    ctx.onCancel(() -> {
      result.cancel(false);
      handler.interrupt(); // as a node interrupts a blocking handler on cancel
    });
    handler.start();
    try {
      JsonNode value = result.get(ctx.timeout().toNanos(), TimeUnit.NANOSECONDS);
      return new TestOutcome(RunStatus.SUCCEEDED, value, null, null);
    } catch (TimeoutException e) {
      ctx.cancel("timeout");
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      ctx.cancel();
    } catch (ExecutionException e) {
      if (!ctx.isCancelled()) {
        return failed(ctx, unwrap(e.getCause()));
      }
    } catch (CancellationException e) {
      // cancelled: below
    }
    return ended(ctx);
  }

  private static TestOutcome ended(TestWorkerContext ctx) {
    String reason = ctx.cancelReason().orElse("cancelled");
    if (reason.equals("timeout")) {
      return new TestOutcome(RunStatus.TIMED_OUT, null, new RunError(ErrorCode.TIMEOUT, "attempt "
          + ctx.attempt() + " exceeded its timeout of " + ctx.timeout().toMillis() + " ms"), null);
    }
    return new TestOutcome(RunStatus.CANCELLED, null, new RunError(ErrorCode.CANCELLED, reason),
        null);
  }

  private static TestOutcome failed(TestWorkerContext ctx, Throwable cause) {
    WorkerConfig config = ctx.workerConfig();
    String label = cause instanceof PermanentFailure p ? p.code().orElse(null)
        : cause instanceof TransientFailure t ? t.code().orElse(null) : null;
    boolean permanent = cause instanceof PermanentFailure
        || (!(cause instanceof TransientFailure) && config.errorClassifier().isPermanent(cause));
    if (permanent) {
      return new TestOutcome(RunStatus.FAILED, null,
          new RunError(ErrorCode.PERMANENT_ERROR, describe(cause), label), cause);
    }
    if (ctx.attempt() >= config.retry().maxAttempts()) {
      return new TestOutcome(RunStatus.FAILED, null, new RunError(ErrorCode.TRANSIENT_ERROR,
          "failed after " + ctx.attempt() + " attempts: " + describe(cause), label), cause);
    }
    return new TestOutcome(RunStatus.RETRYING, null,
        new RunError(ErrorCode.TRANSIENT_ERROR, describe(cause), label), cause);
  }

  private static Throwable unwrap(Throwable t) {
    while ((t instanceof CompletionException || t instanceof ExecutionException)
        && t.getCause() != null) {
      t = t.getCause();
    }
    return t;
  }

  /** The message a node records: a Troupe failure's own, else the exception's type and message. */
  private static String describe(Throwable t) {
    if (t instanceof PermanentFailure || t instanceof TransientFailure) {
      return t.getMessage();
    }
    return t.getMessage() == null
        ? t.getClass().getSimpleName() : t.getClass().getSimpleName() + ": " + t.getMessage();
  }
}
