package dev.troupe.node.stream;

/**
 * A run's stream ended on this node before the run did: its entity stopped here (it moves to
 * another node, or restarts). A reader resumes after {@link #lastDelivered()} wherever the entity
 * runs next.
 */
public final class RunStreamMoved extends RuntimeException {
  private final long lastDelivered;

  RunStreamMoved(String reason, long lastDelivered) {
    super(reason + "; resume after seq " + lastDelivered, null, false, false);
    this.lastDelivered = lastDelivered;
  }

  public long lastDelivered() {
    return lastDelivered;
  }
}
