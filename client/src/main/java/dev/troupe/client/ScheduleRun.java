package dev.troupe.client;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import java.time.Instant;

/**
 * A run a schedule started, as its {@link Schedule#recentRuns()} lists it.
 *
 * @param status the run's status when the node read it; null when it is not known (yet)
 * @param error why the fire time started no run, when it did not (then {@code runId} is null)
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record ScheduleRun(String runId, Instant fireTime, RunStatus status, String error) {
  @JsonCreator
  public ScheduleRun(@JsonProperty("runId") String runId,
      @JsonProperty("fireTime") Instant fireTime, @JsonProperty("status") RunStatus status,
      @JsonProperty("error") String error) {
    this.runId = runId;
    this.fireTime = fireTime;
    this.status = status;
    this.error = error;
  }
}
