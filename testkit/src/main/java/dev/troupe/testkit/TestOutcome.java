package dev.troupe.testkit;

import com.fasterxml.jackson.databind.JsonNode;
import dev.troupe.api.PayloadBinder;
import dev.troupe.api.RunError;
import dev.troupe.api.RunStatus;

/**
 * How one attempt run by {@link TestWorkerContext} ended, as a node would record it: {@code
 * SUCCEEDED} with its result (null when the handler returned null), {@code FAILED} with a
 * permanent error (or a transient one on the last attempt of the retry policy), {@code RETRYING}
 * when a transient failure leaves attempts (run {@link TestWorkerContext#nextAttempt()} next),
 * {@code CANCELLED} or {@code TIMED_OUT}.
 *
 * @param failure what the handler threw, for a failed or retrying attempt
 */
public record TestOutcome(RunStatus status, JsonNode result, RunError error, Throwable failure) {

  /** The result bound to {@code type}, as a caller reading it would bind it. */
  public <T> T resultAs(Class<T> type) {
    if (result == null) {
      throw new IllegalStateException("no result: the attempt ended " + status
          + (error == null ? "" : " (" + error.code() + ": " + error.message() + ")"));
    }
    return PayloadBinder.of(TestWorkerContext.MAPPER).bind(result, type, "result");
  }
}
