package dev.troupe.api;

/**
 * Ends a run stream whose subscriber could not keep up: its buffer filled. The run itself goes on;
 * subscribe again after {@link #lastDeliveredSeq()} to continue.
 */
public class SlowSubscriberException extends TroupeException {
  private final long lastDeliveredSeq;

  public SlowSubscriberException(long lastDeliveredSeq) {
    super("subscriber too slow: its buffer is full; resume after seq " + lastDeliveredSeq);
    this.lastDeliveredSeq = lastDeliveredSeq;
  }

  public long lastDeliveredSeq() {
    return lastDeliveredSeq;
  }
}
