package dev.troupe.persistence;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.databind.node.ObjectNode;
import dev.troupe.api.RunStep;
import dev.troupe.api.StepStatus;

/**
 * One durable step of a run as its entity records it ({@link WorkerEvent.StepRecorded} carries
 * the whole record after each change).
 *
 * @param type the Java class name the step's result was recorded as: a later attempt asking for
 *     another type fails the run instead of binding the result to something else
 * @param result the recorded result of a step that succeeded (null for none)
 * @param error why the step, while {@code FAILED}, failed
 * @param compensation the name of the step's compensation, or null
 * @param compensationStatus null until the compensation ran, then SUCCEEDED or FAILED
 * @param compensationError why the compensation failed
 */
public record StepRecord(String name, StepStatus status, String type, JsonNode result,
    String error, String compensation, StepStatus compensationStatus, String compensationError) {

  public StepRecord {
    result = result == null || result.isNull() ? null : result; // Jackson reads null as NullNode
  }

  public static StepRecord succeeded(String name, String type, JsonNode result,
      String compensation) {
    return new StepRecord(name, StepStatus.SUCCEEDED, type, result, null, compensation, null, null);
  }

  public static StepRecord failed(String name, String type, String error, String compensation) {
    return new StepRecord(name, StepStatus.FAILED, type, null, error, compensation, null, null);
  }

  /** This step after its compensation ran: COMPENSATED if it succeeded, else as it was. */
  public StepRecord compensated(boolean ok, String why) {
    return new StepRecord(name, ok ? StepStatus.COMPENSATED : status, type, result, error,
        compensation, ok ? StepStatus.SUCCEEDED : StepStatus.FAILED, ok ? null : why);
  }

  /** This step without its result: what a finished run keeps (nothing reads it any more). */
  public StepRecord withoutResult() {
    return result == null ? this : new StepRecord(name, status, type, null, error, compensation,
        compensationStatus, compensationError);
  }

  /** Whether the step has a result recorded that a later attempt gets back. */
  public boolean hasResult() {
    return status != StepStatus.FAILED;
  }

  /** Whether its compensation is still to run: it succeeded and its compensation has not. */
  public boolean awaitsCompensation() {
    return compensation != null && status == StepStatus.SUCCEEDED
        && compensationStatus != StepStatus.SUCCEEDED;
  }

  /** The step as users see it. */
  public RunStep toView() {
    return new RunStep(name, status, compensation == null ? null
        : new RunStep.CompensationState(compensation, compensationStatus));
  }

  /** The data of the {@code step} stream event of this change. */
  public ObjectNode toEvent(ObjectMapper mapper) {
    ObjectNode n = mapper.valueToTree(toView());
    String why = compensationError != null ? compensationError : error;
    if (why != null && status != StepStatus.COMPENSATED) {
      n.put("error", why);
    }
    return n;
  }
}
