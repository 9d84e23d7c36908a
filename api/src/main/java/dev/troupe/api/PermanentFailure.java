package dev.troupe.api;

/** Thrown by a handler for a failure that retrying cannot fix (bad input, a refused request). */
public class PermanentFailure extends Exception {
  public PermanentFailure(String message) {
    super(message);
  }

  public PermanentFailure(String message, Throwable cause) {
    super(message, cause);
  }
}
