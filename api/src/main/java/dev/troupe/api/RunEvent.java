package dev.troupe.api;

import com.fasterxml.jackson.annotation.JsonIgnore;
import com.fasterxml.jackson.databind.JsonNode;
import java.time.Instant;

/**
 * One element of a run's stream. {@code seq} numbers the run's events from 1 without gaps, across
 * attempts; a subscriber that resumes "after seq n" receives n+1, n+2, ... The stream ends after
 * a {@code result} or {@code error} event, whose {@code data} is the finished run as JSON.
 *
 * @param type one of {@link #MESSAGE}, {@link #LOG}, {@link #STATUS}, {@link #RESULT},
 *     {@link #ERROR}, {@link #STEP}
 */
public record RunEvent(long seq, String type, JsonNode data, Instant at)
    implements TroupeSerializable {
  public static final String MESSAGE = "message";
  public static final String LOG = "log";
  public static final String STATUS = "status";
  public static final String RESULT = "result";
  public static final String ERROR = "error";
  /**
   * A durable step changed: {@code {"name", "status", "compensation": {"name", "status"} | null}}
   * with status {@code STARTED} (not recorded in the run's steps), {@code SUCCEEDED}, {@code
   * FAILED} or {@code COMPENSATED}, and {@code "error"} when it or its compensation failed.
   */
  public static final String STEP = "step";

  @JsonIgnore
  public boolean isTerminal() {
    return RESULT.equals(type) || ERROR.equals(type);
  }
}
