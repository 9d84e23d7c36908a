package dev.troupe.api;

/** The run has not finished yet, and the operation needs a finished run (a re-run). */
public class RunNotFinishedException extends TroupeException {
  public RunNotFinishedException(String message) {
    super(message);
  }
}
