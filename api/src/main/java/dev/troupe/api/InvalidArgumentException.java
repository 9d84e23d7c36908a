package dev.troupe.api;

/** An argument was invalid: a malformed name, a negative timeout, a missing payload. */
public class InvalidArgumentException extends TroupeException {
  public InvalidArgumentException(String message) {
    super(message);
  }
}
