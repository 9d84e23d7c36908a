package dev.troupe.api;

/**
 * One durable step of a run as users see it (field names are part of the HTTP contract), in the
 * order the steps first ran.
 *
 * @param compensation the step's compensation, or null when it registered none
 */
public record RunStep(String name, StepStatus status, CompensationState compensation)
    implements TroupeSerializable {

  /**
   * A step's compensation: its name and its status, null until it has run (the run has not
   * failed, or the compensation's turn has not come), then {@code SUCCEEDED} or {@code FAILED}.
   */
  public record CompensationState(String name, StepStatus status) implements TroupeSerializable {}
}
