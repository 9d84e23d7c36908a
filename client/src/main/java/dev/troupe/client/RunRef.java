package dev.troupe.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A run the node accepted: its id, and whether an earlier call with the same idempotency key had
 * already started it ({@code existing}), in which case no second run was made.
 *
 * @param traceId the run's OpenTelemetry trace id (as {@link Run#traceId()}), known as soon as
 *     the call (or a schedule's trigger) is answered; null when tracing is off on the node
 */
public record RunRef(String runId, String worker, boolean existing, String traceId) {

  /**
   * The run a node's 202 answer names ({@code runId}, {@code worker}, {@code existing}, {@code
   * traceId}).
   */
  static RunRef of(JsonNode accepted) {
    JsonNode traceId = accepted.path("traceId");
    return new RunRef(accepted.path("runId").asText(), accepted.path("worker").asText(),
        accepted.path("existing").asBoolean(), traceId.isTextual() ? traceId.asText() : null);
  }
}
