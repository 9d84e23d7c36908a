package dev.troupe.api;

/** A call was refused and no run was recorded: its queue is full, or the node is shutting down. */
public class RunRejectedException extends TroupeException {
  /** Why a call was refused. */
  public enum Reason { QUEUE_FULL, OVERLOADED, SHUTTING_DOWN, UNAVAILABLE }

  private final Reason reason;

  public RunRejectedException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
