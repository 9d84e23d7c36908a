package dev.troupe.examples.composition;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.StateMachine;
import dev.troupe.api.Worker;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerContext;
import java.util.concurrent.CompletionStage;

/**
 * {@code image-pipeline} (the orchestrator seed's blueprint), a {@link StateMachine}: payload
 * {@code {"url": string, "width"?: 800, "height"?: 600}}; states {@code resize} (a child run of
 * {@code resize-image}) → {@code apply-filters} (a child run of {@code apply-filters}, given the
 * resized image) → {@code completed}, any failure → {@code failed}. Result {@code {"finalUrl":
 * "<url>?w=W&h=H&filters=sharpen,contrast"}}. A {@code url} that is not a string fails the run
 * permanently, naming the field, before any state; a bad width or height fails the {@code
 * resize} child, and the run ends in state {@code failed} (FAILED, naming it). The stream shows
 * each state entered.
 */
public final class ImagePipelineWorker implements Worker {
  public static final String NAME = "image-pipeline";

  public static final WorkerConfig CONFIG = WorkerConfig.DEFAULT
      .withMaxConcurrent(20)
      .withDescription("Resizes an image, then applies filters: a state machine of child runs");

  static final StateMachine PIPELINE = StateMachine.startAt("resize")
      .task("resize", ResizeImageWorker.NAME, (input, previous) -> input, "apply-filters",
          "failed")
      .task("apply-filters", ApplyFiltersWorker.NAME, (input, resized) -> resized, "completed",
          "failed")
      .succeedAt("completed")
      .failAt("failed")
      .build();

  @Override
  public CompletionStage<JsonNode> run(WorkerContext ctx) {
    ObjectNode input = ctx.newObject().put("url", Fields.text(ctx.payload(), "url"));
    input.set("width", ctx.payload().path("width").isMissingNode()
        ? input.numberNode(800) : ctx.payload().get("width"));
    input.set("height", ctx.payload().path("height").isMissingNode()
        ? input.numberNode(600) : ctx.payload().get("height"));
    return PIPELINE.run(ctx, input);
  }
}
