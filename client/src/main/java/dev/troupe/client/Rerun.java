package dev.troupe.client;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;

/**
 * A re-run the node recorded ({@code POST /api/v1/runs/{runId}/rerun}, 201): the new run's id, the
 * run it re-runs and their worker. The new run has the old one's payload, priority, concurrency
 * key and tags; it goes on by itself (follow it with {@link TroupeClient#events(String)}).
 * {@code traceId}: the new run's OpenTelemetry trace id, null when tracing is off on the node.
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Rerun(String runId, String rerunOf, String worker, String traceId) {
  @JsonCreator
  public Rerun(@JsonProperty("runId") String runId, @JsonProperty("rerunOf") String rerunOf,
      @JsonProperty("worker") String worker, @JsonProperty("traceId") String traceId) {
    this.runId = runId;
    this.rerunOf = rerunOf;
    this.worker = worker;
    this.traceId = traceId;
  }
}
