package dev.troupe.api;

import com.fasterxml.jackson.annotation.JsonCreator;
import com.fasterxml.jackson.annotation.JsonValue;

/**
 * What a schedule does with fire times it missed while it could not fire (every node down, or its
 * entity moving for longer than {@code troupe.schedules.misfire-threshold}). Fire times late by
 * less than the threshold are not missed: each still starts its own run.
 */
public enum MisfirePolicy {
  /** Missed fire times start nothing; the schedule waits for its next fire time. */
  SKIP("skip"),
  /** The missed fire times together start one run, for the latest of them. */
  RUN_ONCE("run-once");

  private final String json;

  MisfirePolicy(String json) {
    this.json = json;
  }

  @JsonValue
  public String json() {
    return json;
  }

  /** @throws InvalidArgumentException naming the accepted values */
  @JsonCreator(mode = JsonCreator.Mode.DELEGATING)
  public static MisfirePolicy of(String value) {
    for (MisfirePolicy p : values()) {
      if (p.json.equals(value)) {
        return p;
      }
    }
    throw new InvalidArgumentException("misfire must be \"skip\" or \"run-once\", was '" + value
        + "'");
  }
}
