package dev.troupe.client;

/** 409: the request conflicts with the run's state, such as cancelling a finished run (RUN_FINISHED). */
public class ConflictException extends TroupeApiException {
  public ConflictException(int status, String code, String message) {
    super(status, code, message);
  }
}
