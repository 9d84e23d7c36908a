package dev.troupe.client;

import com.fasterxml.jackson.databind.JsonNode;

/**
 * A run the node accepted: its id, and whether an earlier call with the same idempotency key had
 * already started it ({@code existing}), in which case no second run was made.
 */
public record RunRef(String runId, String worker, boolean existing) {

  /** The run a node's 202 answer names ({@code runId}, {@code worker}, {@code existing}). */
  static RunRef of(JsonNode accepted) {
    return new RunRef(accepted.path("runId").asText(), accepted.path("worker").asText(),
        accepted.path("existing").asBoolean());
  }
}
