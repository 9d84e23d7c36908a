package dev.troupe.examples.composition;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.RetryPolicy;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * {@code apply-filters}: payload {@code {"url": string}} (a resized image's), result {@code
 * {"finalUrl": "<url>&filters=sharpen,contrast"}}; a {@code url} that is not a string fails
 * permanently, naming the field.
 */
public final class ApplyFiltersWorker implements Worker {
  public static final String NAME = "apply-filters";
  static final String FILTERS = "sharpen,contrast";

  public static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withMaxConcurrent(50)
      .withRetry(RetryPolicy.NONE)
      .withDescription("Applies the sharpen and contrast filters (image-pipeline's second state)");

  @Override
  public CompletionStage<JsonNode> run(WorkerContext ctx) {
    String url = Fields.text(ctx.payload(), "url");
    return CompletableFuture.completedFuture(
        ctx.newObject().put("finalUrl", url + "&filters=" + FILTERS));
  }
}
