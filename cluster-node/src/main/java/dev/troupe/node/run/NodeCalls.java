package dev.troupe.node.run;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.CallOptions;
import dev.troupe.api.RunHandle;
import dev.troupe.api.RunResult;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CompletionStage;

/**
 * What runs and entities ask of the node's facade: starting a child run, the outcome of any run
 * of the cluster, cancelling a cancelled run's children. This package and the entities' are below the facade, so they are handed
 * these rather than importing it.
 */
public interface NodeCalls {
  /** For services without a facade (entity tests): every call fails. */
  NodeCalls NONE = new NodeCalls() {
    @Override
    public CompletionStage<RunHandle> call(String worker, JsonNode payload, CallOptions options,
        String parentRunId, int parentDepth, boolean detached) {
      return CompletableFuture.failedFuture(unsupported());
    }

    @Override
    public CompletionStage<Integer> cancelChildren(String parentRunId) {
      return CompletableFuture.completedFuture(0);
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
   * parentDepth} child calls deep; fails as {@code Troupe.call} does. A {@code detached} child
   * goes on when its parent is cancelled.
   */
  CompletionStage<RunHandle> call(String worker, JsonNode payload, CallOptions options,
      String parentRunId, int parentDepth, boolean detached);

  /**
   * Cancels the unfinished children of the cancelled run {@code parentRunId} that are not
   * detached, of every worker this node has, wherever their entities are; completes with how
   * many were cancelled, once every entity answered or its ask failed.
   */
  CompletionStage<Integer> cancelChildren(String parentRunId);

  /**
   * Completes with the run once it has finished, from its entity wherever it is or from the run
   * history; fails with {@code UnknownRunException} when neither knows it, and otherwise (a
   * timeout, an unavailable node) with a failure worth asking again after.
   */
  CompletionStage<RunResult> outcome(String runId);
}
