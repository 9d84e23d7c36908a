package dev.troupe.node;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.CallOptions;
import dev.troupe.api.RunHandle;
import dev.troupe.persistence.RunSpec;
import java.util.concurrent.CompletionStage;
import java.util.function.UnaryOperator;

/**
 * The facade's call path for runs that something else starts (a schedule's fire, a re-run):
 * checked like any call, with {@code linked} completing the run's spec with where it came from.
 */
@FunctionalInterface
interface LinkedCall {
  CompletionStage<RunHandle> start(String worker, JsonNode payload, CallOptions options,
      UnaryOperator<RunSpec> linked);
}
