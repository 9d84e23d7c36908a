package dev.troupe.node;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.CallOptions;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import dev.troupe.node.run.NodeCalls;
import java.util.concurrent.CompletionStage;
import java.util.concurrent.atomic.AtomicReference;

/**
 * The facade's calls as runs and entities make them ({@link NodeCalls}): set once the facade
 * exists, since the entities' services are made before it.
 */
final class FacadeCalls implements NodeCalls {
  private final AtomicReference<TroupeNode> facade = new AtomicReference<>();

  void set(TroupeNode node) {
    facade.set(node);
  }

  @Override
  public CompletionStage<RunHandle> call(String worker, JsonNode payload, CallOptions options,
      String parent, int depth) {
    return facade.get().start(worker, payload, options, spec -> spec.withParent(parent, depth));
  }

  @Override
  public CompletionStage<RunResult> outcome(String runId) {
    return facade.get().outcome(runId);
  }
}
