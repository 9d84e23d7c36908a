package dev.troupe.client;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonIgnoreProperties;
import com.fasterxml.jackson.annotation.JsonProperty;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;
import java.util.List;

/**
 * A schedule as the node shows it ({@code GET /api/v1/schedules/{name}}): its definition with
 * the node's defaults filled in, whether it is paused, its next fire times (a few, in order; none
 * while paused) and its most recent fires, newest first. Fields a newer node adds are ignored.
 *
 * @param timezone the IANA zone the cron expression is read in ({@code UTC} by default)
 * @param payload the payload of every run it starts
 * @param priority the priority of its runs, 0 to 9
 */
@JsonIgnoreProperties(ignoreUnknown = true)
public record Schedule(String name, String worker, String cron, String timezone,
    JsonNode payload, Misfire misfire, int priority, boolean paused, List<Instant> nextFireTimes,
    List<ScheduleRun> recentRuns) {

  @JsonCreator
  public Schedule(@JsonProperty("name") String name, @JsonProperty("worker") String worker,
      @JsonProperty("cron") String cron, @JsonProperty("timezone") String timezone,
      @JsonProperty("payload") JsonNode payload, @JsonProperty("misfire") Misfire misfire,
      @JsonProperty("priority") int priority, @JsonProperty("paused") boolean paused,
      @JsonProperty("nextFireTimes") List<Instant> nextFireTimes,
      @JsonProperty("recentRuns") List<ScheduleRun> recentRuns) {
    this.name = name;
    this.worker = worker;
    this.cron = cron;
    this.timezone = timezone;
    this.payload = payload;
    this.misfire = misfire;
    this.priority = priority;
    this.paused = paused;
    this.nextFireTimes = nextFireTimes == null ? List.of() : List.copyOf(nextFireTimes);
    this.recentRuns = recentRuns == null ? List.of() : List.copyOf(recentRuns);
  }
}
