package dev.troupe.api;

/** The run has already finished (for example, a cancel came too late). */
public class RunFinishedException extends TroupeException {
  public RunFinishedException(String message) {
    super(message);
  }
}
