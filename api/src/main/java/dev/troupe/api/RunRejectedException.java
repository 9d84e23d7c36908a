package dev.troupe.api;

/** A call was refused and no run was recorded: its queue is full, or the node is shutting down. */
public class RunRejectedException extends TroupeException {
  /**
   * Why a call was refused: its queue is full; its entity's intake is full; the node is shutting
   * down; the entity did not answer in time; the definition has a role that no member up has.
   */
  public enum Reason { QUEUE_FULL, OVERLOADED, SHUTTING_DOWN, UNAVAILABLE, NO_NODE_FOR_ROLE }

  private final Reason reason;

  public RunRejectedException(Reason reason, String message) {
    super(message);
    this.reason = reason;
  }

  public Reason reason() {
    return reason;
  }
}
