package dev.troupe.api;

/** No run with that id exists (or it is malformed). */
public class UnknownRunException extends TroupeException {
  public UnknownRunException(String message) {
    super(message);
  }
}
