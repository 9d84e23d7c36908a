package dev.troupe.api;

import com.fasterxml.jackson.databind.JsonNode;
import java.util.concurrent.CompletionStage;

/**
 * An asynchronous worker handler. Troupe calls it on a thread that is not an actor's, once per
 * attempt of a run. The returned stage's value is the run's result (may be {@code null}).
 *
 * <p>Failures: a {@link PermanentFailure} ends the run {@code FAILED} at once; a
 * {@link TransientFailure} (or any other exception, unless the definition's
 * {@link ErrorClassifier} says otherwise) is retried per the definition's {@link RetryPolicy}.
 * Execution is at-least-once: after a node crash an attempt may run again, so side effects
 * should be idempotent or guarded by {@link WorkerContext#checkpoint}.
 */
@FunctionalInterface
public interface Worker {
  CompletionStage<JsonNode> run(WorkerContext ctx) throws Exception;
}
