package dev.troupe.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.util.List;
import java.util.Objects;

/**
 * Runs a {@link BatchWorker}'s loop as a {@link BlockingWorker}, on a node or in the test kit
 * alike. The durable checkpoint is {@code {"batch": done, "of": n, "checkpoint": C}}.
 */
public final class Batches {
  private Batches() {}

  /** {@code worker} as a blocking handler, its payload bound to {@code payloadType}. */
  public static <P, B, C, R> BlockingWorker blocking(Class<P> payloadType,
      BatchWorker<P, B, C, R> worker) {
    Objects.requireNonNull(payloadType, "payloadType");
    Objects.requireNonNull(worker, "worker");
    return ctx -> run(ctx, payloadType, worker);
  }

  private static <P, B, C, R> JsonNode run(WorkerContext ctx, Class<P> payloadType,
      BatchWorker<P, B, C, R> worker) {
    P payload = ctx.payloadAs(payloadType);
    JsonNode saved = ctx.lastCheckpoint().orElse(null);
    int doneBefore = saved == null ? 0 : saved.path("batch").asInt(0);
    C last = saved == null || saved.path("checkpoint").isMissingNode()
        || saved.path("checkpoint").isNull() ? null : bind(ctx, worker, saved.get("checkpoint"));
    List<B> todo;
    try {
      todo = worker.batches(payload, last);
    } catch (RuntimeException e) {
      throw classified(worker, e);
    }
    int total = doneBefore + todo.size();
    C current = last;
    for (int i = 0; i < todo.size(); i++) {
      if (ctx.isCancelled()) {
        throw new Cancelled("cancelled between batches");
      }
      try {
        current = worker.process(todo.get(i), ctx);
      } catch (Cancelled e) {
        throw e;
      } catch (Exception e) {
        throw classified(worker, e);
      }
      int done = doneBefore + i + 1;
      ObjectNode checkpoint = ctx.newObject().put("batch", done).put("of", total);
      checkpoint.set("checkpoint", ctx.json().valueToTree(current));
      ctx.checkpoint(checkpoint); // durable before the next batch starts
      ctx.emit(ctx.newObject().put("progress", (int) (done * 100L / total)).put("batch", done)
          .put("of", total));
    }
    R result = worker.finish(new BatchWorker.BatchSummary<>(payload, current, total, doneBefore),
        ctx);
    return Jobs.result(ctx, result);
  }

  private static <C> C bind(WorkerContext ctx, BatchWorker<?, ?, C, ?> worker, JsonNode json) {
    try {
      return ctx.json().convertValue(json, ctx.json().constructType(worker.checkpointType()));
    } catch (IllegalArgumentException e) {
      throw new PermanentFailure("the last checkpoint does not fit "
          + worker.checkpointType().getTypeName() + ": " + e.getMessage(), e);
    }
  }

  /** {@code e} as the worker classifies it: a permanent or a transient failure. */
  private static RuntimeException classified(BatchWorker<?, ?, ?, ?> worker, Exception e) {
    BatchWorker.BatchFailure f = worker.classify(e);
    String message = e instanceof PermanentFailure || e instanceof TransientFailure
        ? e.getMessage()
        : e.getMessage() == null ? e.getClass().getSimpleName()
            : e.getClass().getSimpleName() + ": " + e.getMessage();
    return f.permanent() ? new PermanentFailure(message, f.label(), e)
        : new TransientFailure(message, f.label(), e);
  }
}
