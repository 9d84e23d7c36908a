package dev.troupe.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * A run as users see it (field names are part of the HTTP contract). While the run is going,
 * {@code finishedAt}, {@code durationMs}, {@code result} and {@code error} are null.
 *
 * @param durationMs from the first attempt's start to the finish; null if it never started
 */
public record RunResult(
    String runId,
    String worker,
    RunStatus status,
    int attempts,
    Instant createdAt,
    Instant startedAt,
    Instant finishedAt,
    Long durationMs,
    JsonNode payload,
    JsonNode result,
    RunError error,
    List<String> tags)
    implements TroupeSerializable {
  public RunResult {
    result = result == null || result.isNull() ? null : result; // JSON null and no result are one
    tags = tags == null ? List.of() : List.copyOf(tags);
  }

  @JsonIgnore
  public boolean isFinished() {
    return status.isTerminal();
  }
}
