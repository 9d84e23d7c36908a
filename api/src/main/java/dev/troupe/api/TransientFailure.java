package dev.troupe.api;

/** Thrown by a handler for a failure that a later attempt may not meet (a timeout, a 503). */
public class TransientFailure extends Exception {
  public TransientFailure(String message) {
    super(message);
  }

  public TransientFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
