package dev.troupe.client;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * A run as the node's HTTP API shows it ({@code GET /api/v1/runs/{runId}}). While the run is
 * going, {@code finishedAt}, {@code durationMs}, {@code result} and {@code error} are null. Fields
 * a newer node adds are ignored, so an older client keeps working.
 *
 * @param parentRunId the run that started this one as a child, or null
 * @param rerunOf the finished run this one re-runs ({@link TroupeClient#rerun}), or null
 * @param traceId the run's OpenTelemetry trace id (32 hex digits), to look it up in the tracing
 *     backend; null when tracing was off on the node that accepted the run
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Run(
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
    List<String> tags,
    String parentRunId,
    String rerunOf,
    String traceId) {

  public Run {
    result = result == null || result.isNull() ? null : result;
    tags = tags == null ? List.of() : List.copyOf(tags);
  }

  /** Whether the run has ended (its status is terminal and will not change again). */
  @JsonIgnore
  public boolean isFinished() {
    return status != null && status.isTerminal();
  }

  /**
   * The result bound to {@code type} by Jackson (unknown fields ignored); null when the run has no
   * result (yet).
   *
   * @throws TroupeException when the result does not bind to {@code type}
   */
  public <T> T resultAs(Class<T> type) {
    if (result == null) {
      return null;
    }
    try {
      return Json.MAPPER.treeToValue(result, type);
    } catch (JsonProcessingException e) {
      throw new TroupeException("the result of run " + runId + " does not bind to "
          + type.getSimpleName() + ": " + e.getOriginalMessage(), e);
    }
  }
}
