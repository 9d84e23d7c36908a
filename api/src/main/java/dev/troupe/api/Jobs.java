package dev.troupe.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.Objects;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * Turns typed jobs into the handlers a node runs, so that a node (and the test kit) runs them
 * all the same way: the payload is bound with {@link WorkerContext#payloadAs} (a payload that
 * does not fit fails permanently, naming the field), and the returned object is written with
 * the context's Jackson mapper ({@code null} stays "no result").
 */
public final class Jobs {
  private Jobs() {}

  /** A typed blocking job as a {@link BlockingWorker}. */
  public static <P> BlockingWorker blocking(Class<P> type, JobHandler<P> handler) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(handler, "handler");
    return ctx -> result(ctx, handler.run(payload(ctx, type), ctx));
  }

  /** A typed asynchronous job as a {@link Worker}. */
  public static <P> Worker async(Class<P> type, AsyncJobHandler<P> handler) {
    Objects.requireNonNull(type, "type");
    Objects.requireNonNull(handler, "handler");
    return ctx -> {
      CompletionStage<?> stage = handler.run(payload(ctx, type), ctx);
      if (stage == null) {
        return CompletableFuture.failedFuture(
            new IllegalStateException("handler returned a null CompletionStage"));
      }
      return stage.thenApply(value -> result(ctx, value));
    };
  }

  private static <P> P payload(WorkerContext ctx, Class<P> type) {
    return ctx.payloadAs(type);
  }

  /**
   * {@code value} as the run's result JSON: null for null, a {@link JsonNode} as is.
   *
   * @throws PermanentFailure when Jackson cannot write it (retrying would not help)
   */
  public static JsonNode result(WorkerContext ctx, Object value) {
    if (value == null || value instanceof JsonNode) {
      return (JsonNode) value;
    }
    try {
      return ctx.json().valueToTree(value);
    } catch (IllegalArgumentException e) {
      throw new PermanentFailure("the result (" + value.getClass().getSimpleName()
          + ") cannot be written as JSON: " + e.getMessage(), e);
    }
  }
}
