package dev.troupe.node.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.CallOptions;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What runs and entities ask of the node's facade: starting a child run, and the outcome of any
 * run of the cluster. This package and the entities' are below the facade, so they are handed
 * these rather than importing it.
 */
public interface NodeCalls {
  /** For services without a facade (entity tests): every call fails. */
  NodeCalls NONE = new NodeCalls() {
    @Override
    public CompletionStage<RunHandle> call(String worker, JsonNode payload, CallOptions options,
        String parentRunId, int parentDepth) {
      return CompletableFuture.failedFuture(unsupported());
    }

    @Override
    public CompletionStage<RunResult> outcome(String runId) {
      return CompletableFuture.failedFuture(unsupported());
    }

    private UnsupportedOperationException unsupported() {
      return new UnsupportedOperationException("these run services have no node facade");
    }
  };

  /**
   * Starts a run of {@code worker} as a child of {@code parentRunId}, which is {@code
   * parentDepth} child calls deep; fails as {@code Troupe.call} does.
   */
  CompletionStage<RunHandle> call(String worker, JsonNode payload, CallOptions options,
      String parentRunId, int parentDepth);

  /**
   * Completes with the run once it has finished, from its entity wherever it is or from the run
   * history; fails with {@code UnknownRunException} when neither knows it, and otherwise (a
   * timeout, an unavailable node) with a failure worth asking again after.
   */
  CompletionStage<RunResult> outcome(String runId);
}
