package dev.troupe.examples.inference;

import dev.troupe.api.Required;
import dev.troupe.api.WorkerConfig;
import dev.troupe.api.WorkerModule;
import dev.troupe.api.WorkerRegistrar;

/**
 * {@code sentiment-analysis}: ML inference with a model loaded once per node. The module loads
 * the model when the node installs it, at start, and every run on that node shares it; a run
 * only predicts: {@code {"text"}} in, {@code {"label", "score"}} out.
 *
 * <p>The seed limits a worker process to 2 inferences at once (GPU memory). Troupe has no
 * per-node limits yet: {@code maxConcurrent(2)} bounds the runs executing at once per partition
 * of the definition (one by default), not per node.
 */
public final class SentimentAnalysis implements WorkerModule {
  record Text(@Required String text) {}

  @Override
  public void install(WorkerRegistrar troupe) {
    SentimentModel model = SentimentModel.load(); // once per node, before any run
    troupe.job("sentiment-analysis", Text.class, WorkerConfig.DEFAULT.withMaxConcurrent(2),
        (params, ctx) -> model.predict(params.text()));
  }
}
