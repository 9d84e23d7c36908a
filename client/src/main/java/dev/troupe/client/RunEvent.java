package dev.troupe.client;

import com.fasterxml.jackson.core.JsonProcessingException;
import com.fasterxml.jackson.databind.JsonNode;
import java.util.OptionalDouble;

/**
 * One event of a run's stream. {@code id} numbers a run's events 1, 2, 3, ... without gaps, across
 * attempts and nodes; 0 marks an event the node sent without an id (the outcome of a run whose
 * events are no longer kept). The stream ends after a {@code result} or {@code error} event, whose
 * {@code data} is the finished run.
 *
 * @param type {@code status}, {@code log}, {@code message}, {@code step}, {@code result} or
 *     {@code error}
 */
public record RunEvent(long id, String type, JsonNode data) {
  public static final String MESSAGE = "message";
  public static final String LOG = "log";
  public static final String STATUS = "status";
  public static final String RESULT = "result";
  public static final String ERROR = "error";

  /** Whether this is the last event of the run ({@code result} or {@code error}). */
  public boolean isTerminal() {
    return RESULT.equals(type) || ERROR.equals(type);
  }

  /**
   * The percent of a progress report: a {@code message} whose data has a numeric {@code progress}
   * field, as a worker's {@code ctx.progress(percent, message)} emits it.
   */
  public OptionalDouble progress() {
    JsonNode p = data == null ? null : data.get("progress");
    return MESSAGE.equals(type) && p != null && p.isNumber()
        ? OptionalDouble.of(p.asDouble()) : OptionalDouble.empty();
  }

  /**
   * The finished run that a terminal event carries.
   *
   * @throws IllegalStateException when this is not a terminal event
   */
  public Run run() {
    if (!isTerminal()) {
      throw new IllegalStateException("a " + type + " event carries no run");
    }
    try {
      return Json.MAPPER.treeToValue(data, Run.class);
    } catch (JsonProcessingException e) {
      throw new TroupeException("the " + type + " event is not a run: " + e.getOriginalMessage(), e);
    }
  }
}
