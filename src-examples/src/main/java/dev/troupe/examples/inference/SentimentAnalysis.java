package dev.troupe.examples.inference;

import dev.troupe.api.Required;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;

/**
 * {@code sentiment-analysis}: ML inference with a model loaded once per node. The module loads
 * the model when the node installs it, at start, and every run on that node shares it; a run
 * only predicts: {@code {"text"}} in, {@code {"label", "score"}} out.
 *
 * <p>The seed limits a worker process to 2 inferences at once (GPU memory): this module's
 * reference.conf caps the definition at 2 executing runs per node ({@code
 * troupe.node.worker-limits}); more wait in its queue.
 */
public final class SentimentAnalysis implements WorkerModule {
  record Text(@Required String text) {}

  @Override
  public void install(WorkerRegistrar troupe) {
    SentimentModel model = SentimentModel.load(); // once per node, before any run
    troupe.job("sentiment-analysis", Text.class, (params, ctx) -> model.predict(params.text()));
  }
}
