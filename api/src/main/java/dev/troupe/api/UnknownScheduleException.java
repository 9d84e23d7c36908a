package dev.troupe.api;

/** No schedule of that name exists. */
public class UnknownScheduleException extends TroupeException {
  public UnknownScheduleException(String message) {
    super(message);
  }
}
