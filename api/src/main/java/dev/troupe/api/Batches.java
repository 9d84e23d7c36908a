package dev.troupe.api;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import java.lang.reflect.Type;
import java.util.List;
import java.util.Objects;

/**
 * Runs a {@link BatchWorker}'s loop as a {@link BlockingWorker}, on a node or in the test kit
 * alike: one batch after the other in the run's attempt ({@link BatchWorker#parallelism} 0), its
 * durable checkpoint {@code {"batch": done, "of": n, "checkpoint": C}}; or each batch a child run
 * of {@link #partName} ({@link BatchParts}), whose handler is {@link #part}.
 */
public final class Batches {
  private Batches() {}

  /**
   * The name of the definition whose runs process the batches of {@code name} as child runs:
   * {@code <name>-part}.
   *
   * @throws InvalidArgumentException when that name breaks {@link WorkerNames#RULE} ({@code
   *     name} is longer than 58 characters)
   */
  public static String partName(String name) {
    return WorkerNames.validate(WorkerNames.validate(name) + "-part");
  }

  /** {@code worker} as a blocking handler, its payload bound to {@code payloadType}. */
  public static <P, B, C, R> BlockingWorker blocking(Class<P> payloadType,
      BatchWorker<P, B, C, R> worker) {
    Objects.requireNonNull(payloadType, "payloadType");
    Objects.requireNonNull(worker, "worker");
    return ctx -> {
      P payload = ctx.payloadAs(payloadType);
      int parallelism;
      try {
        parallelism = worker.parallelism(payload);
      } catch (RuntimeException e) {
        throw classified(worker, e);
      }
      if (parallelism < 0) {
        throw new PermanentFailure("the parallelism of a batch run must be 0 (one batch after"
            + " the other) or more (batches as child runs), was " + parallelism);
      }
      return parallelism == 0 ? run(ctx, payload, worker)
          : BatchParts.run(ctx, payload, worker, parallelism);
    };
  }

  /**
   * The handler of {@link #partName}'s runs: binds the payload to the batch ({@link
   * BatchWorker#batchType()}), processes it and returns the checkpoint; a failure is classified
   * as in the run's own loop.
   */
  public static <B, C> BlockingWorker part(BatchWorker<?, B, C, ?> worker) {
    Objects.requireNonNull(worker, "worker");
    return ctx -> {
      B batch = bind(ctx, worker, ctx.payload(), worker.batchType(), "the batch");
      try {
        return ctx.json().valueToTree(worker.process(batch, ctx));
      } catch (Cancelled e) {
        throw e;
      } catch (Exception e) {
        throw classified(worker, e);
      }
    };
  }

  private static <P, B, C, R> JsonNode run(WorkerContext ctx, P payload,
      BatchWorker<P, B, C, R> worker) {
    JsonNode saved = ctx.lastCheckpoint().orElse(null);
    int doneBefore = saved == null ? 0 : saved.path("batch").asInt(0);
    JsonNode savedCheckpoint = saved == null ? null : saved.get("checkpoint");
    C last = savedCheckpoint == null || savedCheckpoint.isNull() ? null
        : checkpoint(ctx, worker, savedCheckpoint);
    List<B> todo = batches(worker, payload, last);
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
      progress(ctx, done, total);
    }
    R result = worker.finish(new BatchWorker.BatchSummary<>(payload, current, total, doneBefore),
        ctx);
    return Jobs.result(ctx, result);
  }

  /** {@code worker.batches}, its failure classified. */
  static <P, B, C> List<B> batches(BatchWorker<P, B, C, ?> worker, P payload, C last) {
    try {
      return worker.batches(payload, last);
    } catch (RuntimeException e) {
      throw classified(worker, e);
    }
  }

  /** Emits {@code {"progress": p, "batch": done, "of": total}}. */
  static void progress(WorkerContext ctx, int done, int total) {
    ctx.emit(ctx.newObject().put("progress", (int) (done * 100L / total)).put("batch", done)
        .put("of", total));
  }

  /** A checkpoint read back (from the run's last checkpoint, or a child's result). */
  static <C> C checkpoint(WorkerContext ctx, BatchWorker<?, ?, C, ?> worker, JsonNode json) {
    return bind(ctx, worker, json, worker.checkpointType(), "the last checkpoint");
  }

  private static <T> T bind(WorkerContext ctx, BatchWorker<?, ?, ?, ?> worker, JsonNode json,
      Type type, String what) {
    try {
      return ctx.json().convertValue(json, ctx.json().constructType(type));
    } catch (IllegalArgumentException e) {
      throw new PermanentFailure(what + " does not fit " + type.getTypeName() + " (batch worker "
          + worker.getClass().getName() + "): " + e.getMessage(), e);
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
