package dev.troupe.node;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.CallOptions;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import dev.troupe.node.run.NodeCalls;
import java.util.concurrent.CompletionStage;
import java.util.function.Function;

/**
 * The facade's calls as runs and entities make them ({@link NodeCalls}): connected once the
 * facade exists, since the entities' services are made before it.
 */
final class FacadeCalls implements NodeCalls {
  private volatile LinkedCall calls;
  private volatile Function<String, CompletionStage<RunResult>> outcomes;
  private volatile Function<String, CompletionStage<Integer>> childCancels;

  void connect(LinkedCall start, Function<String, CompletionStage<RunResult>> outcome,
      Function<String, CompletionStage<Integer>> cancelChildren) {
    this.calls = start;
    this.outcomes = outcome;
    this.childCancels = cancelChildren;
  }

  @Override
  public CompletionStage<RunHandle> call(String worker, JsonNode payload, CallOptions options,
      String parent, int depth, boolean detached) {
    return calls.start(worker, payload, options,
        spec -> spec.withParent(parent, depth, detached));
  }

  @Override
  public CompletionStage<RunResult> outcome(String runId) {
    return outcomes.apply(runId);
  }

  @Override
  public CompletionStage<Integer> cancelChildren(String parentRunId) {
    return childCancels.apply(parentRunId);
  }
}
