package dev.troupe.api;

/**
 * Thrown inside a handler by {@link WorkerContext#sleep}, a blocking {@link
 * WorkerContext#checkpoint(Object)} and the like once the attempt is cancelled (a cancel request,
 * its timeout, the node shutting it down). Let it propagate: the run's outcome ({@code CANCELLED}
 * or {@code TIMED_OUT}) is already recorded when it is thrown, and whatever the handler returns
 * or throws afterwards is ignored. Unchecked, so no handler has to test a boolean to stop.
 *
 * <p>Thrown by a handler whose attempt was <em>not</em> cancelled, it is an ordinary exception
 * (transient unless the {@link ErrorClassifier} says otherwise): a handler ends its own run with
 * {@link PermanentFailure}, not with this.
 */
public class Cancelled extends RuntimeException {
  public Cancelled(String reason) {
    super(reason);
  }
}
