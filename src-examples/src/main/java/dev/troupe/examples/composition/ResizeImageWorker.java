package dev.troupe.examples.composition;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.PermanentFailure;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code resize-image}: payload {@code {"url": string, "width": 1..10000, "height":
 * 1..10000}} (sizes default to 800 and 600), result {@code {"url": "<url>?w=W&h=H", "width": W,
 * "height": H}}; a bad field fails permanently, naming it. No image is fetched: the example
 * stands for the work.
 */
public final class ResizeImageWorker implements Worker {
  public static final String NAME = "resize-image";
  static final int MAX_SIZE = 10_000;

  public static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withMaxConcurrent(50)
      .withRetry(RetryPolicy.NONE)
      .withDescription("Resizes an image to width x height (image-pipeline's first state)");

  @Override
  public CompletionStage<JsonNode> run(WorkerContext ctx) {
    String url = Fields.text(ctx.payload(), "url");
    int w = Fields.count(ctx.payload(), "width", 800, MAX_SIZE);
    int h = Fields.count(ctx.payload(), "height", 600, MAX_SIZE);
    if (w == 0 || h == 0) {
      throw new PermanentFailure("field '" + (w == 0 ? "width" : "height")
          + "' must be at least 1");
    }
    return CompletableFuture.completedFuture(ctx.newObject()
        .put("url", url + "?w=" + w + "&h=" + h).put("width", w).put("height", h));
  }
}
